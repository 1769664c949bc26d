"""The Word table of the rectification list and its appendix: columns fitted to their text, a dense
仿宋 五号 body, a header row repeated on every page, rows kept whole, quotes clipped at a pause."""

import math
import re
import unicodedata
from collections.abc import Iterator

CELL_MARGIN_TWIPS = 57  # 1 mm either side of a cell's text
TABLE_FONT_PT = 10.5  # 五号
TABLE_LINE_PT = 13.5  # exact line height of Word's table text
QUOTE_CHARS = 20
PAUSES = "，。；！？,;!?"
ELLIPSIS = "……"
# Word's short columns, by heading: (lines, at most characters a line) their longest text may take; the
# other columns (问题概述, 典型意见, 整改措施, 意见) share the width left, none narrower than DOCX_MIN_CHARS.
DOCX_FIT = {"序号": (1, 3), "问题类别": (2, 6), "意见条数": (1, 4), "占比": (1, 4), "责任部门": (2, 5),
            "完成时限": (2, 5), "整改状态": (1, 3), "行号": (1, 3), "部门": (2, 6), "主题": (2, 8),
            "新发现": (1, 3), "复核": (2, 3)}
DOCX_MIN_CHARS = 8
CENTRED = {"序号", "意见条数", "占比", "整改状态", "行号", "新发现", "复核"}
HALF_WIDTH = 0.55  # a digit or Latin letter of the CJK fonts, in CJK characters
MM_PER_PT = 25.4 / 72
TWIPS_PER_MM = 1440 / 25.4
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
CELL_SLACK_MM = 0.8  # rounding and the border: a column of n characters fits n, not n - 1


def xml_text(text: str) -> str:
    """The text without the control characters XML cannot hold (Word and openpyxl refuse them)."""
    return _NOT_XML.sub("", text)


def clipped(text: str, limit: int = QUOTE_CHARS) -> str:
    """The text, or its beginning up to its last pause within `limit` characters, and an ellipsis."""
    if len(text) <= limit:
        return text
    head = text[:limit - len(ELLIPSIS)]
    pause = max(head.rfind(mark) for mark in PAUSES)
    return (head[:pause] if pause >= limit // 2 else head) + ELLIPSIS


def text_units(text: str) -> float:
    """Width in CJK characters: a CJK character one, a digit or Latin letter about half."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else HALF_WIDTH for ch in text)


def fitted_widths(columns: tuple[str, ...], rows: list[list[str]], usable_mm: float) -> list[float]:
    """Column widths in mm: a column of DOCX_FIT just wide enough for its longest text on its few lines (its
    heading on at most two); the others share the rest in whole characters the way that makes the rows
    shortest together."""
    char_mm = TABLE_FONT_PT * MM_PER_PT
    padding_mm = 2 * CELL_MARGIN_TWIPS / TWIPS_PER_MM + CELL_SLACK_MM
    chars: dict[int, int] = {}
    for k, name in enumerate(columns):
        if name in DOCX_FIT:
            lines, most = DOCX_FIT[name]
            longest = max((text_units(part) for row in rows for part in row[k].split("\n")), default=0.0)
            chars[k] = min(max(math.ceil(longest / lines), _heading_chars(name)), most)
    flexible = [k for k in range(len(columns)) if k not in chars]
    budget = int((usable_mm - len(columns) * padding_mm) / char_mm) - sum(chars.values())
    fixed = [max((_lines(row[k], chars[k]) for k in chars), default=1) for row in rows]
    split = min(_splits(max(budget, DOCX_MIN_CHARS * len(flexible)), len(flexible)),
                key=lambda share: _cost(rows, fixed, dict(zip(flexible, share, strict=True))))
    chars.update(zip(flexible, split, strict=True))
    rest = (usable_mm - len(columns) * padding_mm - sum(chars.values()) * char_mm) / max(len(flexible), 1)
    return [chars[k] * char_mm + padding_mm + (rest if k in flexible else 0.0) for k in range(len(columns))]


def _splits(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    """Every way to share `total` characters among `parts` columns, none narrower than DOCX_MIN_CHARS."""
    if parts <= 1:
        yield (total,) * parts
        return
    for first in range(DOCX_MIN_CHARS, total - DOCX_MIN_CHARS * (parts - 1) + 1):
        for rest in _splits(total - first, parts - 1):
            yield (first, *rest)


def _cost(rows: list[list[str]], fixed: list[int], chars: dict[int, int]) -> tuple[int, int]:
    """How tall the rows are together, then how many lines their cells take, with these widths."""
    cells = [[_lines(row[k], width) for k, width in chars.items()] for row in rows]
    return (sum(max(lines, *line) for lines, line in zip(fixed, cells, strict=True)),
            sum(map(sum, cells)))


def _heading_chars(heading: str) -> int:
    """Characters a line a heading needs: up to three on one line, a longer one on two."""
    units = text_units(heading)
    return math.ceil(units if units <= 3 else units / 2)


def _lines(value: str, chars: int) -> int:
    return sum(max(1, math.ceil(text_units(part) / chars)) for part in value.split("\n"))


def row_lines(values: list[str], widths_mm: list[float]) -> int:
    """Lines the tallest cell of a row takes in columns of these widths."""
    return max(_lines(value, _chars_a_line(width)) for value, width in zip(values, widths_mm, strict=True))


def _chars_a_line(width_mm: float) -> int:
    """CJK characters a line of a column this wide holds."""
    padding_mm = 2 * CELL_MARGIN_TWIPS / TWIPS_PER_MM
    return max(1, int((width_mm - padding_mm) / (TABLE_FONT_PT * MM_PER_PT)))


def add_table(doc, columns: tuple[str, ...], rows: list[list[str]], width_mm: float,
                height_mm: float) -> None:
    """A grid table of the columns fitted to the text, the header repeated on every page, a row kept on
    one page unless it is taller than a page."""
    from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
    from docx.shared import Mm, Pt

    widths = fitted_widths(columns, rows, width_mm)
    table = doc.add_table(rows=1 + len(rows), cols=len(columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _narrow_cell_margins(table)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    page_lines = int(height_mm / (TABLE_LINE_PT * MM_PER_PT))
    headings = [_two_lines(name, width) for name, width in zip(columns, widths, strict=True)]
    for r, (row, values) in enumerate(zip(table.rows, [headings, *rows], strict=True)):
        if r == 0:
            _repeat_as_header(row)
        if row_lines(values, widths) < page_lines:
            _keep_whole(row)
        for name, cell, value, width in zip(columns, row.cells, values, widths, strict=True):
            cell.width = Mm(width)
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            _fill(cell.paragraphs[0], value, heading=r == 0, centred=r == 0 or name in CENTRED)
        row.height = Pt(TABLE_LINE_PT + 2)  # at least one line; taller as its text needs


def _two_lines(heading: str, width_mm: float) -> str:
    """A heading broken in the middle when its column is narrower than it."""
    if text_units(heading) <= _chars_a_line(width_mm):
        return heading
    half = math.ceil(len(heading) / 2)
    return heading[:half] + "\n" + heading[half:]


def _fill(paragraph, value: str, *, heading: bool, centred: bool) -> None:
    """A cell's text as plain runs, 黑体 in the header and 仿宋 below, on exact lines off the page grid."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    from drafting.gbt9704 import FONT_BODY, FONT_HEADING_1, set_indent_chars, set_run_font

    fmt = paragraph.paragraph_format
    set_indent_chars(fmt, "firstLine", 0)
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(TABLE_LINE_PT)
    fmt.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.LEFT
    off_grid(paragraph)
    lines = xml_text(value).split("\n")
    for j, line in enumerate(lines):
        run = paragraph.add_run(line)
        set_run_font(run, FONT_HEADING_1 if heading else FONT_BODY, TABLE_FONT_PT, bold=False)
        if j < len(lines) - 1:
            run.add_break()


def _narrow_cell_margins(table) -> None:
    """1 mm of padding either side of a cell's text instead of Word's 1.9 mm: more text a line."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    margins = OxmlElement("w:tblCellMar")
    for side in ("left", "right"):
        margin = OxmlElement(f"w:{side}")
        margin.set(qn("w:w"), str(CELL_MARGIN_TWIPS))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)


def off_grid(paragraph) -> None:
    """Table text keeps its own line height instead of snapping to the page's 22-line grid."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    snap = OxmlElement("w:snapToGrid")
    snap.set(qn("w:val"), "0")
    paragraph._p.get_or_add_pPr().insert_element_before(
        snap, "w:spacing", "w:ind", "w:jc", "w:textDirection", "w:outlineLvl", "w:rPr")


def _repeat_as_header(row) -> None:
    """The header row repeats on every page."""
    _row_flag(row, "w:tblHeader")


def _keep_whole(row) -> None:
    """A row is never split across two pages."""
    _row_flag(row, "w:cantSplit")


def _row_flag(row, tag: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    flag = OxmlElement(tag)
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)
