"""Hostile opinion files (issue 12): each is built in memory, then read in a fresh interpreter, which
reports its answer, the seconds reading took and its peak RSS (VmHWM: getrusage's ru_maxrss would carry
this parent's peak across exec). Run: python benchmarks/hostile_uploads.py"""

import io
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from drafting.testkit.hostile import paragraph_flood, word_bomb  # noqa: E402

SHEET_HEAD = (b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
              b'<dimension ref="A1:A2"/><sheetData>')
WORKBOOK = (b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r='
            b'"http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
            b'<sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = (b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="worksheet"/></Relationships>')


def rows_behind_a_small_dimension(count: int) -> bytes:
    """An .xlsx whose dimension says A1:A2 but whose sheet holds `count` rows of opinions."""
    rows = b"".join(b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>%s</t></is></c></row>'
                    % (k, k, f"第{k}条：食堂饭菜太贵".encode()) for k in range(1, count + 1))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", RELS)
        archive.writestr("xl/worksheets/sheet1.xml", SHEET_HEAD + rows + b"</sheetData></worksheet>")
    return buffer.getvalue()


CASES = {
    "docx, 2 GB document.xml declared (zip bomb)": ("docx", word_bomb),
    "docx, 2 GB inflating behind a 1 KB declaration": ("docx", lambda: word_bomb(declared=1000)),
    "docx, 3,000,000 empty paragraphs": ("docx", paragraph_flood),
    "xlsx, dimension A1:A2, 150,000 rows": ("xlsx", lambda: rows_behind_a_small_dimension(150_000)),
    "xlsx, dimension A1:A2, 3,000,000 rows": ("xlsx", lambda: rows_behind_a_small_dimension(3_000_000)),
}

CHILD = textwrap.dedent("""\
    import re, sys, time
    from drafting.errors import DraftingError
    from drafting.feedback.read import read_opinions
    data = open(sys.argv[1], "rb").read()
    start = time.perf_counter()
    try:
        answer = f"read {len(read_opinions(sys.argv[1], data).lines):,} lines"
    except DraftingError as exc:
        answer = str(exc)
    peak = int(re.search(r"VmHWM:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024
    print(f"{time.perf_counter() - start:.2f}\\t{peak}\\t{answer}")
    """)


def main() -> None:
    print("| file | zipped | answer | seconds | peak RSS |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for label, (suffix, build) in CASES.items():
            data = build()
            path = Path(folder) / f"upload.{suffix}"
            path.write_bytes(data)
            started = time.perf_counter()
            out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                                 check=True).stdout.strip()
            seconds, peak, answer = out.split("\t")
            print(f"| {label} | {len(data) / 2**20:.1f} MB | {answer} | {seconds} "
                  f"(process {time.perf_counter() - started:.1f}) | {peak} MB |")


if __name__ == "__main__":
    main()
