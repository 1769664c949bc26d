"""Who may call the service and from where, and what every answer tells the browser.

CSRF contract with the page (also in the README's security table):
- a logged-in page is rendered with `request.state.csrf_token` (empty without a session); base.html puts it
  in `<meta name="csrf-token" content="…">`;
- the page's JS sends it back as the `X-CSRF-Token` header on every POST, PUT, PATCH and DELETE;
- a cookie-session write without the right header gets 403; Bearer clients need no CSRF token;
- /login and /logout are plain form posts, checked by Origin / Sec-Fetch-Site (and SameSite=Strict) only.
Every write, with or without a token configured, must come from the service's own origin.
"""

import hashlib
import hmac
import logging
import secrets
import traceback
from typing import Any
from urllib.parse import quote

from fastapi.routing import APIRoute
from itsdangerous import BadSignature, TimestampSigner
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from drafting.config import Settings, get_settings
from drafting.errors import BadInput
from drafting.web.limits import ASGIApp, AuthFailures, Message, Receive, Scope, Send

SESSION_COOKIE = "drafting_session"
CSRF_HEADER = "x-csrf-token"
MIN_TOKEN_CHARS = 32
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
PUBLIC_PATHS = frozenset({"/healthz", "/login", "/docs", "/docs-init.js", "/openapi.json"})
PUBLIC_PREFIXES = ("/static/", "/docs-static/")
NO_CSRF_PATHS = frozenset({"/login", "/logout"})

CSP = "; ".join([
    "default-src 'self'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "font-src 'self'", "connect-src 'self'", "object-src 'none'", "base-uri 'none'", "form-action 'self'",
    "frame-ancestors 'none'",
])
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class UnsupportedMediaType(BadInput):
    """The body's Content-Type is not one the route declares."""

    http_status = 415


# ---------------------------------------------------------------- the token and the login session


def check_token(settings: Settings) -> None:
    """A configured token must be long enough that guessing it is hopeless."""
    if settings.api_token is not None and len(settings.api_token.get_secret_value()) < MIN_TOKEN_CHARS:
        length = len(settings.api_token.get_secret_value())
        raise BadInput.field("DRAFTING_API_TOKEN", f"令牌太短（{length} 个字符），"
                             f"至少 {MIN_TOKEN_CHARS} 个字符；"
                             "可用 python -c 'import secrets; print(secrets.token_urlsafe(32))' 生成")


def _signer(settings: Settings) -> TimestampSigner:
    """Sessions are signed with a key derived from the token: changing the token ends every session."""
    assert settings.api_token is not None
    return TimestampSigner(settings.api_token.get_secret_value(), salt="drafting.session")


def start_session(response: Response, request: Request, settings: Settings) -> None:
    """Set the login cookie: a random session id, signed and dated; never the token itself."""
    value = _signer(settings).sign(secrets.token_urlsafe(32)).decode("ascii")
    response.set_cookie(SESSION_COOKIE, value, max_age=int(settings.session_hours * 3600), httponly=True,
                        samesite="strict", secure=request.url.scheme == "https")


def end_session(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, httponly=True, samesite="strict")


def session_id(request: Request, settings: Settings) -> str | None:
    """The session id of a valid, unexpired login cookie, else None."""
    value = request.cookies.get(SESSION_COOKIE)
    if not value or settings.api_token is None:
        return None
    try:
        return _signer(settings).unsign(value, max_age=int(settings.session_hours * 3600)).decode("ascii")
    except BadSignature:  # also SignatureExpired
        return None


def csrf_token(settings: Settings, sid: str) -> str:
    assert settings.api_token is not None
    key = settings.api_token.get_secret_value().encode("utf-8")
    return hmac.new(key, f"csrf:{sid}".encode("ascii"), hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def cross_site(request: Request) -> bool:
    """A browser names where a write comes from; anything but this service's own origin is refused."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        return True
    origin = request.headers.get("origin")
    return origin is not None and origin != f"{request.url.scheme}://{request.headers.get('host', '')}"


# ---------------------------------------------------------------- middleware


class AllowedHosts:
    """Starlette's TrustedHostMiddleware with DRAFTING_ALLOWED_HOSTS read per request (tests change it)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        guard = TrustedHostMiddleware(self.app, allowed_hosts=get_settings().host_list, www_redirect=False)
        await guard(scope, receive, send)


class SecurityHeaders:
    """CSP without inline script or style, no framing, no sniffing, no referrer to other sites."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(name, value) for name, value in SECURITY_HEADERS if name not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


class Guard:
    """Same-origin writes always; with DRAFTING_API_TOKEN, the Bearer token or a login session (plus its
    CSRF token on writes), and 429 for a client that keeps sending wrong tokens."""

    def __init__(self, app: ASGIApp):
        self.app = app
        self.failures = AuthFailures()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self.check(Request(scope), get_settings())
        if refusal is not None:
            await refusal(scope, receive, send)
        elif scope["method"] == "POST" and scope["path"] == "/login":
            await self.app(scope, receive, self.count_failed_login(scope, send))
        else:
            await self.app(scope, receive, send)

    def check(self, request: Request, settings: Settings) -> Response | None:
        """The answer that refuses this request, or None to let it through."""
        state: dict[str, Any] = request.scope.setdefault("state", {})
        state["csrf_token"] = ""
        method, path = request.method, request.url.path
        if method in UNSAFE_METHODS and cross_site(request):
            return _refuse(path, 403, "跨站请求被拒绝：写操作只接受本服务页面发出的请求")
        if settings.api_token is None:
            return None
        client = request.client.host if request.client else ""
        sid = session_id(request, settings)
        if sid is not None:
            state["csrf_token"] = csrf_token(settings, sid)
        authorization = request.headers.get("authorization")
        if (authorization is not None or (method, path) == ("POST", "/login")) and self.failures.blocked(
                client, settings.auth_failures):
            return _refuse(path, 429, "令牌错误次数过多，请一分钟后再试", {"Retry-After": "60"})
        if path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
            return None
        if authorization is not None:
            token = authorization[7:] if authorization.lower().startswith("bearer ") else ""
            if _same(token, settings.api_token.get_secret_value()):
                return None
            self.failures.add(client)
            return _unauthorised(path)
        if sid is None:
            return _unauthorised(path)
        if method in UNSAFE_METHODS and path not in NO_CSRF_PATHS and not _same(
                request.headers.get(CSRF_HEADER, ""), state["csrf_token"]):
            return _refuse(path, 403, "缺少或错误的 CSRF 令牌：请刷新页面后重试")
        return None

    def count_failed_login(self, scope: Scope, send: Send) -> Send:
        client = scope["client"][0] if scope.get("client") else ""

        async def counting(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                self.failures.add(client)
            await send(message)

        return counting


def _refuse(path: str, status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    if path.startswith("/api/"):
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    return PlainTextResponse(detail, status_code=status, headers=headers)


def _unauthorised(path: str) -> Response:
    if path.startswith("/api/"):
        return JSONResponse({"detail": "未授权：请在 Authorization 头中携带 Bearer 令牌，或先在网页上登录"},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return RedirectResponse(f"/login?next={quote(path)}", status_code=303)


# ---------------------------------------------------------------- bodies and errors


def declared_types(route: APIRoute) -> set[str]:
    """The body media types a route declares in its OpenAPI (or FastAPI infers from its body parameter)."""
    content = (route.openapi_extra or {}).get("requestBody", {}).get("content")
    if content:
        return set(content)
    if route.body_field is not None:
        return {getattr(route.body_field.field_info, "media_type", "application/json")}
    return set()


def body_type(request: Request) -> None:
    """A write's Content-Type must be one its route declares: no text/plain or form-encoded JSON."""
    route = request.scope.get("route")
    if request.method not in UNSAFE_METHODS or not isinstance(route, APIRoute):
        return
    allowed = declared_types(route)
    given = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if allowed and given not in allowed:
        raise UnsupportedMediaType.field("body", f"Content-Type 应为 {' 或 '.join(sorted(allowed))}，"
                                         f"收到的是 {given or '（无）'}")


def log_unexpected(log: logging.Logger, exc: BaseException, where: str) -> None:
    """The error's type and the code it passed through; never its message, which may quote the user's text."""
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("unhandled %s in %s\n%s", type(exc).__name__, where, frames)


class PathOnly(logging.Filter):
    """The access log's request line without its query string: a search's `q=` holds what a user typed."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        # uvicorn's access record: (client, method, path with query, http version, status)
        if isinstance(args, tuple) and len(args) == 5 and isinstance(args[2], str):
            record.args = (*args[:2], args[2].split("?", 1)[0], *args[3:])
        return True


def log_paths_only(logger: logging.Logger) -> None:
    """Keep query strings out of the access log (once, however often the app starts in a process)."""
    if not any(isinstance(f, PathOnly) for f in logger.filters):
        logger.addFilter(PathOnly())
