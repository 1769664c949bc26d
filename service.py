"""The web service: `uvicorn service:app` or `drafting serve`."""

import ipaddress

from fastapi import FastAPI

from drafting.config import get_settings
from drafting.errors import BadInput

app = FastAPI(title="drafting", description="群众评议工作总结起草与意见归类")


def check_bind(host: str) -> None:
    """Refuse a non-loopback address unless an API token is set."""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if not loopback and get_settings().api_token is None:
        raise BadInput.field("--host", "监听非本机地址时必须设置 DRAFTING_API_TOKEN")


@app.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok"}
