"""Render a draft as Markdown, as the JSON of `drafting draft --format json`, or as a GB/T 9704 Word file."""

import io
import itertools
import json
import re
from dataclasses import dataclass
from typing import Literal

from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH

from drafting import gbt9704
from drafting.writer.models import Draft

_NUMERALS = "一二三四五六七八九十百零〇"
_HEADING_1 = re.compile(rf"^[{_NUMERALS}]+、")
_HEADING_2 = re.compile(rf"^[（(][{_NUMERALS}]+[）)]")
# A heading that runs into its paragraph ends at the first full stop (（一）领导重视。正文……).
_RUN_IN_END = re.compile(r"[。！？；]")
# Line breaks (\n, \r, \v, \f) are left to splitlines; other C0 controls and U+FFFE/U+FFFF are dropped.
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ufffe\uffff]")
_MARKDOWN_LEAD = re.compile(r"^(\s*)([#>+*=|`~-]|\d+[.)])")
# 二号 characters a title line holds in the 156 mm type width.
_TITLE_CHARS_PER_LINE = 20
_TITLE_BREAK_BEFORE = re.compile(r"(?<!\d)(?:19|20)\d\d年|关于|群众评议工作总结|工作总结$")
_TITLE_BREAK_AFTER = re.compile(r"[，、：]|关于|党委|党总支|党支部|党组|委员会|[区县市镇]委|"
                                r"税务局|分局|公司|医院")
# Blank lines between the body and the signature, leaving room for the seal.
_LINES_BEFORE_SIGNATURE = 2

Level = Literal[0, 1, 2]


@dataclass(frozen=True)
class Line:
    """One printed paragraph: its heading level (0 = body) and where its heading ends (run-in headings)."""

    text: str
    level: Level
    heading_end: int


def _lines(text: str) -> list[str]:
    """Non-blank lines, without the control characters XML (and so Word) cannot hold."""
    return [part.strip() for part in _NOT_XML.sub("", text).splitlines() if part.strip()]


def classify(text: str, default: Level = 0) -> Line:
    """Tell 一级标题 (一、), 二级标题 (（一）) and body text apart; a heading may run into its paragraph."""
    level: Level = 1 if _HEADING_1.match(text) else 2 if _HEADING_2.match(text) else default
    if level == 0:
        return Line(text, 0, 0)
    stop = _RUN_IN_END.search(text)
    if stop and stop.end() < len(text):
        return Line(text, level, stop.end())
    return Line(text, level, len(text))


def layout(draft: Draft) -> list[Line]:
    """The draft's body (everything between title and signature) as printed paragraphs, in order."""
    lines: list[Line] = []
    for section in draft.sections:
        lines.extend(classify(text, default=1) for text in _lines(section.heading))
        for item in section.items:
            lines.extend(classify(text) for text in _lines(item))
    return lines


def _escape_markdown(text: str) -> str:
    """Keep a paragraph that starts like Markdown syntax (1. , - , #) a plain paragraph."""
    return _MARKDOWN_LEAD.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text, count=1)


def to_markdown(draft: Draft) -> str:
    """`# title`, `## 一、…` and `### （一）…` headings, paragraphs, then the signature and the date."""
    blocks: list[str] = []
    if draft.title.strip():
        blocks.append("# " + " ".join(_lines(draft.title)))
    for line in layout(draft):
        if line.level and line.heading_end == len(line.text):
            blocks.append("#" * (line.level + 1) + " " + line.text)
        else:
            blocks.append(_escape_markdown(line.text))
    blocks.extend(closing for closing in (" ".join(_lines(draft.unit)), " ".join(_lines(draft.date_text)))
                  if closing)
    return "\n\n".join(blocks) + "\n"


def to_json(draft: Draft) -> str:
    """The Draft model as JSON, the same shape the API's draft record extends; `markdown` is rendered here
    when the engine left it empty."""
    if not draft.markdown:
        draft = draft.model_copy(update={"markdown": to_markdown(draft)})
    return json.dumps(draft.model_dump(mode="json"), ensure_ascii=False, indent=2)


def _text_width(text: str) -> float:
    """Width in body characters: CJK and full-width forms are one, ASCII letters and digits half."""
    return sum(1.0 if ord(ch) >= 0x2E80 else 0.5 for ch in text)


def title_lines(title: str) -> list[str]:
    """The title as printed: kept as given when it has line breaks or fits one line, otherwise broken at sense
    breaks (before a year, around 关于, after the unit's organisation, before 群众评议工作总结, after a comma)
    into as few lines as fit, as even as can be; never inside a word."""
    given = _lines(title)
    if len(given) != 1 or _text_width(given[0]) <= _TITLE_CHARS_PER_LINE:
        return given
    text = given[0]
    found = {m.start() for m in _TITLE_BREAK_BEFORE.finditer(text)}
    found |= {m.end() for m in _TITLE_BREAK_AFTER.finditer(text)}
    points = sorted(cut for cut in found if 0 < cut < len(text))
    for count in range(1, len(points) + 1):
        fitting = [cuts for cuts in itertools.combinations(points, count)
                   if max(map(_text_width, _cut(text, cuts))) <= _TITLE_CHARS_PER_LINE]
        if fitting:
            widths = lambda cuts: [_text_width(line) for line in _cut(text, cuts)]  # noqa: E731
            best = min(fitting, key=lambda cuts: max(widths(cuts)) - min(widths(cuts)))
            return _cut(text, best)
    return given


def _cut(text: str, cuts: tuple[int, ...]) -> list[str]:
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


def _add_title(doc: DocxDocument, title: str) -> None:
    paragraph = doc.add_paragraph(style=gbt9704.STYLE_TITLE)
    # Direct alignment as well as the style's, for readers that do not resolve styles.
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for i, part in enumerate(title_lines(title)):
        run = paragraph.add_run()
        if i:
            run.add_break()
        run.add_text(part)
        gbt9704.set_run_font(run, gbt9704.FONT_TITLE, gbt9704.TITLE_SIZE_PT)
    # 标题下空一行
    _add_blank(doc)


def _add_blank(doc: DocxDocument) -> None:
    paragraph = doc.add_paragraph()
    gbt9704.set_run_font(paragraph.add_run(), gbt9704.FONT_BODY, gbt9704.BODY_SIZE_PT)


_HEADING_FONTS = {1: gbt9704.FONT_HEADING_1, 2: gbt9704.FONT_HEADING_2}
_HEADING_STYLES = {1: gbt9704.STYLE_HEADING_1, 2: gbt9704.STYLE_HEADING_2}


def _add_line(doc: DocxDocument, line: Line) -> None:
    if line.level and line.heading_end == len(line.text):
        paragraph = doc.add_paragraph(style=_HEADING_STYLES[line.level])
        gbt9704.set_run_font(paragraph.add_run(line.text), _HEADING_FONTS[line.level], gbt9704.BODY_SIZE_PT)
        return
    paragraph = doc.add_paragraph()
    if line.level:
        head = paragraph.add_run(line.text[: line.heading_end])
        gbt9704.set_run_font(head, _HEADING_FONTS[line.level], gbt9704.BODY_SIZE_PT)
    body = paragraph.add_run(line.text[line.heading_end:])
    gbt9704.set_run_font(body, gbt9704.FONT_BODY, gbt9704.BODY_SIZE_PT)


def _add_closing(doc: DocxDocument, unit: str, date_text: str) -> None:
    """Signature centred above the date (as under a seal), the date four characters in from the right."""
    if not (unit or date_text):
        return
    # No page may hold the signature alone: the last body lines (two, by widow control) keep with it. Word
    # splits the paragraph there; LibreOffice moves the whole paragraph.
    if doc.paragraphs:
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
        doc.paragraphs[-1].paragraph_format.widow_control = True
    for _ in range(_LINES_BEFORE_SIGNATURE):
        _add_blank(doc)
        doc.paragraphs[-1].paragraph_format.keep_with_next = True
    if unit:
        paragraph = doc.add_paragraph(style=gbt9704.STYLE_SIGNATURE)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        offset = (_text_width(date_text) - _text_width(unit)) / 2 if date_text else 0.0
        gbt9704.set_indent_chars(paragraph.paragraph_format, "right",
                                 max(0.0, gbt9704.DATE_RIGHT_INDENT_CHARS + offset))
        gbt9704.set_run_font(paragraph.add_run(unit), gbt9704.FONT_BODY, gbt9704.BODY_SIZE_PT)
    if date_text:
        paragraph = doc.add_paragraph(style=gbt9704.STYLE_DATE)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        gbt9704.set_indent_chars(paragraph.paragraph_format, "right", gbt9704.DATE_RIGHT_INDENT_CHARS)
        gbt9704.set_run_font(paragraph.add_run(date_text), gbt9704.FONT_BODY, gbt9704.BODY_SIZE_PT)


def to_docx(draft: Draft) -> bytes:
    """The draft as a .docx in the GB/T 9704-2012 format (A4, 22 x 28 grid, 仿宋 body, — 1 — page numbers)."""
    doc = gbt9704.new_document(title=" ".join(_lines(draft.title)), author=" ".join(_lines(draft.unit)))
    if draft.title.strip():
        _add_title(doc, draft.title)
    for line in layout(draft):
        _add_line(doc, line)
    _add_closing(doc, " ".join(_lines(draft.unit)), " ".join(_lines(draft.date_text)))
    gbt9704.add_page_number_footer(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
