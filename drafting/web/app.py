"""The web application: routers, middleware and error handlers (`service.py` at the top imports it)."""

import ipaddress
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import swagger_ui_bundle
from fastapi import Depends, FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field, ValidationError

from drafting.config import get_settings
from drafting.errors import BadInput, DraftingError
from drafting.web import (
    STATIC_DIR,
    routes_corpus,
    routes_drafts,
    routes_feedback,
    routes_ledger,
    routes_meta,
    routes_pages,
)
from drafting.web.limits import BodyLimit
from drafting.web.security import (
    AllowedHosts,
    Guard,
    SecurityHeaders,
    body_type,
    check_token,
    log_paths_only,
    log_unexpected,
)
from drafting.writer.facts import explain


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """A token too short to resist guessing stops the service at start; the access log gets paths only."""
    check_token(get_settings())
    log_paths_only(logging.getLogger("uvicorn.access"))
    yield


# Every write must declare a body type its route accepts (security.body_type). Middleware, outermost first:
# the Host allow-list, the security headers (CSP), the origin/token/session/CSRF guard, the body limit.
# The CSRF contract with the page (meta tag csrf-token, header X-CSRF-Token) is at the top of security.py.
app = FastAPI(title="drafting", description="群众评议工作总结起草与意见归类", docs_url=None, redoc_url=None,
              dependencies=[Depends(body_type)], lifespan=lifespan)
app.add_middleware(BodyLimit)
app.add_middleware(Guard)
app.add_middleware(SecurityHeaders)
app.add_middleware(AllowedHosts)
app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
app.mount("/docs-static", StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-static")
for module in (routes_drafts, routes_feedback, routes_ledger, routes_corpus, routes_meta, routes_pages):
    app.include_router(module.router)

log = logging.getLogger("drafting.web")


class ErrorAnswer(BaseModel):
    """What every 4xx and 5xx answer holds."""

    detail: str = Field(description="一行中文说明；输入错误时以字段名开头，如 `date: 必须填写`")


def openapi() -> dict[str, Any]:
    """FastAPI's schema with its validation-error shape replaced by ours (one line in `detail`), so the
    documented 422 is the one clients get."""
    if app.openapi_schema is None:
        schema = get_openapi(title=app.title, version=app.version, description=app.description,
                             routes=app.routes)
        schemas = schema.get("components", {}).get("schemas", {})
        schemas["HTTPValidationError"] = ErrorAnswer.model_json_schema()
        schemas.pop("ValidationError", None)
        app.openapi_schema = schema
    return app.openapi_schema


app.openapi = openapi  # type: ignore[method-assign]


def check_bind(host: str) -> None:
    """Refuse a non-loopback address unless an API token is set, and a token too short."""
    check_token(get_settings())
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and get_settings().api_token is None:
        raise BadInput.field("--host", "监听非本机地址时必须设置 DRAFTING_API_TOKEN")


@app.exception_handler(DraftingError)
async def drafting_error(request: Request, exc: Exception) -> JSONResponse:
    error = cast(DraftingError, exc)
    return JSONResponse({"detail": error.message}, status_code=error.http_status)


@app.exception_handler(Exception)
async def unexpected(request: Request, exc: Exception) -> JSONResponse:
    """Anything unforeseen: one Chinese line for the user; the log gets its type and stack, not its text."""
    route = request.scope.get("route")
    log_unexpected(log, exc, f"{request.method} {getattr(route, 'path', request.url.path)}")
    return JSONResponse({"detail": "服务器内部错误，请查看服务日志"}, status_code=500)


class _Located:
    """A request validation error seen as a pydantic one, its location without the body/query prefix."""

    title = "request"  # not a Facts model: the message keeps the field path

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
    """Swagger UI served from the installed swagger-ui-bundle, not a CDN; its start script is a file of its
    own (/docs-init.js), so the page runs under the same CSP as the rest."""
    page = get_swagger_ui_html(openapi_url="/openapi.json", title="drafting 接口文档",
                               swagger_js_url="/docs-static/swagger-ui-bundle.js",
                               swagger_css_url="/docs-static/swagger-ui.css",
                               swagger_favicon_url="/docs-static/favicon-32x32.png")
    html = bytes(page.body).decode("utf-8")
    inline = html[html.rindex("<script>"):html.rindex("</script>") + len("</script>")]
    return HTMLResponse(html.replace(inline, '<script src="/docs-init.js"></script>'))


@app.get("/docs-init.js", include_in_schema=False)
def docs_init() -> Response:
    options = {"url": "/openapi.json", "dom_id": "#swagger-ui", "layout": "BaseLayout", "deepLinking": True}
    script = (f"window.ui = SwaggerUIBundle(Object.assign({json.dumps(options)}, {{presets: "
              "[SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset]}));\n")
    return Response(script, media_type="text/javascript")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
