"""Reading opinions: pasted text, .txt/.csv, Word and Excel forms, into one answer a line."""

import io
import re
from pathlib import PurePath

from drafting.errors import BadInput


def parse_input(text: str) -> list[str]:
    """Non-blank lines of pasted text, stripped."""
    return [line.strip() for line in text.lstrip("\ufeff").splitlines() if line.strip()]


def read_opinions_file(filename: str, data: bytes) -> list[str]:
    """The answers in an uploaded .txt, .docx or .xlsx file, one an item."""
    suffix = PurePath(filename).suffix.lower()
    if suffix in {".txt", ".md", ".csv", ""}:
        return parse_input(_decode(data))
    if suffix == ".docx":
        return _docx_lines(data)
    if suffix == ".xlsx":
        return _xlsx_lines(data)
    raise BadInput.field("file", f"不支持的文件类型“{suffix}”，请上传 .txt、.docx 或 .xlsx")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise BadInput.field("file", "无法识别文本编码，请另存为 UTF-8")


def _docx_lines(data: bytes) -> list[str]:
    from docx import Document

    try:
        doc = Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises zipfile, KeyError and XML errors alike
        raise BadInput.field("file", f"无法读取 Word 文件：{type(exc).__name__}") from None
    lines = _cell_lines([p.text for p in doc.paragraphs])
    for table in doc.tables:
        rows: list[list[str]] = []
        for row in table.rows:
            seen: set[int] = set()
            cells: list[str] = []
            for cell in row.cells:
                if id(cell._tc) not in seen:  # merged cells repeat the same element
                    seen.add(id(cell._tc))
                    cells.append(cell.text)
            rows.append(cells)
        lines += _answers(rows)
    return lines


def _xlsx_lines(data: bytes) -> list[str]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile, KeyError and XML errors alike
        raise BadInput.field("file", f"无法读取 Excel 文件：{type(exc).__name__}") from None
    lines: list[str] = []
    for sheet in book.worksheets:
        rows = sheet.iter_rows(values_only=True)
        lines += _answers([["" if value is None else str(value) for value in row] for row in rows])
    book.close()
    return lines


def _answers(rows: list[list[str]]) -> list[str]:
    """The answers in a form's table. The heading row is the first with two or more cells filled (title rows
    above it are skipped), if it holds headings; the columns it heads 意见, 建议, 问题… hold the answers,
    unless they hold only short marks (有/无); otherwise the column with the most text does (so 序号, 单位,
    姓名 and 备注 columns are not read as opinions). A table of one column is read whole."""
    width = max((len(row) for row in rows), default=0)
    filled = [k for k, row in enumerate(rows) if sum(bool(cell.strip()) for cell in row) >= 2]
    if width < 2 or not filled:
        return _cell_lines([cell for row in rows for cell in row])
    first = rows[filled[0]]
    # no heading at all: every row is answers
    heading = any(_OPINION_HEADING.fullmatch(c.strip()) or _is_header(c.strip()) for c in first)
    head = filled[0] if heading else -1
    body = rows[head + 1:]
    columns = [[row[k] if k < len(row) else "" for row in body] for k in range(width)]
    headings = rows[head] if head >= 0 else []
    headed = [column for k, column in enumerate(columns)
              if k < len(headings) and _OPINION_HEADING.fullmatch(headings[k].strip())
              and _mean_length(column) >= MIN_ANSWER_CHARS]
    if not headed:
        headed = [max(columns, key=lambda column: sum(len(cell.strip()) for cell in column))]
    return [line for column in headed for line in _cell_lines(column)]


def _mean_length(cells: list[str]) -> float:
    texts = [cell.strip() for cell in cells if cell.strip()]
    return sum(map(len, texts)) / len(texts) if texts else 0.0


def _cell_lines(cells: list[str]) -> list[str]:
    """Non-blank lines of the cells, headings and bare row numbers left out."""
    lines = (line.strip() for cell in cells for line in cell.splitlines())
    return [line for line in lines if line and not _is_header(line)]


# A column heading that names the answers: 意见, 意见建议, 存在的问题, 群众反映的问题, 留言内容, 诉求…
_OPINION_HEADING = re.compile(
    r"[^表]{0,8}(?:意见|建议|问题|留言|诉求|反映|内容)(?:内容|描述|及建议)?")


MIN_ANSWER_CHARS = 3  # a column of 有/无 marks is not one of answers


def _is_header(cell: str) -> bool:
    """Column headings and row numbers of a form, not answers."""
    return bool(re.fullmatch(r"(?:序号|编号|姓名|单位|部门|日期|时间|意见|建议|意见建议|意见和建议|问题|内容|"
                             r"留言|回答|答复|备注|类别)(?:内容)?|\d+", cell))
