"""The rectification list: every export read back (openpyxl, python-docx), praise left out, 其他 last."""

import io
import json

import pytest

from drafting.feedback.export import COLUMNS, rectification_rows, to_docx, to_json, to_markdown, to_xlsx
from drafting.feedback.models import AssignedOpinion, ClassifyResult, DiscoveredTheme, ThemeSummary


@pytest.fixture
def result() -> ClassifyResult:
    themes = [
        ThemeSummary(id="praise", name="肯定与无意见", count=5, share=0.5, representatives=["无"]),
        ThemeSummary(id="service", name="服务群众", count=2, share=0.2,
                     representatives=["食堂太贵", "路灯不亮"],
                     measure="建立群众诉求台账。", department="办公室", summary="为群众办实事。"),
        ThemeSummary(id="停车、车位", name="停车、车位", count=3, share=0.3, discovered=True,
                     representatives=["停车难", "车位少"], measure="增加车位。",
                     summary="主要反映停车问题的意见。"),
    ]
    assignments = ([AssignedOpinion(line=k, text="无", theme="praise", score=1.0) for k in range(5)]
                   + [AssignedOpinion(line=5, text="食堂太贵", theme="service", score=0.8),
                      AssignedOpinion(line=6, text="路灯不亮", theme="service", score=0.7),
                      AssignedOpinion(line=7, text="停车难", theme="停车、车位", score=0.9),
                      AssignedOpinion(line=8, text="车位少", theme="停车、车位", score=0.9),
                      AssignedOpinion(line=8, text="停车收费贵", theme="停车、车位", score=0.9),
                      AssignedOpinion(line=9, text="我是张**，一件零散的事", theme=None, score=0.3)])
    return ClassifyResult(total=11, unique=8, themes=themes, assignments=assignments, engine="embedded",
                          discovered=[DiscoveredTheme(label="停车、车位", keywords=["停车", "车位"],
                                                      lines=[7, 8])],
                          warnings=["有 1 条意见（9.1%）未能归入任何主题，列为“其他”"])


def test_rows_largest_first_without_praise_and_other_last(result):
    rows = rectification_rows(result)
    assert [r.category for r in rows] == ["停车、车位（新发现）", "服务群众", "其他"]
    assert [r.count for r in rows] == [3, 2, 1]
    assert rows[1].overview == "为群众办实事。" and rows[1].department == "办公室"
    assert rows[2].examples == ["我是张**，一件零散的事"] and rows[2].measure


def test_xlsx_reads_back(result):
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(to_xlsx(result)))
    sheet = book["整改清单"]
    assert sheet["A1"].value == "群众评议意见整改清单" and sheet["A1"].font.bold
    answers = len({a.line for a in result.assignments})
    totals = f"共收到 {answers} 份回答、意见 {result.total} 条（去重后 {result.unique} 条）"
    assert sheet["A2"].value.startswith(totals)
    assert [c.value for c in sheet[3]] == list(COLUMNS)
    assert sheet.freeze_panes == "A4" and sheet.print_title_rows == "$3:$3"
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet["B4"].value == "停车、车位（新发现）"
    assert sheet["D4"].value == 3 and sheet["E4"].value == 0.3 and sheet["E4"].number_format == "0.0%"
    assert sheet["F5"].value == "1. 食堂太贵\n2. 路灯不亮" and sheet["F5"].alignment.wrap_text
    assert sheet["F5"].font.name == "仿宋_GB2312" and sheet["A3"].font.bold
    assert sheet.column_dimensions["F"].width > 20
    assert sheet.max_row == 6
    detail = book["意见明细"]
    assert detail.max_row == 1 + len(result.assignments)
    assert [c.value for c in detail[12]] == [10, "我是张**，一件零散的事", "其他", None, 0.3]


def test_docx_reads_back_in_gbt9704_fonts(result):
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.oxml.ns import qn

    doc = Document(io.BytesIO(to_docx(result)))
    assert doc.paragraphs[0].text == "群众评议意见整改清单"
    assert doc.paragraphs[1].text.startswith("共收到 ")
    assert doc.sections[0].orientation == WD_ORIENT.LANDSCAPE
    assert "PAGE" in doc.sections[0].footer._element.xml  # page numbers
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == list(COLUMNS)
    assert [row.cells[1].text for row in table.rows[1:]] == ["停车、车位（新发现）", "服务群众", "其他"]
    run = table.rows[1].cells[5].paragraphs[0].runs[0]
    assert run.element.rPr.rFonts.get(qn("w:eastAsia")) == "仿宋_GB2312"
    head = table.rows[0].cells[0].paragraphs[0].runs[0]
    assert head.element.rPr.rFonts.get(qn("w:eastAsia")) == "黑体"
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)  # rows kept whole


def test_markdown_and_json(result):
    md = to_markdown(result)
    assert "| 序号 | 问题类别 |" in md and "停车、车位（新发现）" in md and "另有 5 条为肯定或无意见" in md
    assert md.index("停车、车位") < md.index("服务群众") < md.index("| 3 | 其他")
    data = json.loads(to_json(result))
    assert ClassifyResult.model_validate(data) == result
    assert "\\u" not in to_json(result)


def test_a_taxonomy_praise_id_is_left_out(result):
    renamed = result.model_copy(deep=True)
    renamed.themes[0] = renamed.themes[0].model_copy(update={"id": "ok", "praise": True})
    assert "肯定与无意见" not in [r.category for r in rectification_rows(renamed)]


def test_cli_writes_xlsx_and_docx_without_personal_data(embedder, tmp_path):
    from click.testing import CliRunner
    from docx import Document
    from openpyxl import load_workbook

    from drafting.cli import app

    source = tmp_path / "in.txt"
    source.write_text("我是张晓明，电话13812345678，食堂饭菜太贵\n食堂饭菜价格太高\n宿舍漏水没人修\n"
                      "宿舍屋顶漏水\n无\n", encoding="utf-8")
    for fmt in ("xlsx", "docx"):
        out = tmp_path / f"list.{fmt}"
        done = CliRunner().invoke(app, ["classify", str(source), "--taxonomy", "none", "--format", fmt,
                                        "-o", str(out)])
        assert done.exit_code == 0, done.output
        if fmt == "xlsx":
            book = load_workbook(out)
            cells = " ".join(str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row)
        else:
            doc = Document(str(out))
            cells = " ".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
        assert "张晓明" not in cells and "13812345678" not in cells
        assert "138****5678" in cells


def test_every_default_theme_has_a_measure_template():
    from drafting.feedback.summarise import measure_for
    from drafting.feedback.taxonomy import load_taxonomy

    for theme in load_taxonomy(None).themes:
        measure, department = measure_for(theme.id, theme.name, [])
        if theme.id != "praise":
            assert measure and department and "针对群众反映的" not in measure, theme.id
    measure, department = measure_for("新主题", "停车、车位", ["停车", "车位"])
    assert "停车、车位" in measure and department == ""
