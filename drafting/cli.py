"""The `drafting` command: a thin shell over the stage functions (contract: spec cli.md)."""

import sys
from collections.abc import Callable
from functools import wraps
from typing import Any

import click

from .errors import DraftingError


def reports_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a DraftingError into one line on stderr and its exit code; never a traceback."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except DraftingError as exc:
            click.echo(f"错误：{exc.message}", err=True)
            sys.exit(exc.exit_code)

    return wrapper


@click.group(help="群众评议工作总结起草与意见归类工具。")
@click.version_option(package_name="drafting")
def app() -> None:
    pass


@app.group(help="语料库：过去的工作总结。")
def corpus() -> None:
    pass


@app.command(help="启动网页与接口服务。")
@click.option("--host", default="127.0.0.1", show_default=True, help="监听地址")
@click.option("--port", default=8000, show_default=True, type=int, help="端口")
@reports_errors
def serve(host: str, port: int) -> None:
    import uvicorn

    from service import check_bind

    check_bind(host)
    uvicorn.run("service:app", host=host, port=port)


def main() -> None:
    app(prog_name="drafting")
