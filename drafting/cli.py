"""The `drafting` command: a thin shell over the stage functions (contract: spec cli.md)."""

import json
import re
import sys
from collections.abc import Callable, Iterable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from drafting.errors import NO_MODEL, BadInput, DraftingError


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


def existing_file(path: str, field: str) -> Path:
    """The path of an existing file, or BadInput naming the argument."""
    if not Path(path).is_file():
        raise BadInput.field(field, f"找不到文件 {path}")
    return Path(path)


def emit(text: str, output: str | None) -> None:
    """Write text to the -o file, or to standard output."""
    if output:
        Path(output).write_text(text, encoding="utf-8")
    else:
        click.echo(text)


class ChineseHelpFormatter(click.HelpFormatter):
    """click's help, with its own English words (Usage, Options, [default: …]) in Chinese."""

    HEADINGS = {"Options": "选项", "Commands": "命令", "Arguments": "参数"}
    WORDS = (("Show this message and exit.", "显示本帮助并退出。"),
             ("Show the version and exit.", "显示版本并退出。"),
             ("[default: ", "[默认："), ("[required]", "[必填]"))
    USAGE = (("[OPTIONS]", "[选项]"), ("COMMAND [ARGS]...", "命令 [参数]..."))

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, chinese in self.USAGE:
            args = args.replace(english, chinese)
        super().write_usage(prog, args, prefix="用法：")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{self.HEADINGS.get(heading, heading)}：\n")

    def write_dl(self, rows: Iterable[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        super().write_dl([(term, self._chinese(text)) for term, text in rows], col_max, col_spacing)

    def _chinese(self, text: str) -> str:
        for english, chinese in self.WORDS:
            text = text.replace(english, chinese)
        return text


class ChineseContext(click.Context):
    formatter_class = ChineseHelpFormatter


class ChineseCommand(click.Command):
    context_class = ChineseContext


class ChineseGroup(click.Group):
    """A group whose commands and subgroups all format their help in Chinese."""

    context_class = ChineseContext
    command_class = ChineseCommand
    group_class = type


@click.group(cls=ChineseGroup, help="群众评议工作总结起草与意见归类工具。",
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="drafting", message="%(prog)s 版本 %(version)s")
def app() -> None:
    pass


@app.group(help="语料库：过去的工作总结。")
def corpus() -> None:
    pass


@corpus.command("add", help="把文件或文件夹（.txt .md .docx .pdf）加入语料库；内容相同的文件不会重复加入。")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="PATH...")
@reports_errors
def corpus_add(paths: tuple[Path, ...]) -> None:
    from drafting import runtime

    report = runtime.store().add_files(list(paths))
    for info in report.added:
        click.echo(f"新增\t{info.id}\t{info.title}\t{info.chunks} 段\t{info.source}")
    for info in report.skipped:
        click.echo(f"已存在\t{info.id}\t{info.title}\t{info.source}")
    added, skipped = len(report.added), len(report.skipped)
    click.echo(f"共新增 {added} 篇、{report.chunks_added} 段；跳过已有 {skipped} 篇。")


@corpus.command("list", help="列出语料库中的文档：编号、标题、单位、日期、段数。")
@reports_errors
def corpus_list() -> None:
    from drafting import runtime

    for info in runtime.store().list_documents():
        click.echo(f"{info.id}\t{info.title}\t{info.unit or '-'}\t{info.date or '-'}\t{info.chunks}")


@corpus.command("delete", help="从语料库删除一篇文档（编号见 corpus list）；此后起草不再参考它。")
@click.argument("doc_id", metavar="ID")
@reports_errors
def corpus_delete(doc_id: str) -> None:
    from drafting import runtime

    info = runtime.store().delete_document(doc_id)
    click.echo(f"已删除\t{info.id}\t{info.title}\t{info.chunks} 段")


@corpus.command("rebuild", help="清空语料库，重新加入自带的样例总结和给出的文件或文件夹。")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH...]")
@reports_errors
def corpus_rebuild(paths: tuple[Path, ...]) -> None:
    from drafting import runtime
    from drafting.config import get_settings
    from drafting.corpus.load import collect_paths, read_file
    from drafting.corpus.store import add_sample

    # every file is read first: one that cannot be used stops the rebuild before anything is removed
    documents = [read_file(path, get_settings().max_file_bytes) for path in collect_paths(list(paths))]
    store = runtime.store()
    store.clear()
    reports = [add_sample(store), store.add_documents(documents)]
    count, chunks = sum(len(r.added) for r in reports), sum(r.chunks_added for r in reports)
    click.echo(f"已重建：{count} 篇、{chunks} 段（其中样例 {len(reports[0].added)} 篇）。")


@corpus.command("search", help="在语料库中检索段落（向量与关键词混合排序）。")
@click.argument("query")
@click.option("-k", "k", default=5, show_default=True, type=click.IntRange(1, 100), metavar="条数",
              help="返回条数")
@click.option("--sector", default=None, metavar="领域", help="优先该行业的段落（加权，不过滤）")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="输出格式")
@reports_errors
def corpus_search(query: str, k: int, sector: str | None, fmt: str) -> None:
    from drafting import runtime

    passages = runtime.retriever().search(query, k=k, sector=sector)
    if fmt == "json":
        click.echo(json.dumps([p.model_dump() for p in passages], ensure_ascii=False, indent=2))
        return
    for rank, passage in enumerate(passages, 1):
        where = " › ".join(passage.heading_path) or "（正文）"
        meta = "，".join(part for part in (passage.unit, passage.date) if part)
        click.echo(f"{rank}. [{passage.score:.3f}] {passage.title}" + (f"（{meta}）" if meta else ""))
        click.echo(f"   {where}")
        click.echo(f"   {passage.text}")


@app.group(help="历史数据库：稿件、归类记录和整改台账。")
def db() -> None:
    pass


@db.command("copy", short_help="把历史原样复制到另一个数据库（如由单机迁到数据库服务器）。",
            help="把稿件（含各版本）、归类记录和整改台账（含各行和修改记录）原样复制到另一个数据库，"
                 "编号、版本和时间不变；单机改为多副本部署时用它迁到共用的数据库服务器。"
                 "目标先升级到当前结构，复制在目标上是一个事务：要么全部复制，要么一条不写。"
                 "复制前请先停止服务，复制开始后写入源数据库的记录不会被复制。")
@click.option("--to", "target", required=True, metavar="地址",
              help="目标数据库地址，写法与各副本的数据库地址设置相同（含用户名、密码、主机和库名）")
@click.option("--from", "source", default=None, metavar="地址",
              help="源数据库地址；不填为当前配置的数据库（未配置数据库服务器时即数据目录中的单机数据库文件）")
@click.option("--merge", is_flag=True,
              help="目标已有数据时照样复制：跳过目标中已有编号的稿件、归类记录和台账（连同其版本、行和修改记录），"
                   "只补入其余")
@reports_errors
def db_copy(target: str, source: str | None, merge: bool) -> None:
    from drafting.config import get_settings
    from drafting.web.db_copy import copy_history

    def show(what: str, done: int, total: int) -> None:
        click.echo(f"复制{what}：{done}/{total}", err=True)

    report = copy_history(source or get_settings().database, target, merge=merge, progress=show)
    if report.source_upgraded:
        click.echo("源数据库的结构较旧，已先升级到当前结构（与服务启动时所做的相同）。")
    click.echo(report.summary())


@app.command(help="启动网页与接口服务。")
@click.option("--host", default="127.0.0.1", show_default=True, metavar="地址", help="监听地址")
@click.option("--port", default=8000, show_default=True, type=int, metavar="端口", help="端口")
@reports_errors
def serve(host: str, port: int) -> None:
    import uvicorn

    from drafting.web.app import check_bind

    check_bind(host)
    # a run still going at shutdown is cancelled after 10 s instead of holding the process
    uvicorn.run("drafting.web.app:app", host=host, port=port, timeout_graceful_shutdown=10)


@app.command(help="根据事实（JSON 或 YAML 文件，- 为标准输入）起草群众评议工作总结。")
@click.argument("facts_path", metavar="FACTS")
@click.option("--engine", type=click.Choice(["auto", "template", "llm"]), default="auto", show_default=True,
              help="起草引擎：auto 有大模型时用大模型，否则用模板")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "docx"]), default="md", show_default=True,
              help="输出格式")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, metavar="文件",
              help="输出文件（docx 必须指定）")
@reports_errors
def draft(facts_path: str, engine: str, fmt: str, output: str | None) -> None:

    from drafting import runtime
    from drafting.errors import StoreUnavailable
    from drafting.writer.engines import choose_engine
    from drafting.writer.facts import load_facts
    from drafting.writer.pipeline import write_draft

    if fmt == "docx" and not output:
        raise BadInput.field("-o", "docx 格式需要用 -o 指定输出文件")
    facts = load_facts(sys.stdin.read() if facts_path == "-" else existing_file(facts_path, "FACTS"))
    chosen = choose_engine(engine, runtime.chat_model() if engine != "template" else None)
    try:
        retriever = runtime.retriever()
    except StoreUnavailable as exc:
        retriever, store_warning = None, f"未能打开语料库，草稿未参考范文：{exc.message}"
    else:
        store_warning = ""
    result = write_draft(facts, retriever=retriever, engine=chosen,
                         embedder=runtime.embedder() if retriever is not None else None)
    if store_warning:
        result.warnings.insert(0, store_warning)
    from drafting.writer.render import to_docx, to_json

    if fmt == "docx":
        Path(output or "").write_bytes(to_docx(result))
        return
    emit(result.markdown if fmt == "md" else to_json(result), output)


@app.command(help="输出事实（FACTS）的 JSON Schema。")
def schema() -> None:
    from drafting.writer.facts import facts_schema

    click.echo(json.dumps(facts_schema(), ensure_ascii=False, indent=2))


@app.command(help="由一次意见归类生成起草总结用的事实（YAML）：数字、问题和下一步打算取自归类结果和整改台账，"
                  "其余留给起草人补充。")
@click.option("--from-feedback", "run", required=True, metavar="记录",
              help="归类记录编号（服务的历史中），或 drafting classify --format json 的输出文件")
@click.option("--unit", default=None, metavar="单位", help="单位名称；不填用归类记录的单位")
@click.option("--date", "on", default=None, type=click.DateTime(["%Y-%m-%d"]), metavar="日期",
              help="成文日期；不填为今天")
@click.option("--format", "fmt", type=click.Choice(["yaml", "json"]), default="yaml", show_default=True,
              help="yaml 只含事实（缺项写在注释里）；json 另含缺项和每项的出处")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, metavar="文件",
              help="输出文件")
@reports_errors
def facts(run: str, unit: str | None, on: Any, fmt: str, output: str | None) -> None:
    import yaml

    from drafting.config import get_settings
    from drafting.feedback.models import ClassifyResult
    from drafting.web.db import History
    from drafting.web.db_ledger import LedgerStore
    from drafting.workflow.facts_from_run import facts_for_run

    ledgers = []
    if Path(run).is_file():
        try:
            result = ClassifyResult.model_validate_json(Path(run).read_text(encoding="utf-8"))
        except ValueError:
            raise BadInput.field("--from-feedback",
                                 f"{run} 不是 drafting classify --format json 的输出") from None
        run_unit = ""
    else:
        history = History(get_settings().database)
        stored = history.get_feedback(run)
        if stored.result is None:
            raise BadInput.field("--from-feedback", f"归类记录 {run} 尚未完成")
        result, run_unit = ClassifyResult.model_validate(stored.result), stored.unit
        ledgers = LedgerStore(history).unit_ledgers(run_unit)
    made = facts_for_run(result, run_id=Path(run).name, unit=(unit or run_unit).strip(),
                         on=on.date() if on else None, ledgers=ledgers)
    if fmt == "json":
        emit(made.model_dump_json(indent=2), output)
        return
    notes = [f"# 由意见归类 {Path(run).name} 生成；请核对成文日期（date），并补充："]
    notes += [f"#   {field}: {what}" for field, what in made.left_for_writer.items()]
    body = yaml.safe_dump(made.facts.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
                          allow_unicode=True, sort_keys=False)
    emit("\n".join(notes) + "\n" + body, output)


@app.command(help="把意见（每行一位群众的回答；FILE 为 .txt/.csv/.docx/.xlsx，- 为标准输入）归类，"
                  "生成整改清单。")
@click.argument("source", metavar="[FILE|-]", default="-")
@click.option("--taxonomy", default=None, metavar="YAML|none", help="主题分类表（YAML）；none 只做新主题发现")
@click.option("--engine", type=click.Choice(["auto", "embedded", "llm"]), default="auto", show_default=True,
              help="归类引擎：auto 有大模型时用大模型，否则用内置模型")
@click.option("--format", "fmt", type=click.Choice(["md", "json", "xlsx", "docx"]), default="md",
              show_default=True, help="输出格式")
@click.option("-o", "--output", type=click.Path(dir_okay=False), default=None, metavar="文件",
              help="输出文件（xlsx、docx 必须指定）")
@click.option("--sector", default=None, metavar="领域",
              help="不给分类表时用该领域的主题表（医院、学校、农村、街道社区、企业、机关、政务服务、税务、派出所、公交）；不填按意见内容判断")
@click.option("--unit", default="", metavar="单位", help="单位名称，写在整改清单的抬头")
@click.option("--date", "on", default=None, type=click.DateTime(["%Y-%m-%d"]), metavar="日期",
              help="清单日期，如 2026-12-02；不填为今天")
@reports_errors
def classify(source: str, taxonomy: str | None, engine: str, fmt: str, output: str | None, sector: str | None,
             unit: str, on: Any) -> None:

    from drafting import runtime
    from drafting.config import get_settings
    from drafting.errors import NoOpinions, TooManyOpinions
    from drafting.feedback import export
    from drafting.feedback.pipeline import classify_opinions
    from drafting.feedback.read import parse_opinions, read_opinions

    if fmt in {"xlsx", "docx"} and not output:
        raise BadInput.field("-o", f"{fmt} 格式需要用 -o 指定输出文件")
    if source == "-":
        read = parse_opinions(sys.stdin.read())
    else:
        path = existing_file(source, "FILE")
        read = read_opinions(path.name, path.read_bytes())
    lines = read.lines
    if not lines:
        raise NoOpinions("FILE")
    limit = get_settings().max_opinions
    if len(lines) > limit:
        raise TooManyOpinions("FILE", len(lines), limit)
    chosen, classifier = None, None
    chat = runtime.chat_model() if engine != "embedded" else None
    if engine == "llm" and chat is None:
        raise BadInput.field("--engine", NO_MODEL)
    if taxonomy is None or taxonomy.strip().lower() != "none":
        from drafting.feedback.classifiers import make_classifier
        from drafting.feedback.taxonomy import choose_taxonomy

        chosen = choose_taxonomy(existing_file(taxonomy, "--taxonomy") if taxonomy else None, sector, lines)
        classifier = make_classifier(engine, chosen, runtime.embedder(), chat, settings=get_settings())
    result = classify_opinions(lines, taxonomy=chosen, classifier=classifier, embedder=runtime.embedder(),
                               progress=_stage_bar() if sys.stderr.isatty() else None, source=read)
    if chat is not None:
        from drafting.feedback.rectify import suggest_measures

        result = suggest_measures(result, chat, get_settings())
    for warning in result.warnings:
        click.echo(f"注意：{warning}", err=True)
    day = on.date() if on else None
    if fmt in {"xlsx", "docx"}:
        write = export.to_xlsx if fmt == "xlsx" else export.to_docx
        Path(output or "").write_bytes(write(result, unit=unit, date=day))
        return
    emit(export.to_json(result) if fmt == "json" else export.to_markdown(result, unit=unit, date=day), output)


def _stage_bar() -> Callable[[str, int, int], None]:
    """A one-line progress bar on standard error: stage name, bar, done/total."""
    from drafting.feedback.models import STAGE_NAMES as names


    def show(stage: str, done: int, total: int) -> None:
        filled = 30 * done // max(total, 1)
        end = "\n" if stage == "summarise" and done >= total else ""
        bar = "#" * filled + "." * (30 - filled)
        sys.stderr.write(f"\r{names.get(stage, stage):<6} [{bar}] {done}/{total}  {end}")
        sys.stderr.flush()

    return show


def main() -> None:
    """The console script: click's usage errors, too, end as one Chinese line and exit status 2."""
    try:
        code = app.main(prog_name="drafting", standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx is not None else "")
        sys.exit(0)
    except click.UsageError as exc:
        click.echo(f"错误：{usage_problem(exc)}（drafting --help 查看用法）", err=True)
        sys.exit(2)
    except click.Abort:
        click.echo("已取消", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    sys.exit(code if isinstance(code, int) else 0)


def usage_problem(exc: click.UsageError) -> str:
    """What is wrong with the command line, in Chinese, naming the option or argument."""
    param = getattr(exc, "param", None)
    name = ""
    if param is not None:
        name = param.opts[0] if isinstance(param, click.Option) else param.human_readable_name
    if isinstance(exc, click.MissingParameter):
        return f"{name}: 缺少这一项"
    if isinstance(exc, click.NoSuchOption):
        return f"{exc.option_name}: 没有这个选项"
    if isinstance(exc, click.BadOptionUsage):
        return f"{exc.option_name}: 缺少取值"
    if isinstance(exc, click.BadParameter) and param is not None and isinstance(param.type, click.Choice):
        return f"{name}: 只能是 {'、'.join(map(str, param.type.choices))} 之一"
    if isinstance(exc, click.BadParameter):
        return f"{name}: 取值不符合要求"
    command = re.match(r"No such command '(.+)'", exc.message)
    if command:
        return f"没有这个命令：{command.group(1)}"
    return f"命令行有误：{exc.message}"
