"""The web application: routers, middleware and error handlers (`service.py` at the top imports it)."""

import hmac
import ipaddress
import logging
from collections.abc import Awaitable, Callable
from typing import Any, cast
from urllib.parse import quote

import swagger_ui_bundle
from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError

from drafting.config import get_settings
from drafting.errors import BadInput, DraftingError
from drafting.web import STATIC_DIR, routes_corpus, routes_drafts, routes_feedback, routes_pages
from drafting.web.limits import BodyLimit
from drafting.web.routes_pages import TOKEN_COOKIE
from drafting.writer.facts import explain

app = FastAPI(title="drafting", description="群众评议工作总结起草与意见归类", docs_url=None, redoc_url=None)
app.add_middleware(BodyLimit)
app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
app.mount("/docs-static", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-static")
for module in (routes_drafts, routes_feedback, routes_corpus, routes_pages):
    app.include_router(module.router)

log = logging.getLogger("drafting.web")
PUBLIC_PATHS = {"/healthz", "/login", "/docs", "/openapi.json"}
PUBLIC_PREFIXES = ("/static/", "/docs-static/")


def check_bind(host: str) -> None:
    """Refuse a non-loopback address unless an API token is set."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and get_settings().api_token is None:
        raise BadInput.field("--host", "监听非本机地址时必须设置 DRAFTING_API_TOKEN")


@app.middleware("http")
async def require_token(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    """With DRAFTING_API_TOKEN set, /api needs the Bearer token (or the login cookie); pages go to /login."""
    secret = get_settings().api_token
    path = request.url.path
    if secret is None or path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES):
        return await call_next(request)
    header = request.headers.get("authorization", "")
    given = header[7:] if header.lower().startswith("bearer ") else request.cookies.get(TOKEN_COOKIE, "")
    if given and hmac.compare_digest(given.encode("utf-8"), secret.get_secret_value().encode("utf-8")):
        return await call_next(request)
    if path.startswith("/api/"):
        return JSONResponse({"detail": "未授权：请在 Authorization 头中携带 Bearer 令牌，或先在网页上登录"},
                            status_code=401, headers={"WWW-Authenticate": "Bearer"})
    return RedirectResponse(f"/login?next={quote(path)}", status_code=303)


@app.exception_handler(DraftingError)
async def drafting_error(request: Request, exc: Exception) -> JSONResponse:
    error = cast(DraftingError, exc)
    return JSONResponse({"detail": error.message}, status_code=error.http_status)


@app.exception_handler(Exception)
async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Anything unforeseen: one Chinese line for the user, the traceback only in the service log."""
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "服务器内部错误，请查看服务日志"}, status_code=500)


class _Located:
    """A request validation error seen as a pydantic one, its location without the body/query prefix."""

    def __init__(self, error: dict[str, Any]):
        self.error = error

    def errors(self) -> list[dict[str, Any]]:
        loc = tuple(self.error.get("loc", ()))
        return [{**self.error, "loc": loc[1:] if loc and loc[0] in ("body", "query", "path") else loc}]


@app.exception_handler(RequestValidationError)
async def invalid_request(request: Request, exc: Exception) -> JSONResponse:
    first = cast(RequestValidationError, exc).errors()[0]
    located = _Located(first)
    if first["type"] == "literal_error":
        field = ".".join(str(p) for p in located.errors()[0]["loc"]) or "body"
        message = BadInput.field(field, f"只能是 {first.get('ctx', {}).get('expected', '')}").message
    elif first["type"] == "json_invalid":
        message = BadInput.field("body", "不是有效的 JSON").message
    else:
        message = explain(cast(ValidationError, located)).message
    return JSONResponse({"detail": message}, status_code=422)


@app.get("/docs", include_in_schema=False)
def docs() -> HTMLResponse:
    """Swagger UI served from the installed swagger-ui-bundle, not a CDN."""
    return get_swagger_ui_html(openapi_url="/openapi.json", title="drafting 接口文档",
                               swagger_js_url="/docs-static/swagger-ui-bundle.js",
                               swagger_css_url="/docs-static/swagger-ui.css",
                               swagger_favicon_url="/docs-static/favicon-32x32.png")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
