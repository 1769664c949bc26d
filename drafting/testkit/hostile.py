"""Hostile uploads, generated in memory: a zip bomb, a paragraph flood, a sheet that lies about its size."""

import io
import struct
import zipfile
import zlib

WORD_HEAD = b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
WORD_TAIL = b"</w:body></w:document>"


def deflated_copies(chunk: bytes, times: int) -> bytes:
    """A raw deflate stream of `chunk` repeated `times`, from one compressed copy: a full flush resets
    the window, so copies of a flushed block concatenate into one valid stream."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    return block * times + zlib.compressobj(9, zlib.DEFLATED, -15).flush()


def zip_of(parts: list[tuple[str, bytes, int, int]]) -> bytes:
    """A zip archive of already deflated parts, each `(name, deflated, crc, declared size)` as given."""
    out, central = io.BytesIO(), []
    for name, data, crc, size in parts:
        offset, encoded = out.tell(), name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size,
                              len(encoded), 0) + encoded + data)
        central.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data),
                                   size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    start = out.tell()
    out.write(b"".join(central))
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central), out.tell() - start,
                          start, 0))
    return out.getvalue()


def word_bomb(declared: int | None = None) -> bytes:
    """About 2 MB of .docx whose document.xml inflates to 2 GB (declaring that, or `declared`)."""
    chunk = b"<w:p><w:r><w:t>" + b"a" * (1 << 20) + b"</w:t></w:r></w:p>"
    body = deflated_copies(chunk, 2048)
    return zip_of([("word/document.xml", body, 0, declared if declared is not None else 2048 * len(chunk))])


def paragraph_flood(count: int = 3_000_000) -> bytes:
    """A valid, small .docx of `count` empty paragraphs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/document.xml", WORD_HEAD + b"<w:p/>" * count + WORD_TAIL)
    return buffer.getvalue()


def sheet_rows(count: int, dimension: str | None = None) -> bytes:
    """An .xlsx of `count` one-cell rows under a heading, its stored dimension set to `dimension`."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["意见"])
    for k in range(count):
        sheet.append([f"第{k}条：食堂太贵"])
    buffer = io.BytesIO()
    book.save(buffer)
    if dimension is None:
        return buffer.getvalue()
    source, out = zipfile.ZipFile(buffer), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(f'<dimension ref="A1:A{count + 1}"/>'.encode(),
                                    f'<dimension ref="{dimension}"/>'.encode())
                assert f'ref="{dimension}"'.encode() in data
            archive.writestr(info, data)
    return out.getvalue()
