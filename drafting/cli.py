"""The `drafting` command: a thin shell over the stage functions (contract: spec cli.md)."""

import json
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


@app.command(help="根据事实（JSON 或 YAML 文件，- 为标准输入）起草群众评议工作总结。")
@click.argument("facts_path", metavar="FACTS")
@click.option("--engine", type=click.Choice(["auto", "template", "llm"]), default="auto", show_default=True,
              help="起草引擎：auto 有大模型时用大模型，否则用模板")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "docx"]), default="md", show_default=True,
              help="输出格式")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, help="输出文件（docx 必须指定）")
@reports_errors
def draft(facts_path: str, engine: str, fmt: str, output: str | None) -> None:
    from pathlib import Path

    from . import runtime
    from .draft import choose_engine, write_draft
    from .errors import BadInput
    from .facts import load_facts

    if fmt == "docx" and not output:
        raise BadInput.field("-o", "docx 格式需要用 -o 指定输出文件")
    if facts_path == "-":
        facts = load_facts(sys.stdin.read())
    elif Path(facts_path).is_file():
        facts = load_facts(Path(facts_path))
    else:
        raise BadInput.field("FACTS", f"找不到文件 {facts_path}")
    chosen = choose_engine(engine, runtime.chat_model() if engine != "template" else None)
    result = write_draft(facts, retriever=runtime.retriever(), engine=chosen)
    if fmt == "docx":
        from .render import to_docx

        Path(output or "").write_bytes(to_docx(result))
        return
    text = result.markdown if fmt == "md" else json.dumps(result.model_dump(mode="json"), ensure_ascii=False,
                                                          indent=2)
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text)


@app.command(help="输出事实（FACTS）的 JSON Schema。")
def schema() -> None:
    from .facts import facts_schema

    click.echo(json.dumps(facts_schema(), ensure_ascii=False, indent=2))


def main() -> None:
    app(prog_name="drafting")
