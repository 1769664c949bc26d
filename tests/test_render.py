"""render.py and gbt9704.py: Markdown and JSON shapes, and the Word file read back with python-docx."""

import io
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from drafting import gbt9704
from drafting.writer.models import Draft, Section, Source, Verification
from drafting.writer.render import classify, title_lines, to_docx, to_json, to_markdown

GAP = "〔待补充：参评群众人数〕"
UNIT = "中共某某县农业农村局党组"
DATE = "二〇二四年六月二十八日"


def make_draft(**changes) -> Draft:
    """A summary with an opening, 一级 and 二级 headings, a run-in 二级 heading and a gap."""
    fields = dict(
        title="中共某某县农业农村局党组2024年群众评议工作总结",
        text="",
        markdown="",
        sections=[
            Section(heading="", items=["按照县委组织部统一部署，我局开展了群众评议工作。现将情况总结如下。"]),
            Section(heading="一、采取四项措施，找准群众评议工作风向标", items=[
                "一是准备工作求细。局党组召开专题会议研究部署，制定实施方案。",
                "（一）坚持问题导向",
                "二是宣传发动求广。共发放征求意见表126份，收回118份。",
                "（二）注重结果运用。对评议中发现的问题逐条梳理，建立整改清单。",
            ]),
            Section(heading="二、群众评议工作的主要特点", items=[f"一是覆盖面广。参评群众{GAP}人。"]),
            Section(heading="存在的问题", items=["1. 服务意识不强。"]),
        ],
        verification=Verification(ok=False, missing_facts=["参评群众人数"]),
        sources=[Source(id="c1", title="往年总结", score=0.82)],
        engine="template",
        warnings=["缺少参评群众人数"],
        unit=UNIT,
        date_text=DATE,
    )
    fields.update(changes)
    return Draft(**fields)


@pytest.fixture(scope="module")
def docx_bytes() -> bytes:
    return to_docx(make_draft())


@pytest.fixture()
def doc(docx_bytes):
    return Document(io.BytesIO(docx_bytes))


def fonts_of(element) -> dict[str, str | None]:
    rfonts = element.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
    assert rfonts is not None
    return {slot: rfonts.get(qn(f"w:{slot}")) for slot in ("ascii", "hAnsi", "eastAsia", "cs")}


def assert_run_font(run, family: str, size_pt: float) -> None:
    assert fonts_of(run._element) == dict.fromkeys(("ascii", "hAnsi", "eastAsia", "cs"), family)
    assert run.font.size == Pt(size_pt)


def paragraph(doc, text: str):
    matches = [p for p in doc.paragraphs if p.text == text]
    assert len(matches) == 1, text
    return matches[0]


# Markdown and JSON

def test_markdown_has_title_headings_paragraphs_and_closing_lines():
    md = to_markdown(make_draft())
    blocks = md.strip().split("\n\n")
    assert blocks[0] == "# 中共某某县农业农村局党组2024年群众评议工作总结"
    assert blocks[1].startswith("按照县委组织部")
    assert "## 一、采取四项措施，找准群众评议工作风向标" in blocks
    assert "### （一）坚持问题导向" in blocks
    assert "（二）注重结果运用。对评议中发现的问题逐条梳理，建立整改清单。" in blocks
    assert "## 存在的问题" in blocks
    assert blocks[-2:] == [UNIT, DATE]


def test_markdown_keeps_gaps_and_escapes_list_like_paragraphs():
    md = to_markdown(make_draft())
    assert GAP in md
    assert "1\\. 服务意识不强。" in md
    assert "\n1. " not in md


def test_markdown_without_signature_ends_with_the_body():
    md = to_markdown(make_draft(unit="", date_text=""))
    assert md.rstrip().endswith("1\\. 服务意识不强。")


def test_json_is_the_draft_model_the_api_record_extends_in_readable_chinese():
    from drafting.web.routes_drafts import DraftRecord
    from drafting.writer.models import Draft

    out = to_json(make_draft(markdown="# 已有"))
    data = json.loads(out)
    assert set(data) == set(Draft.model_fields)
    assert Draft.model_validate(data) == make_draft(markdown="# 已有")
    assert set(Draft.model_fields) <= set(DraftRecord.model_fields) and issubclass(DraftRecord, Draft)
    assert data["markdown"] == "# 已有"
    assert data["verification"] == {"ok": False, "missing_facts": ["参评群众人数"], "unsupported_numbers": []}
    assert data["sources"] == [{"id": "c1", "title": "往年总结", "score": 0.82, "text": "", "shaped": []}]
    assert data["sections"][1]["heading"].startswith("一、")
    assert "群众评议" in out and "\\u" not in out


def test_json_fills_an_empty_markdown_from_the_draft():
    data = json.loads(to_json(make_draft()))
    assert data["markdown"] == to_markdown(make_draft())


@pytest.mark.parametrize(("text", "level", "heading"), [
    ("一、采取四项措施", 1, "一、采取四项措施"),
    ("十二、其他", 1, "十二、其他"),
    ("（三）坚持问题导向", 2, "（三）坚持问题导向"),
    ("（二）注重结果运用。对问题逐条梳理。", 2, "（二）注重结果运用。"),
    ("一是准备工作求细。局党组召开会议。", 0, ""),
    ("2024年5月，我局开展评议。", 0, ""),
])
def test_classify_tells_heading_levels_apart(text, level, heading):
    line = classify(text)
    assert line.level == level
    assert line.text[: line.heading_end] == heading


def test_long_titles_break_at_a_sense_boundary():
    assert title_lines("中共某某县农业农村局党组2024年群众评议工作总结") == [
        "中共某某县农业农村局党组", "2024年群众评议工作总结"]
    assert title_lines("某局群众评议工作总结") == ["某局群众评议工作总结"]
    assert title_lines("第一行\n第二行") == ["第一行", "第二行"]


# The Word file

def test_page_is_a4_portrait_with_the_standard_margins(doc):
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert (section.page_width.twips, section.page_height.twips) == (Mm(210).twips, Mm(297).twips)
    for side, mm in (("top", 37), ("bottom", 35), ("left", 28), ("right", 26)):
        assert getattr(section, f"{side}_margin").twips == Mm(mm).twips, side


def test_grid_fits_22_lines_and_spacing_28_characters(doc):
    section = doc.sections[0]
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines" and grid.get(qn("w:charSpace")) is None
    pitch = int(grid.get(qn("w:linePitch")))
    height = section.page_height.twips - section.top_margin.twips - section.bottom_margin.twips
    assert 22 * pitch <= height < 23 * pitch
    assert pitch == 579  # 28.95 pt
    tracking = doc.styles["Normal"].element.rPr.find(qn("w:spacing"))
    char_pitch = 16 + int(tracking.get(qn("w:val"))) / 20
    width_pt = (section.page_width.twips - section.left_margin.twips - section.right_margin.twips) / 20
    assert 28 * char_pitch <= width_pt < 29 * char_pitch
    assert doc.styles["Normal"].element.pPr.find(qn("w:overflowPunct")).get(qn("w:val")) == "0"


def test_fallback_fonts_are_declared_for_machines_without_the_gb_fonts(docx_bytes):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as archive:
        table = archive.read("word/fontTable.xml").decode("utf-8")
    for name, stand_in in (("仿宋_GB2312", "Noto Serif CJK SC"), ("方正小标宋简体", "Noto Serif CJK SC"),
                           ("黑体", "Noto Sans CJK SC")):
        assert re.search(rf'w:name="{name}">\s*<w:altName w:val="{stand_in}"', table), name


def test_normal_style_and_document_defaults_are_the_body_font(doc):
    normal = doc.styles["Normal"]
    assert fonts_of(normal.element) == dict.fromkeys(("ascii", "hAnsi", "eastAsia", "cs"), "仿宋_GB2312")
    assert normal.font.size == Pt(16)
    fmt = normal.paragraph_format
    assert fmt.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert fmt.line_spacing == Pt(28.95)
    assert fmt.first_line_indent == Pt(32)
    assert fmt.element.pPr.ind.get(qn("w:firstLineChars")) == "200"
    defaults = doc.styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}")
    assert fonts_of(defaults)["eastAsia"] == "仿宋_GB2312"
    assert defaults.find(f"{qn('w:rPr')}/{qn('w:rFonts')}").get(qn("w:eastAsiaTheme")) is None


def test_title_is_centred_in_the_title_font(doc):
    title = doc.paragraphs[0]
    assert title.text == "中共某某县农业农村局党组\n2024年群众评议工作总结"
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert title.style.name == gbt9704.STYLE_TITLE
    for run in title.runs:
        assert_run_font(run, "方正小标宋简体", 22)
    assert doc.paragraphs[1].text == ""


def test_headings_use_hei_and_kai(doc):
    first = paragraph(doc, "一、采取四项措施，找准群众评议工作风向标")
    assert first.style.name == gbt9704.STYLE_HEADING_1
    assert_run_font(first.runs[0], "黑体", 16)
    assert_run_font(paragraph(doc, "存在的问题").runs[0], "黑体", 16)
    second = paragraph(doc, "（一）坚持问题导向")
    assert second.style.name == gbt9704.STYLE_HEADING_2
    assert_run_font(second.runs[0], "楷体_GB2312", 16)


def test_run_in_heading_is_kai_then_fangsong(doc):
    mixed = paragraph(doc, "（二）注重结果运用。对评议中发现的问题逐条梳理，建立整改清单。")
    assert [run.text for run in mixed.runs] == [
        "（二）注重结果运用。", "对评议中发现的问题逐条梳理，建立整改清单。"]
    assert_run_font(mixed.runs[0], "楷体_GB2312", 16)
    assert_run_font(mixed.runs[1], "仿宋_GB2312", 16)


def test_every_run_names_all_four_font_slots(doc):
    runs = [run for p in doc.paragraphs for run in p.runs]
    assert len(runs) > 10
    for run in runs:
        assert None not in fonts_of(run._element).values(), run.text
    body = paragraph(doc, f"一是覆盖面广。参评群众{GAP}人。")
    assert_run_font(body.runs[0], "仿宋_GB2312", 16)


def test_signature_is_centred_above_the_date_four_characters_from_the_right(doc):
    signature, date = doc.paragraphs[-2], doc.paragraphs[-1]
    assert (signature.text, date.text) == (UNIT, DATE)
    assert signature.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date.paragraph_format.right_indent == Pt(64)
    assert date.paragraph_format.element.pPr.ind.get(qn("w:rightChars")) == "400"
    # Date 11 characters, signature 12: centred on the date, the signature starts half a character left.
    assert signature.paragraph_format.right_indent == Pt(56)
    assert [p.text for p in doc.paragraphs[-4:-2]] == ["", ""]
    assert doc.paragraphs[-5].paragraph_format.keep_with_next is True


def test_no_closing_lines_without_unit_and_date():
    doc = Document(io.BytesIO(to_docx(make_draft(unit="", date_text=""))))
    assert doc.paragraphs[-1].text == "1. 服务意识不强。"


def test_long_signature_is_not_pushed_past_the_right_edge():
    draft = make_draft(unit="中共某某省某某市某某县农业农村局机关委员会党组", date_text="2024年6月28日")
    doc = Document(io.BytesIO(to_docx(draft)))
    assert doc.paragraphs[-2].paragraph_format.right_indent == Pt(0)


def _footer_xml(footer) -> str:
    return footer._element.xml


def test_footer_has_page_field_between_em_dashes_odd_right_even_left(doc):
    section = doc.sections[0]
    assert doc.settings.odd_and_even_pages_header_footer is True
    for footer, alignment in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
                              (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        number = footer.paragraphs[0]
        assert number.alignment == alignment
        assert number.text.startswith("— ") and number.text.endswith(" —")
        instructions = [el.text for el in footer._element.iter(qn("w:instrText"))]
        assert [text.strip() for text in instructions] == ["PAGE"]
        kinds = [el.get(qn("w:fldCharType")) for el in footer._element.iter(qn("w:fldChar"))]
        assert kinds == ["begin", "separate", "end"]
        for run in number.runs:
            assert_run_font(run, "宋体", 14)


def test_item_with_line_breaks_becomes_separate_paragraphs():
    draft = make_draft(sections=[Section(heading="一、主要做法", items=["第一段。\n\n第二段。"])])
    doc = Document(io.BytesIO(to_docx(draft)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[texts.index("一、主要做法") + 1: texts.index("一、主要做法") + 3] == ["第一段。", "第二段。"]
    assert "第一段。\n\n第二段。" in to_markdown(draft)


def test_control_characters_from_pasted_text_do_not_break_the_file():
    draft = make_draft(title="群众评议\x00工作总结", unit="某局\x1b",
                       sections=[Section(heading="一、做法\x08", items=["第一段\x0b第二段\ufffe。"])])
    doc = Document(io.BytesIO(to_docx(draft)))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "群众评议工作总结"
    assert ["一、做法", "第一段", "第二段。"] == texts[2:5]
    assert texts[-2] == "某局"
    assert "\x00" not in to_markdown(draft)


def test_file_properties_name_the_draft_not_the_library(doc):
    props = doc.core_properties
    assert props.title == "中共某某县农业农村局党组2024年群众评议工作总结"
    assert props.author == UNIT
    assert "python-docx" not in (props.comments + props.author)
    assert props.created.year >= 2024


def test_landscape_document_swaps_the_page():
    doc = gbt9704.new_document(landscape=True)
    section = doc.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE
    assert section.page_width.twips == Mm(297).twips and section.page_height.twips == Mm(210).twips
    assert section._sectPr.find(qn("w:docGrid")).get(qn("w:type")) == "lines"


def test_set_run_font_replaces_earlier_settings():
    doc = gbt9704.new_document()
    run = doc.add_paragraph().add_run("评议")
    gbt9704.set_run_font(run, "黑体", 16, bold=True)
    gbt9704.set_run_font(run, "楷体_GB2312", 14)
    assert_run_font(run, "楷体_GB2312", 14)
    assert run.font.bold is False
    rpr = run._element.rPr
    assert [child.tag for child in rpr].count(qn("w:sz")) == 1
    assert rpr.find(qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


# Word refuses a file whose property elements are out of schema order (ECMA-376 CT_PPr, CT_RPr, CT_SectPr).
SCHEMA_ORDER = {
    "pPr": """pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr suppressLineNumbers pBdr
        shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE autoSpaceDN bidi
        adjustRightInd snapToGrid spacing ind contextualSpacing mirrorIndents suppressOverlap jc textDirection
        textAlignment textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange""".split(),
    "rPr": """rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof
        snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd fitText
        vertAlign rtl cs em lang eastAsianLayout specVanish oMath""".split(),
    "sectPr": """footerReference footnotePr endnotePr type pgSz pgMar paperSrc pgBorders lnNumType pgNumType
        cols formProt vAlign noEndnote titlePg textDirection bidi rtlGutter docGrid printerSettings
        sectPrChange""".split(),
}


def test_property_elements_are_in_schema_order(docx_bytes):
    with zipfile.ZipFile(io.BytesIO(docx_bytes)) as package:
        parts = {name: etree.fromstring(package.read(name)) for name in package.namelist()
                 if name.startswith("word/") and name.endswith(".xml")}
    checked = 0
    for name, root in parts.items():
        for tag, order in SCHEMA_ORDER.items():
            for element in root.iter(qn(f"w:{tag}")):
                # header and footer references share the first place
                kids = [etree.QName(child).localname.replace("headerReference", "footerReference")
                        for child in element]
                assert all(kid in order for kid in kids), (name, kids)
                positions = [order.index(kid) for kid in kids]
                assert positions == sorted(positions), (name, tag, kids)
                checked += 1
    assert checked > 50


# LibreOffice lays the file out (about 3 s), exactly as shipped.

Word = tuple[str, float, float, float, float]
# 12 paragraphs of 168 characters (7 lines each at 28 a line), heading, title and closing on 22 lines a page.
LIBREOFFICE_PAGES = 5
ARTIFACTS = Path(__file__).parent / "artifacts"


def _pdf_words(docx: bytes, folder, png: str = "") -> list[list[Word]]:
    source = folder / "draft.docx"
    source.write_bytes(docx)
    subprocess.run(["libreoffice", f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), str(source)],
                   check=True, capture_output=True, timeout=120)
    if png:
        ARTIFACTS.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile",
                        str(folder / "draft.pdf"), str(ARTIFACTS / png.removesuffix(".png"))],
                       check=True, timeout=60)
    html = subprocess.run(["pdftotext", "-bbox", str(folder / "draft.pdf"), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout
    pages = []
    for page in html.split("<page ")[1:]:
        assert re.match(r'width="595\.\d+" height="841\.\d+"', page), "not A4"
        found = re.findall(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<', page)
        pages.append([(text, float(x0), float(y0), float(x1), float(y1)) for x0, y0, x1, y1, text in found])
    return pages


@pytest.mark.slow
def test_libreoffice_lays_out_the_page_as_the_standard_says(tmp_path):
    paragraph = "坚持问题导向，推动整改落实。" * 12
    long_draft = make_draft(sections=[Section(heading="一、主要做法", items=[paragraph] * 12)])
    pages = _pdf_words(to_docx(long_draft), tmp_path, png="libreoffice-page1.png")
    layout = subprocess.run(["pdftotext", "-layout", str(tmp_path / "draft.pdf"), "-"], check=True,
                            capture_output=True, text=True, timeout=60).stdout
    body_lines = [re.sub(r"\s", "", line) for line in layout.splitlines() if "坚持" in line or "推动" in line]
    widths = [len(line) for line in body_lines]
    assert max(widths) == 28 and widths.count(28) >= len(widths) * 0.8, widths
    assert len(pages) == LIBREOFFICE_PAGES
    assert (ARTIFACTS / "libreoffice-page1.png").stat().st_size > 10_000
    mm = 72 / 25.4
    left, right, type_bottom = 28 * mm, (210 - 26) * mm, (297 - 35) * mm
    assert len(pages) >= 2
    for number, words in enumerate(pages, start=1):
        dashes = [w for w in words if w[0] == "—"]
        assert len(dashes) == 2, number
        if number % 2:
            assert dashes[1][3] == pytest.approx(right - 14, abs=2)
        else:
            assert dashes[0][1] == pytest.approx(left + 14, abs=2)
        assert (dashes[0][2] + dashes[0][4]) / 2 == pytest.approx(type_bottom + 7 * mm, abs=3)
    rows = {round(w[2]) for w in pages[1] if w[4] < type_bottom}
    assert len(rows) == 22
    title = [w for w in pages[0] if w[0] == "中共某某县农业农村局党组"][0]
    assert (title[1] + title[3]) / 2 == pytest.approx((left + right) / 2, abs=3)
    date = [w for w in pages[-1] if w[0] == DATE][0]
    signature = [w for w in pages[-1] if w[0] == UNIT][0]
    assert date[3] == pytest.approx(right - 64, abs=3)
    assert (signature[1] + signature[3]) / 2 == pytest.approx((date[1] + date[3]) / 2, abs=3)


@pytest.mark.slow
def test_a_held_out_draft_as_shipped_sets_28_characters_a_line_and_its_title_at_word_breaks(tmp_path):
    from drafting.writer.facts import load_facts
    from drafting.writer.models import Exemplars
    from drafting.writer.template_engine import TemplateEngine

    facts = load_facts(Path(__file__).parent / "data" / "facts_heldout" / "county_hospital.json")
    draft = TemplateEngine().write(facts, Exemplars())
    pages = _pdf_words(to_docx(draft), tmp_path, png="libreoffice-heldout-page1.png")
    layout = subprocess.run(["pdftotext", "-layout", str(tmp_path / "draft.pdf"), "-"], check=True,
                            capture_output=True, text=True, timeout=60).stdout
    lines = [re.sub(r"\s", "", line) for line in layout.splitlines()]
    assert lines[0] == "云岭县人民医院党委" and lines[1] == "党纪学习教育群众评议工作总结"
    # lines with half-width digits are narrower per character; those of Chinese alone count 28 when full
    widths = [len(line) for line in lines if line and not re.search(r"[\x00-\x7f]", line)]
    assert max(widths) == 28 and widths.count(28) >= 10, widths
    assert len(pages) == HELD_OUT_PAGES
    assert (ARTIFACTS / "libreoffice-heldout-page1.png").stat().st_size > 10_000


HELD_OUT_PAGES = 4  # measured: the county hospital's template draft, 1,600 characters
