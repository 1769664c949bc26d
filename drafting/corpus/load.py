"""Past summaries as documents: read .txt/.md/.docx/.pdf, repair extraction damage, split along headings.

The genre numbers its structure 一、 / （一） / 1、 and lists inside a paragraph as 一是……二是……;
every chunk keeps the headings above it, so a passage knows it is 二是 of 一、采取四项措施.
"""

import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from drafting.corpus.models import Chunk, Document
from drafting.errors import BadInput, TooLarge
from drafting.numerals import chinese_to_number, normalise

SUPPORTED_SUFFIXES = (".txt", ".md", ".docx", ".pdf")
MAX_CHUNK_CHARS = 350
# Bounds on one uploaded file, checked while it is read, so a hostile file costs seconds and little memory.
MAX_EMBED_CHARS = 512  # multilingual-e5-small reads 512 tokens, about one a Chinese character
MAX_DOCUMENT_CHARS = 50_000  # about ten times the longest sample summary; embedding is the cost
MAX_PARAGRAPHS = 20_000
MAX_XML_ELEMENTS = 1_000_000  # a .docx's XML, all parts read together
MAX_INFLATED_BYTES = 64 * 1024 * 1024  # a .docx's members together, as declared (zipfile reads no more)
MAX_PDF_PAGES = 300
WORD = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TINY_CHARS = 40
HEADING_MAX_CHARS = 40

CN_DIGITS = "一二三四五六七八九十"
LEVEL_PATTERNS = (
    (1, re.compile(rf"^[{CN_DIGITS}]+、")),
    (2, re.compile(rf"^[（(][{CN_DIGITS}]+[）)]")),
    (3, re.compile(r"^\d{1,2}[、.．](?!\d)")),
)
MARKDOWN_HEADING = re.compile(r"^(#{1,6})\s+(\S.*)$")
ITEM_MARK = re.compile(rf"(?:^|(?<=[。；，：！？]))([{CN_DIGITS}]是)")
SENTENCE_END = "。！？；…”」）)"
CJK = r"\u4e00-\u9fff"
MEASURE_WORDS = "个人次件张项名份场条起所家位篇期天年月日万元岁"
STRAY_PAGE_NUMBER = re.compile(rf"(?<=[{CJK}、，])\s?\d{{1,3}} (?=[{CJK}])")
QUOTE_FIXES = str.maketrans({"‚": "“", "‛": "”", "„": "〔", "‟": "〕", "〃": "·", "\u3000": " ", "\xa0": " "})
FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
UNIT_SUFFIX = r"(?:党总支|党支部|党工委|党委|党组|区委|县委|市委)"
SECTOR_HINTS = (
    ("农村", ("村委", "村党")),
    ("街道社区", ("社区", "街道")),
    ("学校", ("中学", "小学", "学校", "学院", "大学", "幼儿园")),
    ("医院", ("医院", "卫生院", "卫生服务中心", "保健院", "保健所", "疾控中心", "疾病预防控制中心",
              "卫生室")),
    ("企业", ("公司", "煤矿", "集团", "工厂", "企业", "银行", "车间")),
    ("新社会组织", ("协会", "商会", "社会工作服务", "社工", "基金会", "民办非企业")),
    ("机关", ("税务局", "税务分局", "局", "区委", "县委", "市委", "镇委", "政府", "机关", "法院", "检察院",
            "公安", "派出所", "办公室")),
)
FIRST_MONTH = {"元": "一", "正": "一"}  # 元月, 正月
DATE_LINE = re.compile(
    r"^(?:[^\d〇零一二三四五六七八九]*[：:])?\s*([〇零一二三四五六七八九\d]{4})年"
    r"([元正一二三四五六七八九十\d]{1,3})月([一二三四五六七八九十\d]{1,3})日$"
)


def content_hash(*parts: str) -> str:
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


# ---------------------------------------------------------------- reading files


def collect_paths(paths: Iterable[Path]) -> list[Path]:
    """Expand folders into their supported files (sorted); a named file must exist and be supported."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if _wanted(p)))
        elif not path.exists():
            raise BadInput.field(str(path), "文件不存在")
        elif path.suffix.lower() not in SUPPORTED_SUFFIXES:
            raise BadInput.field(str(path), "不支持的文件类型，只接受 .txt .md .docx .pdf")
        else:
            found.append(path)
    return found


def _wanted(path: Path) -> bool:
    """A supported file in a folder; hidden files and Word's ~$ lock files are not documents."""
    hidden = path.name.startswith((".", "~$"))
    return path.is_file() and not hidden and path.suffix.lower() in SUPPORTED_SUFFIXES


def read_file(path: Path, max_bytes: int) -> Document:
    """Read one file from disk into a cleaned Document."""
    size = path.stat().st_size
    if size > max_bytes:
        raise TooLarge.field(str(path), f"文件过大（{size} 字节，上限 {max_bytes} 字节）")
    return read_upload(path.name, path.read_bytes(), max_bytes, source=str(path))


def read_upload(filename: str, data: bytes, max_bytes: int, *, source: str | None = None) -> Document:
    """Turn the bytes of one file into a cleaned Document; BadInput naming the file if it cannot be used."""
    label = source or filename
    suffix = Path(filename).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise BadInput.field(label, "不支持的文件类型，只接受 .txt .md .docx .pdf")
    if len(data) > max_bytes:
        raise TooLarge.field(label, f"文件过大（{len(data)} 字节，上限 {max_bytes} 字节）")
    if not data.strip():
        raise BadInput.field(label, "文件为空")
    if suffix == ".docx":
        raw = _docx_text(data, label)
    elif suffix == ".pdf":
        raw = _pdf_text(data, label)
    else:
        raw = _plain_text(data, label)
    return parse_document(raw, source=label, fallback_title=Path(filename).stem)


def _plain_text(data: bytes, label: str) -> str:
    if b"\x00" in data:
        raise BadInput.field(label, "不是文本文件（含二进制内容）")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\r\t\f")
        if controls > len(text) * 0.01:
            break
        _check_size(label, len(text), text.count("\n"))
        return text
    raise BadInput.field(label, "不是文本文件（无法按 UTF-8 或 GB18030 解码）")


def _check_size(label: str, chars: int, paragraphs: int) -> None:
    """Refuse a file over the document bounds, with the count that broke them."""
    if chars > MAX_DOCUMENT_CHARS:
        raise TooLarge.field(label, f"文字过多（超过 {MAX_DOCUMENT_CHARS} 字），请拆分后再上传")
    if paragraphs > MAX_PARAGRAPHS:
        raise TooLarge.field(label, f"段落过多（超过 {MAX_PARAGRAPHS} 段），请拆分后再上传")


def _docx_text(data: bytes, label: str) -> str:
    """Body paragraphs and table rows in reading order, parsed as a stream within the bounds above."""
    from lxml import etree

    damaged = BadInput.field(label, "无法读取 Word 文件（文件损坏或不是 .docx）")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        declared = sum(member.file_size for member in archive.infolist())
        names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise damaged from None
    if declared > MAX_INFLATED_BYTES:
        raise TooLarge.field(label, f"Word 文件解压后过大（{declared // 2**20} MB，"
                             f"上限 {MAX_INFLATED_BYTES // 2**20} MB）")
    if "word/document.xml" not in names:
        raise damaged
    budget = _XmlBudget(label)
    try:
        styles = _docx_styles(archive, budget) if "word/styles.xml" in names else {}
        with archive.open("word/document.xml") as stream:
            return "\n".join(_docx_blocks(stream, styles, budget))
    except (zipfile.BadZipFile, etree.XMLSyntaxError, zlib.error, OSError, EOFError, KeyError):
        raise damaged from None


class _XmlBudget:
    """Counts what a .docx's XML holds and refuses it as soon as a bound is passed."""

    def __init__(self, label: str) -> None:
        self.label, self.elements, self.paragraphs, self.chars = label, 0, 0, 0

    def element(self) -> None:
        self.elements += 1
        if self.elements > MAX_XML_ELEMENTS:
            raise TooLarge.field(self.label, "Word 文件结构过于复杂，请另存为较小的文件后再上传")

    def text(self, chars: int, paragraphs: int = 0) -> None:
        self.chars += chars
        self.paragraphs += paragraphs
        _check_size(self.label, self.chars, self.paragraphs)


def _iter_xml(stream: Any, budget: _XmlBudget) -> Iterator[tuple[int, Any]]:
    """(depth, element) at each element's end; the caller clears what it has read, so memory stays flat."""
    from lxml import etree

    depth = 0
    for event, element in etree.iterparse(stream, events=("start", "end"), resolve_entities=False,
                                          no_network=True, huge_tree=False):
        if event == "start":
            depth += 1
            continue
        budget.element()
        if element.tag == f"{WORD}p":
            budget.text(0, 1)
        yield depth, element
        depth -= 1


def _docx_styles(archive: zipfile.ZipFile, budget: _XmlBudget) -> dict[str, str]:
    """Style id to the name Word shows (Heading 1, Title, 标题 1)."""
    names: dict[str, str] = {}
    with archive.open("word/styles.xml") as stream:
        for depth, element in _iter_xml(stream, budget):
            if depth == 2 and element.tag == f"{WORD}style":
                name = element.find(f"{WORD}name")
                value = name.get(f"{WORD}val", "") if name is not None else ""
                builtin = re.fullmatch(r"(heading \d|title)", value)
                names[element.get(f"{WORD}styleId", "")] = value.capitalize() if builtin else value
                element.clear()
    return names


def _docx_blocks(stream: Any, styles: dict[str, str], budget: _XmlBudget) -> Iterator[str]:
    for depth, element in _iter_xml(stream, budget):
        if depth != 3:  # w:document > w:body > a paragraph or a table
            continue
        if element.tag == f"{WORD}p":
            style = element.find(f"{WORD}pPr/{WORD}pStyle")
            line = _docx_line(_run_text(element), styles.get(style.get(f"{WORD}val", ""), "")
                              if style is not None else "")
            budget.text(len(line))
            yield line
        elif element.tag == f"{WORD}tbl":
            for row in element.iter(f"{WORD}tr"):
                cells = ("\n".join(_run_text(p) for p in cell.iter(f"{WORD}p")).strip()
                         for cell in row.iter(f"{WORD}tc"))
                line = " ".join(dict.fromkeys(text for text in cells if text))
                budget.text(len(line))
                yield line
        element.clear()
        while element.getprevious() is not None:
            del element.getparent()[0]


def _run_text(paragraph: Any) -> str:
    """A paragraph's text as Word shows it: its w:t, tabs and line breaks (deleted text is w:delText)."""
    parts: list[str] = []
    for node in paragraph.iter(f"{WORD}t", f"{WORD}tab", f"{WORD}br", f"{WORD}cr"):
        if node.tag == f"{WORD}t":
            parts.append(node.text or "")
        else:
            parts.append("\t" if node.tag == f"{WORD}tab" else "\n")
    return "".join(parts)


def _docx_line(text: str, style: str) -> str:
    """Word headings become Markdown headings: the structure survives when Word numbers them itself."""
    match = re.match(r"^(?:Heading|标题)\s*(\d)$", style)
    if style == "Title":
        return f"# {text}" if text.strip() else text
    if match and text.strip():
        return f"{'#' * int(match.group(1))} {text}"
    return text


def _pdf_text(data: bytes, label: str) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) > MAX_PDF_PAGES:
            raise TooLarge.field(label, f"PDF 页数过多（{len(reader.pages)} 页，上限 {MAX_PDF_PAGES} 页）")
        pages: list[str] = []
        for page in reader.pages:
            pages.append(page.extract_text() or "")
            _check_size(label, sum(map(len, pages)), sum(p.count("\n") for p in pages))
        text = "\n".join(pages)
    except BadInput:
        raise
    except Exception as exc:  # pypdf raises many kinds for a damaged file
        raise BadInput.field(label, "无法读取 PDF 文件（文件损坏或已加密）") from exc
    if not text.strip():
        raise BadInput.field(label, "PDF 中没有可提取的文字（可能是扫描件）")
    return text


# ---------------------------------------------------------------- front matter and what can be inferred


def parse_document(raw: str, *, source: str = "", fallback_title: str = "") -> Document:
    """Front matter (title, unit, sector, date, kind) if present, else inferred from the first lines."""
    meta, body = _split_front_matter(raw, source)
    lines = clean_text(body).split("\n")
    title = str(meta.get("title") or "").strip()
    unit = str(meta.get("unit") or "").strip()
    # "# 标题" opens a Markdown file, or a Word file with a Title style
    if lines and MARKDOWN_HEADING.match(lines[0]) and not _genre_level(_strip_markdown(lines[0])):
        lines[0] = _strip_markdown(lines[0])
    if not title and lines and _looks_like_title(lines[0]):
        title = re.sub(r"^第[一二三四五六七八九十\d]+篇[：:]", "", lines.pop(0)).strip()
        if lines and lines[0] == title:
            lines.pop(0)
    if not unit and lines and _looks_like_unit(lines[0]):
        unit = lines.pop(0)
    if not unit:
        unit = _unit_from(title)
    text = "\n".join(lines).strip()
    if not text:
        raise BadInput.field(source or fallback_title, "文件中没有正文")
    title = title or fallback_title or text[:20]
    date = str(meta.get("date") or "").strip() or _date_from(lines)
    sector = str(meta.get("sector") or "").strip() or _sector_from(unit)
    kind = str(meta.get("kind") or "").strip() or (
        "form" if "统计单" in title or "统计表" in title else "summary"
    )
    return Document(
        id=content_hash(text),
        title=title,
        unit=unit,
        sector=sector,
        date=date,
        kind=kind,
        sample=meta.get("sample") is True,
        source=source,
        text=text,
    )


def _split_front_matter(raw: str, source: str) -> tuple[dict, str]:
    raw = raw.lstrip("\ufeff")
    match = re.match(r"^---\s*\n(.*?)\n---\s*(?:\n|$)", raw, re.S)
    if not match:
        return {}, raw
    try:
        meta = yaml.safe_load(match.group(1)) or {}
    except yaml.YAMLError as exc:
        raise BadInput.field(source, "文件头（YAML front matter）格式错误") from exc
    if not isinstance(meta, dict):
        raise BadInput.field(source, "文件头（YAML front matter）应为键值对")
    return meta, raw[match.end() :]


def _looks_like_title(line: str) -> bool:
    return len(line) <= 60 and "。" not in line and not _heading_level(line)


def _looks_like_unit(line: str) -> bool:
    return (
        len(line) <= 30
        and re.search(r"[，。；：]", line) is None
        and (re.search(UNIT_SUFFIX + "$", line) is not None or _sector_from(line) != "")
    )


def _unit_from(title: str) -> str:
    match = re.match(rf"^(.{{2,30}}?{UNIT_SUFFIX})", title)
    return match.group(1) if match and not match.group(1).startswith(("创先争优", "关于")) else ""


def _sector_from(unit: str) -> str:
    for sector, hints in SECTOR_HINTS:
        if any(hint in unit for hint in hints):
            return sector
    return ""


def _date_number(text: str) -> int:
    """A year, month or day as written in a date: 2024, 二〇一二, 元, 十五."""
    text = normalise(text)
    if text.isdigit():
        return int(text)
    value = chinese_to_number(FIRST_MONTH.get(text, text))
    return int(value) if value is not None else 0


def _date_from(lines: list[str]) -> str:
    """The signing date (二〇一二年元月十五日 or 填报时间：2024年1月15日) among the first and last lines."""
    for line in [*lines[-3:][::-1], *lines[:3]]:
        for part in line.split():
            match = DATE_LINE.match(part.strip())
            if match:
                year, month, day = (_date_number(match.group(k)) for k in (1, 2, 3))
                if 1 <= month <= 12 and 1 <= day <= 31:
                    return f"{year:04d}-{month:02d}-{day:02d}"
    return ""


# ---------------------------------------------------------------- repairing extracted text


def clean_text(text: str) -> str:
    """Repair what copying out of PDFs does to the genre: one paragraph a line, headings on their own line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").translate(QUOTE_FIXES).translate(FULLWIDTH_DIGITS)
    text = text.replace("“”", "")  # PDF text extraction sometimes lifts a pair of quotes out of its words
    lines = [line.strip() for line in text.split("\n")]
    lines = [line for line in lines if line and not re.fullmatch(r"[-—\s]*\d{1,3}[-—\s]*", line)]
    lines = [part for line in lines for part in _split_glued_heading(line)]
    paragraphs: list[str] = []
    for line in lines:
        if paragraphs and _is_broken(paragraphs[-1]) and not _is_heading_line(line):
            paragraphs[-1] += line
        else:
            paragraphs.append(line)
    return "\n".join(_fix_spacing(p) for p in paragraphs)


def _split_glued_heading(line: str) -> list[str]:
    match = re.match(rf"^(\S{{4,{HEADING_MAX_CHARS}}})\s+([{CJK}“].{{9,}})$", line)
    if match and _heading_level(line) in (1, 2) and not re.search("[。！？]", match.group(1)):
        return [match.group(1), match.group(2)]
    return [line]


def _is_broken(line: str) -> bool:
    """A long line cut mid-sentence: paragraphs end with punctuation; titles, unit lines and headings are
    short and (almost) never hold a comma."""
    if len(line) < 30 or line[-1] in SENTENCE_END or _is_heading_line(line):
        return False
    return len(line) > 60 or re.search("[，。；：、]", line) is not None


def _is_heading_line(line: str) -> bool:
    if MARKDOWN_HEADING.match(line):
        return True
    return bool(_genre_level(line)) and len(line) <= HEADING_MAX_CHARS and "。" not in line


def _fix_spacing(line: str) -> str:
    def page_number(match: re.Match) -> str:
        before = line[match.start() - 1] if match.start() else ""
        after = line[match.end()] if match.end() < len(line) else ""
        keep = after in MEASURE_WORDS or before in "有为共计达约第至"
        return match.group(0) if keep else ""

    line = STRAY_PAGE_NUMBER.sub(page_number, line)
    return re.sub(rf"(?<=[{CJK}，、“”]) (?=[{CJK}“”])", lambda m: _space(line, m), line)


def _space(line: str, match: re.Match) -> str:
    """Keep a form's blank (有 个) and the gap before a field (填报时间：); drop one in a word (灵 活)."""
    after = line[match.end()] if match.end() < len(line) else ""
    before = line[match.start() - 1] if match.start() else ""
    if after in MEASURE_WORDS and before in "有为共计":
        return " "
    return " " if re.match(rf"[{CJK}]{{2,6}}[：:]", line[match.end() :]) else ""


# ---------------------------------------------------------------- chunking along the headings


def _genre_level(line: str) -> int:
    for level, pattern in LEVEL_PATTERNS:
        if pattern.match(line):
            return level
    return 0


def _heading_level(line: str) -> int:
    """1 for 一、, 2 for （一）, 3 for 1、; a Markdown heading without such a marker counts its #s."""
    markdown = MARKDOWN_HEADING.match(line)
    if markdown:
        return _genre_level(markdown.group(2)) or min(len(markdown.group(1)), 3)
    return _genre_level(line)


def _strip_markdown(line: str) -> str:
    markdown = MARKDOWN_HEADING.match(line)
    return markdown.group(2).strip() if markdown else line


def _label(text: str) -> str:
    """A short name for an inline-titled item: its first sentence, or its opening words."""
    first = re.split(r"[。；！？]", text, maxsplit=1)[0]
    if len(first) <= 30:
        return first
    return re.split(r"[，：]", first, maxsplit=1)[0][:20]


def _split_items(paragraph: str) -> tuple[str, list[str]]:
    """Text before 一是, then one string per 一是/二是/… item, if the paragraph lists them in order."""
    marks = [m for m in ITEM_MARK.finditer(paragraph)]
    starts: list[int] = []
    expected = CN_DIGITS.index(marks[0].group(1)[0]) if marks and marks[0].start(1) == 0 else 0
    for mark in marks:
        if CN_DIGITS.index(mark.group(1)[0]) == expected:
            starts.append(mark.start(1))
            expected += 1
    if not starts or (len(starts) == 1 and starts[0] != 0):
        return paragraph, []
    ends = [*starts[1:], len(paragraph)]
    return paragraph[: starts[0]].strip(), [paragraph[s:e].strip() for s, e in zip(starts, ends, strict=True)]


def _pieces(text: str) -> list[str]:
    """Cut text longer than MAX_CHUNK_CHARS at sentence ends."""
    if len(text) <= MAX_CHUNK_CHARS:
        return [text]
    sentences = [s for s in re.split(r"(?<=[。！？；])", text) if s]
    pieces: list[str] = []
    for sentence in sentences:
        if pieces and len(pieces[-1]) + len(sentence) <= MAX_CHUNK_CHARS:
            pieces[-1] += sentence
        else:
            pieces.append(sentence)
    return pieces


def split_chunks(doc: Document) -> list[Chunk]:
    """Chunks along 一、/（一）/1、 headings and 一是……二是…… items, each with its heading path."""
    stack: list[tuple[int, str]] = []
    drafts: list[tuple[list[str], str, bool]] = []  # (path, text, may absorb the next paragraph)

    def emit(path: list[str], text: str, packable: bool) -> None:
        last = drafts[-1] if drafts else None
        if last and packable and len(text) < TINY_CHARS and last[0][: len(path)] == path:
            drafts[-1] = (last[0], last[1] + "\n" + text, last[2])
            return
        if last and last[0] == path and packable and last[2] and len(last[1]) + len(text) <= MAX_CHUNK_CHARS:
            drafts[-1] = (path, last[1] + "\n" + text, True)
            return
        for piece in _pieces(text):
            drafts.append((path, piece, packable))

    for paragraph in doc.text.split("\n"):
        level = _heading_level(paragraph)
        if level and _is_heading_line(paragraph):
            stack = [entry for entry in stack if entry[0] < level] + [(level, _strip_markdown(paragraph))]
            continue
        path = [heading for _, heading in stack]
        if level:
            emit([heading for lvl, heading in stack if lvl < level] + [_label(paragraph)], paragraph, False)
            continue
        intro, items = _split_items(paragraph)
        labels = [_label(item) for item in items]
        if intro and items and len(intro) < TINY_CHARS:
            items[0] = intro + items[0]
        elif intro:
            emit(path, intro, not items)
        for label, item in zip(labels, items, strict=True):
            emit([*path, label], item, False)
    # a line without sentence ends is still cut: embedding time grows steeply with a chunk's length
    bounded = [(path, text[start:start + MAX_EMBED_CHARS])
               for path, text, _ in drafts for start in range(0, len(text), MAX_EMBED_CHARS)]
    return [
        Chunk(
            id=content_hash(doc.id, str(i), "/".join(path), text),
            doc_id=doc.id,
            ordinal=i,
            heading_path=path,
            text=text,
        )
        for i, (path, text) in enumerate(bounded)
    ]
