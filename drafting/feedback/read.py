"""Reading opinions: pasted text, .txt/.csv, Word and Excel forms, into one respondent a line.

A form's cell is one respondent however many lines it holds; "同上" or "+1" takes the answer above it, and
"同上，X" keeps X. In any text, date separators (—— 3月7日开箱 ——), headings, 说明/备注 lines, signatures
and staff notices are not opinions, nor are titles and section rows typed into a form's answer column;
neither are a meeting record's 会议时间/地点, 主持人, 记录人, 参会人员 and bracketed notes. All of them are
counted as skipped. A table pasted as text (a hotline export: 工单号  来电时间  诉求内容) is read by its
opinion column, without the case number, the time or the column's name. Uploaded .docx and .xlsx files
are zip archives from the public: every part is checked against its declared size before it is inflated
and parsed as a stream under budgets of characters, paragraphs and rows, so a zip bomb or a flood of
paragraphs is refused in seconds with bounded memory.
"""

import csv
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import PurePath
from typing import IO, Any

from drafting.errors import BadInput, TooLarge
from drafting.feedback.asides import (
    agreement,
    column_cells,
    is_column_headings,
    looks_like_record,
    not_an_opinion,
)
from drafting.feedback.models import ClassifyResult, LineOrigin, OpinionInput
from drafting.feedback.redact import redact

MAX_PART_BYTES = 64 * 1024 * 1024  # one inflated part of a .docx/.xlsx (document.xml, a sheet, the strings)
MAX_PARTS = 2_000  # entries in the zip archive
MAX_CHARS = 10_000_000  # characters extracted from one file
MAX_PARAGRAPHS = 200_000  # paragraphs of one .docx, empty ones included
MAX_ROWS = 200_000  # table rows of one file (all tables, all sheets)
MIN_ANSWER_CHARS = 3  # a column of 有/无 marks is not one of answers


@dataclass
class Answer:
    """One respondent's answer and where it sits in a form."""

    text: str
    number: str = ""
    department: str = ""
    row: int = 0  # 1-based line of a text, 0 in a form
    written: str = ""  # what it said when it only agreed with the answer above


def parse_opinions(text: str) -> OpinionInput:
    """Pasted text or a .txt file: one respondent a non-blank line, what is not an opinion skipped."""
    lines = text.lstrip("\ufeff").splitlines()
    answers = [Answer(line.strip(), row=k) for k, line in enumerate(lines, start=1) if line.strip()]
    return _finish(_by_columns(answers), record=True)


def read_opinions(filename: str, data: bytes) -> OpinionInput:
    """The answers in an uploaded .txt, .docx or .xlsx file, one respondent an item."""
    suffix = PurePath(filename).suffix.lower()
    if suffix == ".csv":
        return _csv(_decode(data))
    if suffix in {".txt", ".md", ""}:
        return parse_opinions(_decode(data))
    if suffix == ".docx":
        paragraphs, tables = _guarded(lambda: _docx(data), "Word")
        answers = [Answer(line) for line in paragraphs if not _is_header(line)]
        body = _finish(answers, record=True)
        forms = _finish([answer for rows in tables for answer in _answers(rows)], record=False)
        return _joined(body, forms)
    if suffix == ".xlsx":
        sheets = _guarded(lambda: _xlsx(data), "Excel")
        return _finish([answer for rows in sheets for answer in _answers(rows)], record=False)
    raise BadInput.field("file", f"不支持的文件类型“{suffix}”，请上传 .txt、.csv、.docx 或 .xlsx")


def _csv(text: str) -> OpinionInput:
    """A form saved as CSV is read by its columns, as in Excel, so 姓名 or 电话 columns never join the
    opinion; a CSV without a heading row is plain lines."""
    rows = list(csv.reader(io.StringIO(text)))
    heading = next((row for row in rows if any(cell.strip() for cell in row)), [])
    if len(heading) < 2 or not any(_OPINION_HEADING.fullmatch(cell.strip()) for cell in heading):
        return parse_opinions(text)
    return _finish(_answers(rows), record=False)


def parse_input(text: str) -> list[str]:
    """The respondents' lines of pasted text (callers that need the origins use parse_opinions)."""
    return parse_opinions(text).lines


def read_opinions_file(filename: str, data: bytes) -> list[str]:
    """The respondents' lines of an uploaded file (callers that need the origins use read_opinions)."""
    return read_opinions(filename, data).lines


def annotate(result: ClassifyResult, source: OpinionInput) -> ClassifyResult:
    """The run's result with each opinion's 序号 and 部门, and what reading left out, as warnings."""
    assignments = result.assignments
    if source.origins:
        origins = source.origins
        assignments = [a.model_copy(update=origins[a.line].model_dump()) if a.line < len(origins) else a
                       for a in assignments]
    notes = []
    if source.skipped:
        notes.append(f"跳过 {source.skipped} 行非意见内容（标题、日期分隔行、说明和备注、工作人员的通知，"
                     "会议记录的时间地点、主持人、记录人等）")
    if source.same_as_above:
        notes.append(f"有 {source.same_as_above} 条“同上”“+1”“同意楼上”：只表示同意的按上一条意见计入，"
                     "后面写了具体内容的按所写内容计入")
    return result.model_copy(update={"assignments": assignments, "skipped": source.skipped,
                                     "warnings": [*notes, *result.warnings]})


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadInput.field("file", "无法识别文本编码，请另存为 UTF-8")


def _joined(first: OpinionInput, second: OpinionInput) -> OpinionInput:
    """A Word file's paragraphs, then its tables' answers."""
    def origins(part: OpinionInput) -> list[LineOrigin]:
        return part.origins or [LineOrigin()] * len(part.lines)

    return OpinionInput(lines=first.lines + second.lines,
                        origins=origins(first) + origins(second) if first.origins or second.origins else [],
                        skipped=first.skipped + second.skipped,
                        same_as_above=first.same_as_above + second.same_as_above)


# --- reading lines: what is not an opinion, 同上 -----------------------------------------------------

_ROW_NUMBER = re.compile(r"\d{1,5}(?:[-.－]\d{1,3})?")


def _finish(answers: list[Answer], *, record: bool) -> OpinionInput:
    """Lines that are not opinions left out and counted (in a form's answer column too: a title, a section
    row or a closing signature typed into it; a text's first line may be the survey's question, and a
    meeting record has its header and replies), 同上 resolved, origins kept for forms."""
    in_record = record and looks_like_record([a.text for a in answers])
    kept: list[Answer] = []
    skipped = same = 0
    for k, answer in enumerate(answers):
        if not_an_opinion(answer.text, first=record and k == 0, in_record=in_record):
            skipped += 1
            continue
        agreed = agreement(answer.text, in_record=in_record, above=kept[-1].text if kept else None)
        if agreed is None:
            kept.append(answer)
            continue
        same += 1
        kept.append(Answer(agreed.text, answer.number, answer.department, answer.row,
                           redact(answer.text) if agreed.copied else ""))
    origins = [LineOrigin(number=_row_number(a.number), department=_redacted(a.department),
                          source_line=a.row, written=a.written) for a in kept]
    return OpinionInput(lines=[a.text for a in kept],
                        origins=origins if any(a.number or a.department or a.row for a in kept) else [],
                        skipped=skipped, same_as_above=same)


# A hotline export's row without its heading row: a case number, the time of the call, the column's name
# (LA2025012100066  2025-01-21 09:30  诉求内容：…)
_CASE_ROW = re.compile(r"^[A-Za-z]{0,4}\d{8,20}\s+\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?"
                       r"(?:\s+\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?\s+(?:[^\s：:，,。]{2,8}[：:])?\s*(?=\S)")


_CLAUSE_MARK = re.compile(r"[，,。；;！!？?]")


@dataclass
class _Column:
    """Where the answers are in a table pasted as text: how many columns, which one, and its heading."""

    count: int
    index: int
    heading: str


def _by_columns(answers: list[Answer]) -> list[Answer]:
    """A table pasted as text (工单号  来电时间  诉求内容, then a row a line) read as a form is: each row
    below the headings by its opinion column, without the other columns (a case number, a time) or the
    column's name repeated in the cell (诉求内容：). A hotline export's row is read so without its headings
    too. The heading row itself is left for the asides; other lines are read as they are."""
    column: _Column | None = None
    out: list[Answer] = []
    for answer in answers:
        if is_column_headings(answer.text):
            headings = column_cells(answer.text)
            index = next((k for k, h in enumerate(headings) if _OPINION_HEADING.fullmatch(h)), None)
            column = _Column(len(headings), index, headings[index]) if index is not None else None
            out.append(answer)
            continue
        text = _cell_of(answer.text, column) if column else answer.text
        text = _CASE_ROW.sub("", text, count=1)
        out.append(Answer(text, answer.number, answer.department, answer.row, answer.written))
    return out


def _cell_of(line: str, column: _Column) -> str:
    """The opinion column's cell of a pasted table's row, or the line when it is no row of the table (its
    cells before the opinion are sentences, or there are too few of them)."""
    cells = column_cells(line, column.count)
    if len(cells) < column.count or any(_CLAUSE_MARK.search(cell) for cell in cells[:column.index]):
        return line
    cell = cells[column.index]
    return re.sub(rf"^{re.escape(column.heading)}\s*[：:]\s*", "", cell) or cell


def _row_number(number: str) -> str:
    """A form's 序号 as shown in the list; a longer 编号 (a staff or record number) is personal: dropped."""
    return number if _ROW_NUMBER.fullmatch(number.strip()) else ""


@lru_cache(maxsize=1024)
def _redacted(department: str) -> str:
    """A 部门 cell masked like the opinions (a cell may name a person), each distinct one once."""
    return redact(department) if department else ""


# --- forms ----------------------------------------------------------------------------------------

# A column heading that names the answers: 意见, 意见建议, 存在的问题, 群众反映的问题, 留言内容, 诉求…
_OPINION_HEADING = re.compile(
    r"[^表]{0,8}(?:意见|建议|问题|留言|诉求|反映|内容)(?:内容|描述|及建议)?")
_NUMBER_HEADING = re.compile(r"序号|编号|序")
_DEPARTMENT_HEADING = re.compile(r"(?:所在|所属)?(?:部门|单位|科室|班组|车间|处室|村组|组别|支部)(?:名称)?")


def _answers(rows: list[list[str]]) -> list[Answer]:
    """The answers in a form's table. The heading row is the first with two or more cells filled (title rows
    above it are skipped), if it holds headings; the columns it heads 意见, 建议, 问题… hold the answers,
    unless they hold only short marks (有/无); otherwise the column with the most text does (so 序号, 单位,
    姓名 and 备注 columns are not read as opinions). A table of one column is read whole. Each cell is one
    respondent, with the row's 序号 and 部门 when the table has those columns."""
    width = max((len(row) for row in rows), default=0)
    filled = [k for k, row in enumerate(rows) if sum(bool(cell.strip()) for cell in row) >= 2]
    if width < 2 or not filled:
        return [Answer(text) for row in rows for cell in row if (text := _cell_text(cell))]
    first = rows[filled[0]]
    # no heading at all: every row is answers
    heading = any(_OPINION_HEADING.fullmatch(c.strip()) or _is_header(c.strip()) for c in first)
    head = filled[0] if heading else -1
    body = rows[head + 1:]
    columns = [[row[k] if k < len(row) else "" for row in body] for k in range(width)]
    headings = [cell.strip() for cell in rows[head]] if head >= 0 else []
    headed = [k for k, column in enumerate(columns)
              if k < len(headings) and _OPINION_HEADING.fullmatch(headings[k])
              and _mean_length(column) >= MIN_ANSWER_CHARS]
    if not headed:
        headed = [max(range(width), key=lambda k: sum(len(cell.strip()) for cell in columns[k]))]
    number = _column(headings, _NUMBER_HEADING, headed)
    department = _column(headings, _DEPARTMENT_HEADING, headed)
    return [Answer(text, _at(row, number), _at(row, department))
            for k in headed for row in body if (text := _cell_text(row[k] if k < len(row) else ""))]


def _column(headings: list[str], pattern: re.Pattern[str], taken: list[int]) -> int | None:
    return next((k for k, text in enumerate(headings) if k not in taken and pattern.fullmatch(text)), None)


def _at(row: list[str], column: int | None) -> str:
    return row[column].strip() if column is not None and column < len(row) else ""


def _mean_length(cells: list[str]) -> float:
    texts = [cell.strip() for cell in cells if cell.strip()]
    return sum(map(len, texts)) / len(texts) if texts else 0.0


def _cell_text(cell: str) -> str:
    """One respondent's cell as one line: a line that breaks mid-sentence (after ，、) runs on, other
    line breaks (Alt+Enter between opinions) become ；so the opinions are still told apart."""
    text = ""
    for line in (part.strip() for part in cell.splitlines()):
        if not line:
            continue
        if text and text[-1] not in "，,、；;":
            text += "；"
        text += line
    return "" if _is_header(text) else text


def _is_header(cell: str) -> bool:
    """Column headings and row numbers of a form, not answers."""
    return bool(re.fullmatch(r"(?:序号|编号|姓名|单位|部门|日期|时间|意见|建议|意见建议|意见和建议|问题|内容|"
                             r"留言|回答|答复|备注|类别)(?:内容)?|\d+", cell))


# --- bounded reading of Office files --------------------------------------------------------------

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# What a damaged or disguised archive raises on the way (the zip, zlib, the XML parser); TooLarge passes.
_BROKEN: tuple[type[Exception], ...] = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError,
                                        ValueError, IndexError, RuntimeError, NotImplementedError)


class Budget:
    """Counts what one file yields and refuses it, in one Chinese line, once a limit is passed."""

    def __init__(self) -> None:
        self.chars = self.paragraphs = self.rows = 0

    def text(self, value: str | None) -> str:
        self.chars += len(value or "")
        if self.chars > MAX_CHARS:
            raise TooLarge.field("file", f"文件文字过多：超过 {MAX_CHARS:,} 个字符，请拆分后分批上传")
        return value or ""

    def paragraph(self) -> None:
        self.paragraphs += 1
        if self.paragraphs > MAX_PARAGRAPHS:
            raise TooLarge.field("file", f"意见过多：Word 文件超过 {MAX_PARAGRAPHS:,} 个段落，"
                                 "请拆分后分批上传")

    def row(self) -> None:
        self.rows += 1
        if self.rows > MAX_ROWS:
            raise TooLarge.field("file", f"意见过多：表格超过 {MAX_ROWS:,} 行，请拆分后分批上传")


def _too_big() -> str:
    return f"文件解压后过大（单个部件超过 {MAX_PART_BYTES // 2**20} MB），已拒绝；请拆分后分批上传"


def _guarded(work: Callable[[], Any], kind: str) -> Any:
    """`work` over an uploaded archive, its failures told as one plain Chinese line."""
    from lxml import etree

    try:
        return work()
    except zipfile.BadZipFile:
        raise BadInput.field("file", f"无法读取 {kind} 文件：文件已损坏，或不是 {kind} 格式（请另存为 "
                             f"{'.docx' if kind == 'Word' else '.xlsx'} 后再上传）") from None
    except (etree.XMLSyntaxError, *_BROKEN):
        raise BadInput.field("file", f"无法读取 {kind} 文件：文件内容已损坏或不完整，"
                             f"请用 {kind} 打开后另存再上传") from None


def _open_part(archive: zipfile.ZipFile, name: str) -> IO[bytes]:
    """A part of the archive, refused before inflating when it declares more than MAX_PART_BYTES. What it
    declares bounds what it gives: zipfile stops inflating at the declared size (and a part that holds
    more then fails its CRC check)."""
    info = archive.getinfo(name)
    if info.file_size > MAX_PART_BYTES:
        raise TooLarge.field("file", _too_big())
    return archive.open(info)


def _archive(data: bytes) -> zipfile.ZipFile:
    archive = zipfile.ZipFile(io.BytesIO(data))
    if len(archive.infolist()) > MAX_PARTS:
        raise TooLarge.field("file", f"文件结构异常：包含超过 {MAX_PARTS} 个部件，已拒绝")
    return archive


def _events(stream: IO[bytes], events: tuple[str, ...] = ("end",),
            tags: tuple[str, ...] | None = None) -> Iterator[tuple[str, Any]]:
    """Streaming parse (of `tags` only, when given): no DTD, no entities, no network, so the XML itself
    cannot expand."""
    from lxml import etree

    yield from etree.iterparse(stream, events=events, tag=tags, resolve_entities=False, no_network=True,
                               load_dtd=False, huge_tree=False, remove_comments=True)


def _drop(element: Any) -> None:
    """Free a parsed element and the siblings before it: memory stays flat on long files."""
    element.clear()
    parent = element.getparent()
    while parent is not None and element.getprevious() is not None:
        del parent[0]


def _docx(data: bytes) -> tuple[list[str], list[list[list[str]]]]:
    """The body's paragraphs and each top-level table's rows of cell texts, in one streaming pass.
    A cell's paragraphs are joined by line breaks; a vertically merged cell repeats the text above it;
    a nested table's text belongs to its cell."""
    budget = Budget()
    paragraphs: list[str] = []
    tables: list[list[list[str]]] = []
    with _archive(data) as archive, _open_part(archive, "word/document.xml") as stream:
        depth = column = 0
        runs: list[str] = []
        cell: list[str] = []
        row: list[str] = []
        starts: list[int] = []  # the grid column each cell of the row starts at
        above: dict[int, str] = {}
        rows: list[list[str]] = []
        for event, element in _events(stream, ("start", "end")):
            tag = element.tag
            if event == "start":
                if tag == W + "tbl":
                    depth += 1
                    rows, above = ([], {}) if depth == 1 else (rows, above)
                elif depth == 1 and tag == W + "tr":
                    row, starts, column = [], [], 0
                continue
            if tag == W + "t":
                runs.append(budget.text(element.text))
            elif tag == W + "tab":
                runs.append("\t")
            elif tag in (W + "br", W + "cr"):
                runs.append("\n")
            elif tag == W + "p":
                budget.paragraph()
                (cell if depth else paragraphs).append("".join(runs))
                runs = []
                if depth:  # the cell's properties sit before its paragraphs: keep them until the cell ends
                    element.clear()
                else:
                    _drop(element)
            elif tag == W + "tc" and depth == 1:
                text, span, continued = "\n".join(cell), *_cell_props(element)
                row.append(above.get(column, text) if continued else text)
                starts.append(column)
                column += span
                cell = []
                element.clear()
            elif tag == W + "tr" and depth == 1:
                budget.row()
                rows.append(row)
                above = dict(zip(starts, row, strict=True))
                _drop(element)
            elif tag == W + "tbl":
                depth -= 1
                if depth == 0:
                    tables.append(rows)
                    _drop(element)
    return [line.strip() for text in paragraphs for line in text.splitlines() if line.strip()], tables


def _cell_props(cell: Any) -> tuple[int, bool]:
    """A Word cell's width in grid columns, and whether it continues a vertical merge from above."""
    props = cell.find(W + "tcPr")
    if props is None:
        return 1, False
    span = props.find(W + "gridSpan")
    merge = props.find(W + "vMerge")
    width = int(span.get(W + "val", "1")) if span is not None else 1
    return max(width, 1), merge is not None and merge.get(W + "val", "continue") != "restart"


def _xlsx(data: bytes) -> list[list[list[str]]]:
    """Each sheet's rows of cell texts, read by the rows the sheet holds (its stored dimension is not
    trusted); cached values of formulas; merged blocks over several rows filled with their first value."""
    budget = Budget()
    with _archive(data) as archive:
        names = set(archive.namelist())
        strings = _shared_strings(archive, budget) if "xl/sharedStrings.xml" in names else []
        return [_sheet(archive, path, strings, budget) for path in _sheet_paths(archive)]


def _sheet_paths(archive: zipfile.ZipFile) -> list[str]:
    """The workbook's sheets in order, as paths inside the archive."""
    with _open_part(archive, "xl/_rels/workbook.xml.rels") as stream:
        targets = {element.get("Id"): element.get("Target", "")
                   for _, element in _events(stream, tags=(_RELS,))}
    with _open_part(archive, "xl/workbook.xml") as stream:
        ids = [element.get(R_ID) for _, element in _events(stream, tags=(S + "sheet",))]
    paths = []
    for rid in ids:
        target = targets.get(rid, "")
        path = target.lstrip("/") if target.startswith("/") else "xl/" + target
        paths.append(str(PurePath(path)).replace("\\", "/"))
    return paths


def _shared_strings(archive: zipfile.ZipFile, budget: Budget) -> list[str]:
    strings: list[str] = []
    with _open_part(archive, "xl/sharedStrings.xml") as stream:
        for _, element in _events(stream, tags=(S + "si",)):
            strings.append(budget.text(_inline_text(element)))
            _drop(element)
    return strings


def _inline_text(item: Any) -> str:
    """The text of a shared or inline string: its plain or rich-text runs, not the phonetic guide."""
    return "".join(t.text or "" for t in item.iter(S + "t") if t.getparent().tag != S + "rPh")


def _sheet(archive: zipfile.ZipFile, path: str, strings: list[str], budget: Budget) -> list[list[str]]:
    cells: dict[int, dict[int, str]] = {}
    merges: list[str] = []
    number = 0
    with _open_part(archive, path) as stream:
        for _, element in _events(stream, tags=(S + "row", S + "mergeCell")):
            if element.tag == S + "row":
                budget.row()
                number = int(element.get("r") or number + 1)
                row = cells.setdefault(number, {})
                for position, cell in enumerate(element.iter(S + "c")):
                    ref = cell.get("r")
                    column = _column_index(ref) if ref else position
                    row[column] = budget.text(_cell_value(cell, strings))
                _drop(element)
            else:
                merges.append(element.get("ref", ""))
    _fill_merges(cells, merges)
    width = max((max(row) + 1 for row in cells.values() if row), default=0)
    return [[cells[r].get(k, "") for k in range(width)] for r in sorted(cells)]


def _cell_value(cell: Any, strings: list[str]) -> str:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(S + "is")
        return _inline_text(inline) if inline is not None else ""
    value = cell.find(S + "v")
    text = value.text or "" if value is not None else ""
    if kind == "s" and text:
        return strings[int(text)]
    if kind == "b":
        return "是" if text == "1" else "否"
    return text


def _column_index(ref: str) -> int:
    index = 0
    for letter in re.match(r"[A-Z]*", ref.upper()).group():  # type: ignore[union-attr]
        index = index * 26 + ord(letter) - 64
    return index - 1


def _fill_merges(cells: dict[int, dict[int, str]], merges: list[str]) -> None:
    """A block merged over several rows (部门 for a whole team) gives its value to each row it covers;
    a block within one row (a title across the columns) stays in its first cell."""
    for ref in merges:
        match = re.fullmatch(r"([A-Z]+)(\d+):([A-Z]+)(\d+)", ref.upper())
        if not match or match.group(2) == match.group(4):
            continue
        left, top, right, bottom = (_column_index(match.group(1)), int(match.group(2)),
                                    _column_index(match.group(3)), int(match.group(4)))
        value = cells.get(top, {}).get(left, "")
        for r in range(top, min(bottom, max(cells, default=0)) + 1):
            for k in range(left, right + 1):
                if r in cells:
                    cells[r][k] = value
