"""GB/T 9704-2012 (党政机关公文格式) for Word files: page setup, fonts, styles and page numbers.

Shared by the summary renderer (render.py) and the rectification-list export.
"""

import math
from datetime import UTC, datetime
from typing import Literal

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, Twips
from docx.styles.style import ParagraphStyle
from docx.text.paragraph import Paragraph
from docx.text.run import Run
from lxml import etree

PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
MARGIN_TOP_MM = 37
MARGIN_BOTTOM_MM = 35
MARGIN_LEFT_MM = 28
MARGIN_RIGHT_MM = 26
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
# Puts the em dashes of the page number 7 mm below the type area (measured in the LibreOffice PDF).
FOOTER_DISTANCE_MM = 24.5

TITLE_SIZE_PT = 22.0  # 二号
BODY_SIZE_PT = 16.0  # 三号
PAGE_NUMBER_SIZE_PT = 14.0  # 四号

FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_HEADING_1 = "黑体"
FONT_HEADING_2 = "楷体_GB2312"
FONT_PAGE_NUMBER = "宋体"

FIRST_LINE_INDENT_CHARS = 2
DATE_RIGHT_INDENT_CHARS = 4

STYLE_TITLE = "GB Title"
STYLE_HEADING_1 = "GB Heading 1"
STYLE_HEADING_2 = "GB Heading 2"
STYLE_SIGNATURE = "GB Signature"
STYLE_DATE = "GB Date"
STYLE_PAGE_NUMBER = "GB Page Number"

_TWIPS_PER_PT = 20
_FONT_SLOTS = ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs")
_THEME_SLOTS = ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme")


def _twips(mm: float) -> int:
    """Millimetres to whole twips, as Word stores page measures."""
    return Mm(mm).twips


def line_pitch_twips() -> int:
    """The largest whole-twip line pitch fitting LINES_PER_PAGE lines in the type area (579 = 28.95 pt)."""
    area = _twips(PAGE_HEIGHT_MM) - _twips(MARGIN_TOP_MM) - _twips(MARGIN_BOTTOM_MM)
    return area // LINES_PER_PAGE


def tracking_twips() -> int:
    """Character spacing (`w:spacing/@w:val` of the run properties, in twips) so CHARS_PER_LINE body
    characters fit the portrait type width: 28 at 16 pt need 448 pt, the type area is 442.2 pt, so each
    character gives up a quarter point. Word, WPS and LibreOffice all honour character spacing the same
    way, where LibreOffice reads a character grid's `charSpace` differently (14 characters a line)."""
    width_pt = (_twips(PAGE_WIDTH_MM) - _twips(MARGIN_LEFT_MM) - _twips(MARGIN_RIGHT_MM)) / _TWIPS_PER_PT
    return math.floor((width_pt / CHARS_PER_LINE - BODY_SIZE_PT) * _TWIPS_PER_PT)


def _set_tracking(rpr) -> None:
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.append(spacing)
    spacing.set(qn("w:val"), str(tracking_twips()))
    _order_rpr(rpr)


def _set_fonts(rpr, family: str, size_pt: float, bold: bool | None) -> None:
    """Write family into every rFonts slot, the size into sz and szCs, and bold into b and bCs."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for theme in _THEME_SLOTS:
        # A theme font wins over the named one in Word, so the template's theme slots must go.
        fonts.attrib.pop(qn(theme), None)
    for slot in _FONT_SLOTS:
        fonts.set(qn(slot), family)
    fonts.set(qn("w:hint"), "eastAsia")
    for tag in ("w:b", "w:bCs", "w:sz", "w:szCs", "w:lang"):
        old = rpr.find(qn(tag))
        if old is not None:
            rpr.remove(old)
    if bold is not None:
        for tag in ("w:b", "w:bCs"):
            element = OxmlElement(tag)
            element.set(qn("w:val"), "1" if bold else "0")
            rpr.append(element)
    half_points = str(round(size_pt * 2))
    for tag in ("w:sz", "w:szCs"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), half_points)
        rpr.append(element)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "en-US")
    lang.set(qn("w:eastAsia"), "zh-CN")
    rpr.append(lang)
    _order_rpr(rpr)


# CT_RPr's children in schema order (ECMA-376 17.3.2.28); Word refuses a file with them out of order.
_RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike", "outline",
    "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden", "color", "spacing", "w",
    "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr", "shd", "fitText", "vertAlign", "rtl",
    "cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath",
)


def _order_rpr(rpr) -> None:
    rank = {qn(f"w:{tag}"): i for i, tag in enumerate(_RPR_ORDER)}
    children = sorted(rpr, key=lambda child: rank.get(child.tag, len(rank)))
    for child in children:
        rpr.remove(child)
        rpr.append(child)


def set_run_font(run: Run, family: str, size_pt: float, bold: bool = False) -> None:
    """Set a run's family in all four font slots (ascii, hAnsi, eastAsia, cs), its size and its weight."""
    _set_fonts(run._element.get_or_add_rPr(), family, size_pt, bold)


def _set_style_font(style: ParagraphStyle, family: str, size_pt: float, bold: bool) -> None:
    _set_fonts(style.element.get_or_add_rPr(), family, size_pt, bold)


def _exact_pitch(paragraph_format) -> None:
    paragraph_format.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    paragraph_format.line_spacing = Twips(line_pitch_twips())
    paragraph_format.space_before = Pt(0)
    paragraph_format.space_after = Pt(0)


def set_indent_chars(paragraph_format, attribute: Literal["firstLine", "left", "right"],
                     chars: float) -> None:
    """Indent in body characters: Word's *Chars attribute (follows the grid), and the same in twips."""
    ind = paragraph_format._element.get_or_add_pPr().get_or_add_ind()
    ind.set(qn(f"w:{attribute}Chars"), str(round(chars * 100)))
    ind.set(qn(f"w:{attribute}"), str(round(chars * BODY_SIZE_PT * _TWIPS_PER_PT)))


def _set_doc_defaults(doc: DocxDocument) -> None:
    """docDefaults carry the body font too, so text outside any style is not left in Word's fallback font."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles.insert(0, defaults)
    rpr_default = defaults.find(qn("w:rPrDefault"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:rPrDefault")
        defaults.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPr"))
    if rpr is None:
        rpr = OxmlElement("w:rPr")
        rpr_default.append(rpr)
    _set_fonts(rpr, FONT_BODY, BODY_SIZE_PT, None)
    _set_tracking(rpr)
    ppr_default = defaults.find(qn("w:pPrDefault"))
    if ppr_default is not None:
        spacing = ppr_default.find(f"{qn('w:pPr')}/{qn('w:spacing')}")
        if spacing is not None:
            # The template's 10 pt after each paragraph would break the grid in styles not based on Normal.
            spacing.set(qn("w:after"), "0")


# CT_PPr's children that follow w:snapToGrid in schema order.
_AFTER_SNAP_TO_GRID = tuple(f"w:{tag}" for tag in (
    "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc", "textDirection",
    "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle", "rPr", "sectPr", "pPrChange"))


def _off(tag: str):
    element = OxmlElement(tag)
    element.set(qn("w:val"), "0")
    return element


def _paragraph_style(doc: DocxDocument, name: str, family: str, size_pt: float, *,
                     bold: bool = False, outline_level: int | None = None) -> ParagraphStyle:
    style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = doc.styles["Normal"]
    style.quick_style = True
    _set_style_font(style, family, size_pt, bold)
    if outline_level is not None:
        # Lets Word's navigation pane list the headings.
        ppr = style.element.get_or_add_pPr()
        level = OxmlElement("w:outlineLvl")
        level.set(qn("w:val"), str(outline_level))
        ppr.append(level)
    return style


def _add_styles(doc: DocxDocument) -> None:
    normal = doc.styles["Normal"]
    _set_style_font(normal, FONT_BODY, BODY_SIZE_PT, False)
    _set_tracking(normal.element.get_or_add_rPr())
    # punctuation stays inside the type area (LibreOffice hangs it in the margin otherwise)
    normal.element.get_or_add_pPr().insert_element_before(
        _off("w:overflowPunct"), "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
        "w:adjustRightInd", "w:snapToGrid", *_AFTER_SNAP_TO_GRID)
    fmt = normal.paragraph_format
    _exact_pitch(fmt)
    fmt.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    fmt.widow_control = False
    set_indent_chars(fmt, "firstLine", FIRST_LINE_INDENT_CHARS)

    title = _paragraph_style(doc, STYLE_TITLE, FONT_TITLE, TITLE_SIZE_PT, outline_level=0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_indent_chars(title.paragraph_format, "firstLine", 0)
    title.paragraph_format.keep_with_next = True
    # Off the grid, a 二号 line keeps the exact pitch instead of taking two grid lines (LibreOffice does so).
    title.element.get_or_add_pPr().insert_element_before(_off("w:snapToGrid"), *_AFTER_SNAP_TO_GRID)

    for name, family, level in ((STYLE_HEADING_1, FONT_HEADING_1, 1), (STYLE_HEADING_2, FONT_HEADING_2, 2)):
        heading = _paragraph_style(doc, name, family, BODY_SIZE_PT, outline_level=level)
        heading.paragraph_format.keep_with_next = True

    for name in (STYLE_SIGNATURE, STYLE_DATE):
        closing = _paragraph_style(doc, name, FONT_BODY, BODY_SIZE_PT)
        closing.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        closing.paragraph_format.keep_with_next = name == STYLE_SIGNATURE
        set_indent_chars(closing.paragraph_format, "firstLine", 0)
    set_indent_chars(doc.styles[STYLE_DATE].paragraph_format, "right", DATE_RIGHT_INDENT_CHARS)

    number = _paragraph_style(doc, STYLE_PAGE_NUMBER, FONT_PAGE_NUMBER, PAGE_NUMBER_SIZE_PT)
    number.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    set_indent_chars(number.paragraph_format, "firstLine", 0)


def _set_doc_grid(doc: DocxDocument) -> None:
    """A line grid of LINES_PER_PAGE lines; the 28 characters a line come from character spacing."""
    sect_pr = doc.sections[0]._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    for attribute in list(grid.attrib):
        del grid.attrib[attribute]
    grid.set(qn("w:type"), "lines")
    grid.set(qn("w:linePitch"), str(line_pitch_twips()))


# Fonts a machine without the GB fonts shows instead (fonts-noto-cjk), declared in the font table: w:altName
# names the stand-in, w:family and w:pitch its kind; the serif stands in for 宋/仿宋/楷 and 小标宋,
# the sans for 黑体.
FALLBACK_FONTS = {FONT_TITLE: ("Noto Serif CJK SC", "roman"), FONT_BODY: ("Noto Serif CJK SC", "roman"),
                  FONT_HEADING_2: ("Noto Serif CJK SC", "roman"),
                  FONT_PAGE_NUMBER: ("Noto Serif CJK SC", "roman"),
                  FONT_HEADING_1: ("Noto Sans CJK SC", "swiss")}


def declare_fallback_fonts(doc: DocxDocument) -> None:
    """Entries in the font table naming each GB font's stand-in (w:altName), its family and its script."""
    part = next(rel.target_part for rel in doc.part.rels.values() if rel.reltype.endswith("/fontTable"))
    table = etree.fromstring(part.blob)
    for font in table.findall(qn("w:font")):
        if font.get(qn("w:name")) in FALLBACK_FONTS:
            table.remove(font)
    for name, (stand_in, family) in FALLBACK_FONTS.items():
        font = etree.SubElement(table, qn("w:font"))
        font.set(qn("w:name"), name)
        for tag, value in (("altName", stand_in), ("charset", "86"), ("family", family),
                           ("pitch", "variable")):
            etree.SubElement(font, qn(f"w:{tag}")).set(qn("w:val"), value)
    part._blob = etree.tostring(table, xml_declaration=True, encoding="UTF-8", standalone=True)


def _set_properties(doc: DocxDocument, title: str, author: str) -> None:
    """File properties of our own instead of the template's (author python-docx, created 2013)."""
    props = doc.core_properties
    now = datetime.now(UTC).replace(microsecond=0)
    props.title, props.author, props.last_modified_by = title, author, author
    props.comments = ""
    props.language = "zh-CN"
    props.created = props.modified = now
    props.revision = 1


def new_document(landscape: bool = False, *, title: str = "", author: str = "") -> DocxDocument:
    """An empty A4 document with GB/T 9704 margins, the 22 x 28 grid, the styles and font defaults."""
    doc = Document()
    _set_properties(doc, title, author)
    section = doc.sections[0]
    width, height = Mm(PAGE_WIDTH_MM), Mm(PAGE_HEIGHT_MM)
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = height, width
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = width, height
    section.top_margin = Mm(MARGIN_TOP_MM)
    section.bottom_margin = Mm(MARGIN_BOTTOM_MM)
    section.left_margin = Mm(MARGIN_LEFT_MM)
    section.right_margin = Mm(MARGIN_RIGHT_MM)
    section.gutter = Mm(0)
    section.footer_distance = Mm(FOOTER_DISTANCE_MM)
    _set_doc_grid(doc)
    declare_fallback_fonts(doc)
    _set_doc_defaults(doc)
    _add_styles(doc)
    return doc


def _add_field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """A complex field (begin, instruction, separate, cached result, end) in 宋体 四号."""
    def run_with(child) -> None:
        run = paragraph.add_run()
        set_run_font(run, FONT_PAGE_NUMBER, PAGE_NUMBER_SIZE_PT)
        run._element.append(child)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {instruction} "
    run_with(instr)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    run_with(separate)
    result = paragraph.add_run(placeholder)
    set_run_font(result, FONT_PAGE_NUMBER, PAGE_NUMBER_SIZE_PT)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _fill_page_number(doc: DocxDocument, paragraph: Paragraph, alignment: WD_ALIGN_PARAGRAPH) -> None:
    paragraph.style = doc.styles[STYLE_PAGE_NUMBER]
    paragraph.alignment = alignment
    # 单页码居右空一字，双页码居左空一字: one 四号 character from the edge of the type area.
    one_char = Pt(PAGE_NUMBER_SIZE_PT)
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        paragraph.paragraph_format.right_indent = one_char
    else:
        paragraph.paragraph_format.left_indent = one_char
    set_run_font(paragraph.add_run("— "), FONT_PAGE_NUMBER, PAGE_NUMBER_SIZE_PT)
    _add_field(paragraph, "PAGE", "1")
    set_run_font(paragraph.add_run(" —"), FONT_PAGE_NUMBER, PAGE_NUMBER_SIZE_PT)


def add_page_number_footer(doc: DocxDocument) -> None:
    """Page numbers as — 1 — in 宋体 四号: odd pages at the right, even pages at the left."""
    doc.settings.odd_and_even_pages_header_footer = True
    for section in doc.sections:
        section.footer.is_linked_to_previous = False
        section.even_page_footer.is_linked_to_previous = False
        _fill_page_number(doc, section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
        _fill_page_number(doc, section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
