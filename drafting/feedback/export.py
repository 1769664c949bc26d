"""The rectification list (整改清单) of a classify run, as .xlsx, .docx, Markdown and JSON.

One row a theme, largest first, praise left out, 其他 (opinions without a theme) last.
Every text here is already redacted: the rows are built only from a ClassifyResult. Every text stays
inert: a spreadsheet cell that starts like a formula (= + - @, a tab, a carriage return) is written as
text, and Word gets plain runs only, never a field.
"""

import datetime as dt
import io
import json
import math
import unicodedata
from collections import Counter
from typing import TYPE_CHECKING

from pydantic import BaseModel, Field

from drafting.feedback.docx_table import TABLE_FONT_PT, add_table, clipped, off_grid, xml_text
from drafting.feedback.models import OTHER_NAME, PRAISE_ID, AssignedOpinion, ClassifyResult
from drafting.feedback.summarise import measure_for, quote

if TYPE_CHECKING:
    from openpyxl.worksheet.worksheet import Worksheet

TITLE = "群众评议意见整改清单"
SHEET = "整改清单"
COLUMNS = tuple("序号 问题类别 问题概述 意见条数 占比 典型意见 整改措施 责任部门 完成时限 整改状态".split())
WIDTHS = (6, 14, 28, 10, 10, 44, 42, 16, 12, 10)
DOCX_MARGINS_MM = (20, 18, 20, 18)  # top, right, bottom, left: an attachment table, not a 公文 body page
DETAIL_COLUMNS = ("行号", "意见（已脱敏）", "主题", "复核")
FORM_COLUMNS = ("序号", "部门")  # 意见明细 shows them after 行号 when the input was a form
DISCOVERED_COLUMN = "新发现"  # after 主题, when some opinion is in a theme found by clustering
DETAIL_WIDTHS = (8, 70, 20, 12)
DISCOVERED_WIDTH = 8
REVIEW_BELOW = 0.5  # an opinion filed with less confidence than this is marked for a person to check
REVIEW = "需人工复核"
FORM_WIDTHS = (8, 14)
# Word's list shows a row's two most typical opinions, each cut at a pause within QUOTE_CHARS characters;
# every opinion is in the appendix 意见明细.
DOCX_QUOTES = 2
APPENDIX = "附件：意见明细"
STATUSES = ("待整改", "整改中", "已完成")  # 整改状态 the sheet offers; a new list starts at the first
SIGN_OFF = "负责人（签字）：　　　　　　　　填报人："
# OWASP's CSV-injection rule: text starting with one of these is a formula to Excel and WPS.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# xlsx print: points per wrapped line of 11 pt CJK text (LibreOffice's fallback CJK fonts are taller than
# 仿宋) and the padding of a row; a CJK character is about two column-width units, others about one.
LINE_PT = 16.0
ROW_PADDING_PT = 4.0


class ListRow(BaseModel):
    """One row of the rectification list."""

    number: int = Field(description="序号")
    category: str = Field(description="问题类别: the theme's name")
    overview: str = Field(description="问题概述")
    count: int = Field(description="意见条数, duplicates included")
    share: float = Field(description="占比 of all opinions")
    examples: list[str] = Field(description="典型意见: up to three redacted opinions")
    measure: str = Field(description="整改措施")
    department: str = Field(description="责任部门")
    deadline: str = Field("", description="完成时限, when set")
    status: str = Field(STATUSES[0], description="整改状态: 待整改 until someone says more")
    discovered: bool = Field(False, description="A theme found by clustering")

    def cells(self) -> list[str | int]:
        return [self.number, self.category, self.overview, self.count, f"{self.share:.1%}",
                "\n".join(f"{k}. {text}" for k, text in enumerate(self.examples, start=1)),
                self.measure, self.department, self.deadline, self.status]


OTHER_DEADLINE = "1个月内"  # scattered opinions: each answered within a month


def rectification_rows(result: ClassifyResult, praise_id: str = PRAISE_ID) -> list[ListRow]:
    """The list's rows: themes by size without praise, then 其他 when some opinions have no theme."""
    themes = sorted((t for t in result.themes if not t.praise and t.id != praise_id and t.count > 0),
                    key=lambda t: (-t.count, t.id))
    rows = [ListRow(number=k, category=t.name + ("（新发现）" if t.discovered else ""),
                    overview=t.summary or "、".join(t.representatives[:1]), count=t.count, share=t.share,
                    examples=t.representatives[:3], measure=t.measure, department=t.department,
                    deadline=t.deadline, status=t.status or STATUSES[0], discovered=t.discovered)
            for k, t in enumerate(themes, start=1)]
    # flagged lines (injections, formulas) are shown in the detail, never as a row of the list
    unassigned = [a.text for a in result.assignments if a.theme is None and a.flag is None]
    if unassigned:
        measure, department = measure_for("_other", OTHER_NAME, [])
        common = [quote(text) for text, _ in Counter(unassigned).most_common(3)]
        rows.append(ListRow(number=len(rows) + 1, category=OTHER_NAME, overview="未能归入上述类别的零散意见",
                            count=len(unassigned), share=len(unassigned) / max(result.total, 1),
                            examples=common, measure=measure, department=department,
                            deadline=OTHER_DEADLINE))
    return rows


def summary_line(result: ClassifyResult, rows: list[ListRow], praise_id: str = PRAISE_ID) -> str:
    """共收到回答 L 条，拆分出意见 N 条（去重后 M 条），列入整改清单 K 类；另有 P 条为肯定或无意见…；
    F 条内容可疑…；S 行不是意见…。"""
    praise = sum(t.count for t in result.themes if t.praise or t.id == praise_id)
    answers = len({a.line for a in result.assignments})
    line = (f"共收到回答 {answers} 条，拆分出意见 {result.total} 条（去重后 {result.unique} 条），"
            f"列入整改清单 {len(rows)} 类")
    if praise:
        line += f"；另有 {praise} 条为肯定或无意见，不列入整改清单"
    flagged = sum(a.flag is not None for a in result.assignments)
    if flagged:
        line += f"；其中 {flagged} 条内容可疑或以符号开头，未列入整改清单，见意见明细"
    if result.skipped:
        line += f"；标题、日期行、说明、主持人和记录人等 {result.skipped} 行不是意见，未计入"
    return line + "。"


def heading_line(unit: str, date: dt.date | None) -> str:
    """单位：… 日期：2024年1月5日 (today when no date is given)."""
    day = date or dt.date.today()
    when = f"日期：{day.year}年{day.month}月{day.day}日"
    return f"单位：{unit.strip()}　　　　{when}" if unit.strip() else when


def to_json(result: ClassifyResult) -> str:
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2)


def to_markdown(result: ClassifyResult, *, unit: str = "", date: dt.date | None = None) -> str:
    """The list as a Markdown table, with the unit, the date, the counts and the warnings above it."""
    def cell(value: str | int) -> str:
        return str(value).replace("|", "\\|").replace("\n", "<br>")

    rows = rectification_rows(result)
    out = [f"# {TITLE}", "", heading_line(unit, date), "", summary_line(result, rows), ""]
    out.extend(f"> 注意：{w}" for w in result.warnings)
    if result.warnings:
        out.append("")
    out.append("| " + " | ".join(COLUMNS) + " |")
    out.append("|" + "---|" * len(COLUMNS))
    out.extend("| " + " | ".join(cell(c) for c in row.cells()) + " |" for row in rows)
    return "\n".join(out) + "\n"


def display_width(text: str) -> float:
    """Width in spreadsheet column units: a CJK character about two, others about one."""
    return sum(2.1 if unicodedata.east_asian_width(ch) in "WF" else 1.1 for ch in text)


def row_height(values: list[str | int | float], widths: tuple[float, ...]) -> float:
    """Points a wrapped row needs so that none of its cells is cut when printed."""
    lines = 1
    for value, width in zip(values, widths, strict=False):
        text = str(value) if value is not None else ""
        usable = max(width - 1.5, 1.0)
        lines = max(lines, sum(max(1, math.ceil(display_width(part) / usable)) for part in text.split("\n")))
    return lines * LINE_PT + ROW_PADDING_PT


def to_xlsx(result: ClassifyResult, *, unit: str = "", date: dt.date | None = None) -> bytes:
    """Sheet 整改清单 (a title, the unit and date, the totals above a styled, frozen, wrapped table whose rows
    are tall enough to print whole; landscape, one page wide, the header repeated when printed, 整改状态
    chosen from a list) and sheet 意见明细 (every opinion with its theme, and the form's 序号 and 部门)."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.page import PageMargins

    from drafting.gbt9704 import FONT_BODY, FONT_HEADING_1

    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_font = Font(name=FONT_HEADING_1, bold=True, color="FFFFFF")
    body_font = Font(name=FONT_BODY, size=11)
    head_fill = PatternFill("solid", fgColor="9C2A2A")
    wrap = Alignment(wrap_text=True, vertical="top")

    def write(ws, columns, widths, rows, above: list[str]) -> int:
        """The table under the lines `above`; the number of its heading row."""
        for k, line in enumerate(above, start=1):
            ws.append([xml_text(line)])
            ws.merge_cells(start_row=k, start_column=1, end_row=k, end_column=len(columns))
            ws.cell(k, 1).font = Font(name=FONT_HEADING_1, size=16 if k == 1 else 11, bold=k == 1)
            ws.cell(k, 1).alignment = Alignment(horizontal="center" if k == 1 else "left", vertical="center",
                                                wrap_text=k > 1)
            if k > 1:
                ws.row_dimensions[k].height = row_height([line], (sum(widths),))
        head = len(above) + 1
        ws.append(list(columns))
        for row in rows:
            ws.append([xml_text(value) if isinstance(value, str) else value for value in row])
            ws.row_dimensions[ws.max_row].height = row_height(row, widths)
        for k, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(k)].width = width
        for cell in ws[head]:
            cell.font, cell.fill, cell.border = head_font, head_fill, border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for line in ws.iter_rows(min_row=head + 1):
            for cell in line:
                cell.alignment, cell.border, cell.font = wrap, border, body_font
        inert_and_printable(ws, head)
        ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6, header=0.2, footer=0.3)
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        return head

    listed = rectification_rows(result)
    cells = [row.cells() for row in listed]
    # 占比 as a number, shown as a percentage
    rows = [[*values[:4], row.share, *values[5:]] for row, values in zip(listed, cells, strict=True)]
    above = [TITLE, heading_line(unit, date) + "　　　　" + SIGN_OFF, summary_line(result, listed)]
    head = write(sheet, COLUMNS, WIDTHS, rows, above)
    for (cell,) in sheet.iter_rows(min_row=head + 1, min_col=5, max_col=5):
        cell.number_format = "0.0%"
    status = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True)
    sheet.add_data_validation(status)
    column = get_column_letter(COLUMNS.index("整改状态") + 1)
    status.add(f"{column}{head + 1}:{column}{max(head + 1, sheet.max_row)}")
    write(book.create_sheet("意见明细"), *detail_table(result), [])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def detail_table(result: ClassifyResult) -> tuple[tuple[str, ...], tuple[float, ...], list[list[str | int]]]:
    """意见明细's columns, widths and rows: every opinion by its line in the input, with its theme and whether
    it needs a person's check; the form's 序号 and 部门 when the input was a form that has them, 新发现 when
    some theme was discovered."""
    names = {t.id: t.name for t in result.themes}
    found = {t.id for t in result.themes if t.discovered}
    shown = [any(a.number for a in result.assignments), any(a.department for a in result.assignments)]
    discovered = any(a.theme in found for a in result.assignments)
    columns = (DETAIL_COLUMNS[0], *(c for c, on in zip(FORM_COLUMNS, shown, strict=True) if on),
               *DETAIL_COLUMNS[1:3], *((DISCOVERED_COLUMN,) if discovered else ()), DETAIL_COLUMNS[3])
    widths = (DETAIL_WIDTHS[0], *(w for w, on in zip(FORM_WIDTHS, shown, strict=True) if on),
              *DETAIL_WIDTHS[1:3], *((DISCOVERED_WIDTH,) if discovered else ()), DETAIL_WIDTHS[3])
    rows: list[list[str | int]] = [
        [a.source_line or a.line + 1,
         *(value for value, on in zip((a.number, a.department), shown, strict=True) if on), _said(a),
         _theme_cell(a, names),
         *(["是" if a.theme in found else ""] if discovered else []), _review_cell(a)]
        for a in result.assignments]
    return columns, widths, rows


def to_docx(result: ClassifyResult, *, unit: str = "", date: dt.date | None = None) -> bytes:
    """整改清单 as a Word file a secretary signs: landscape, 方正小标宋 title, the unit, the date and the
    totals and room for the signatures, then a dense 仿宋 五号 table (two short typical opinions a row,
    columns fitted to their text, a 黑体 header repeated on every page, rows kept whole), and after a page
    break the appendix 意见明细 with every opinion, as in the spreadsheet."""
    from docx.enum.text import WD_BREAK
    from docx.shared import Mm

    from drafting.gbt9704 import (
        FONT_BODY,
        FONT_HEADING_1,
        STYLE_TITLE,
        add_page_number_footer,
        new_document,
        set_indent_chars,
        set_run_font,
    )

    doc = new_document(landscape=True, title=TITLE)
    section = doc.sections[0]
    section.top_margin, section.right_margin, section.bottom_margin, section.left_margin = (
        Mm(mm) for mm in DOCX_MARGINS_MM)
    section.footer_distance = Mm(DOCX_MARGINS_MM[2] / 2)
    width_mm = (int(section.page_width or 0) - int(section.left_margin or 0)
                - int(section.right_margin or 0)) / Mm(1)
    height_mm = (int(section.page_height or 0) - int(section.top_margin or 0)
                 - int(section.bottom_margin or 0)) / Mm(1)
    doc.add_paragraph(TITLE, style=STYLE_TITLE)
    rows = rectification_rows(result)
    # the signatures go beside the unit and date: at the end they could stand on a page of their own
    for text in (heading_line(unit, date) + "　　　　" + SIGN_OFF, summary_line(result, rows)):
        paragraph = doc.add_paragraph()
        set_indent_chars(paragraph.paragraph_format, "firstLine", 0)
        off_grid(paragraph)
        set_run_font(paragraph.add_run(xml_text(text)), FONT_BODY, TABLE_FONT_PT + 1.5)
    add_page_number_footer(doc)
    short = [row.model_copy(update={"examples": [clipped(text) for text in row.examples[:DOCX_QUOTES]]})
             for row in rows]
    add_table(doc, COLUMNS, [[str(c) for c in row.cells()] for row in short], width_mm, height_mm)
    columns, _, details = detail_table(result)
    appendix = doc.add_paragraph()
    set_indent_chars(appendix.paragraph_format, "firstLine", 0)
    off_grid(appendix)
    appendix.add_run().add_break(WD_BREAK.PAGE)
    set_run_font(appendix.add_run(APPENDIX), FONT_HEADING_1, TABLE_FONT_PT + 1.5)
    add_table(doc, columns, [[str(c) for c in row] for row in details], width_mm, height_mm)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def inert_and_printable(ws: "Worksheet", head: int) -> None:
    """Cells that start like a formula kept as text; the heading row frozen and repeated in print;
    landscape A4, one page wide."""
    for line in ws.iter_rows():
        for cell in line:
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_START):
                cell.data_type, cell.quotePrefix = "s", True  # text, never a formula
    ws.freeze_panes = f"A{head + 1}"
    ws.print_title_rows = f"{head}:{head}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


# What the detail sheet says of a line set aside, in words a secretary reads without a glossary.
FLAG_NAMES = {"injection": "内容可疑（像是给电脑下的指令），未计入，请人工查看",
              "formula": "以“=”“+”等符号开头，未计入，已按原文保存，请人工查看"}
SET_ASIDE = "未计入，请人工查看"


def _said(opinion: AssignedOpinion) -> str:
    """What the detail sheet shows of an opinion: a 同上 / +1 answer as written, marked as the one above."""
    return f"{opinion.written}（同上条）" if opinion.written else opinion.text


def _review_cell(opinion: AssignedOpinion) -> str:
    """复核: 需人工复核 for an opinion in no theme or filed with little confidence; blank otherwise (a flagged
    line says why in its theme cell)."""
    if opinion.flag is not None:
        return ""
    return REVIEW if opinion.theme is None or opinion.score < REVIEW_BELOW else ""


def _theme_cell(opinion: AssignedOpinion, names: dict[str, str]) -> str:
    """What the detail sheet says an opinion was filed under: its theme, 其他, or why it was set aside."""
    if opinion.flag is not None:
        return FLAG_NAMES.get(opinion.flag, SET_ASIDE)
    return names.get(opinion.theme, opinion.theme) if opinion.theme else OTHER_NAME
