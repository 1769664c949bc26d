"""A round's ledger (整改台账) as .xlsx and .docx, in the published templates' layout.

The whole ledger first, then the round's three lists (新增问题 / 推进落实 / 已办结销号) under the report
sentence, and, when the unit has an earlier round, the opinions per theme in both rounds. Every cell is
text or a number the ledger holds: a text that Excel or WPS would read as a formula is stored as text.
"""

import io
from datetime import date

from drafting.feedback.docx_table import xml_text
from drafting.feedback.export import inert_and_printable
from drafting.feedback.ledger import ORIGIN_NAMES, Ledger, LedgerRow, RoundComparison, report

COLUMNS = ("序号", "来源", "问题类别", "问题描述", "整改类型", "整改措施", "责任领导", "责任部门", "责任人",
           "计划完成时限", "实际完成时间", "整改状态", "复查人", "复查日期", "销号情况/备注")
WIDTHS = (6, 18, 12, 30, 10, 30, 10, 12, 10, 12, 12, 10, 10, 12, 20)
COMPARE_COLUMNS = ("问题类别", "上轮意见数", "本轮意见数", "变化", "上轮已销号", "销号后未下降", "销号后复发")
COMPARE_WIDTHS = (20, 12, 12, 10, 12, 14, 12)
LISTS = ("新增问题", "推进落实", "已办结销号")
TABLE_FONT_PT = 9.0  # 小五: fifteen columns across a landscape page


def chinese_date(day: date | None) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else ""


def title(ledger: Ledger) -> str:
    return f"{ledger.unit}群众评议问题整改台账（{ledger.label}）"


def cells(row: LedgerRow) -> list[str | int]:
    source = row.source + ("" if row.origin == "new" else f"（{ORIGIN_NAMES[row.origin]}）")
    return [row.number, source, row.category, row.description, row.kind, row.measure, row.leader,
            row.department, row.owner, chinese_date(row.deadline), chinese_date(row.finished), row.state,
            row.reviewer, chinese_date(row.reviewed), row.note]


def compare_cells(comparison: RoundComparison) -> list[list[str | int]]:
    def mark(flag: bool) -> str:
        return "是" if flag else ""

    return [[t.name, t.before, t.after, f"{t.change:+d}", mark(t.closed_before), mark(t.not_falling),
             mark(t.came_back)] for t in comparison.themes]


def sections(ledger: Ledger) -> list[tuple[str, list[LedgerRow]]]:
    lists = report(ledger)
    return list(zip(LISTS, (lists.new, lists.ongoing, lists.closed), strict=True))


def to_xlsx(ledger: Ledger, comparison: RoundComparison | None = None) -> bytes:
    """Sheet 整改台账 (every row), one sheet a list, and 轮次对比 when there is an earlier round."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from drafting.gbt9704 import FONT_BODY, FONT_HEADING_1

    book = Workbook()
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)

    def sheet(name: str, columns: tuple[str, ...], widths: tuple[int, ...], rows: list[list[str | int]],
              above: list[str]) -> None:
        ws = book.create_sheet(name)
        for k, line in enumerate(above, start=1):
            ws.append([xml_text(line)])
            ws.merge_cells(start_row=k, start_column=1, end_row=k, end_column=len(columns))
            ws.cell(k, 1).font = Font(name=FONT_HEADING_1, size=16 if k == 1 else 11, bold=k == 1)
        head = len(above) + 1
        ws.append(list(columns))
        for row in rows:
            ws.append([xml_text(v) if isinstance(v, str) else v for v in row])
        for k, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(k)].width = width
        for cell in ws[head]:
            cell.font = Font(name=FONT_HEADING_1, bold=True, color="FFFFFF")
            cell.fill, cell.border = PatternFill("solid", fgColor="9C2A2A"), border
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        for line in ws.iter_rows(min_row=head + 1):
            for cell in line:
                cell.font, cell.border = Font(name=FONT_BODY, size=11), border
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        inert_and_printable(ws, head)

    book.remove(book.active)
    sentence = report(ledger).sentence
    sheet("整改台账", COLUMNS, WIDTHS, [cells(r) for r in ledger.rows], [title(ledger), sentence])
    for name, rows in sections(ledger):
        sheet(name, COLUMNS, WIDTHS, [cells(r) for r in rows], [f"{name}（{len(rows)}项）"])
    if comparison is not None and comparison.previous_run is not None:
        above = f"各类问题意见数：{comparison.previous_label or '上一轮'}与{ledger.label}"
        sheet("轮次对比", COMPARE_COLUMNS, COMPARE_WIDTHS, compare_cells(comparison), [above])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_docx(ledger: Ledger, comparison: RoundComparison | None = None) -> bytes:
    """GB/T 9704 landscape: the title, the report sentence, the three lists as tables, the comparison."""
    from docx.enum.table import WD_TABLE_ALIGNMENT

    from drafting.gbt9704 import FONT_BODY, FONT_HEADING_1, STYLE_TITLE, new_document, set_run_font

    doc = new_document(landscape=True, title=title(ledger)[:200])
    doc.add_paragraph(title(ledger), style=STYLE_TITLE)
    set_run_font(doc.add_paragraph().add_run(report(ledger).sentence), FONT_BODY, TABLE_FONT_PT + 3)

    def table(columns: tuple[str, ...], rows: list[list[str | int]]) -> None:
        grid = doc.add_table(rows=1 + len(rows), cols=len(columns))
        grid.style = "Table Grid"
        grid.alignment = WD_TABLE_ALIGNMENT.CENTER
        lines: list[list[str | int]] = [list(columns), *rows]
        for r, values in enumerate(lines):
            for k, value in enumerate(values):
                paragraph = grid.cell(r, k).paragraphs[0]
                set_run_font(paragraph.add_run(xml_text(str(value))), FONT_HEADING_1 if r == 0 else FONT_BODY,
                             TABLE_FONT_PT)

    numerals = "一二三四"
    for k, (name, rows) in enumerate(sections(ledger)):
        heading = doc.add_paragraph()
        set_run_font(heading.add_run(f"{numerals[k]}、{name}（{len(rows)}项）"), FONT_HEADING_1,
                     TABLE_FONT_PT + 3)
        if rows:
            table(COLUMNS, [cells(r) for r in rows])
    if comparison is not None and comparison.previous_run is not None:
        heading = doc.add_paragraph()
        set_run_font(heading.add_run(f"四、各类问题意见数变化（{comparison.previous_label or '上一轮'}与"
                                     f"{ledger.label}）"), FONT_HEADING_1, TABLE_FONT_PT + 3)
        table(COMPARE_COLUMNS, compare_cells(comparison))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
