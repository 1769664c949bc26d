"""Render a draft to .docx, then with LibreOffice to PDF and with pdftoppm to PNG pages, for a human look.

    .venv/bin/python benchmarks/look_docx.py [DRAFT.json] [--out /tmp/drafting-look]
    .venv/bin/python benchmarks/look_docx.py --list RESULT.json [--out /tmp/drafting-look]

With --list, RESULT.json is the output of `drafting classify --format json`: its rectification list (整改清单)
is rendered instead, and the rows of the list on each page are printed.

Without DRAFT.json (the output of `drafting draft --format json`, plus optional unit and date_text) a built-in
two-page sample is used. Writes draft.docx and its PDF and PNG pages, and preview.* with the character grid
relaxed for LibreOffice (see _relax_char_grid). Prints the conversion times and, read back from each PDF, the
pages, the text lines of each page and the widest body line (GB/T 9704: 22 lines of 28 characters; Word lays
out 28, LibreOffice's preview 27).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from docx import Document
from docx.oxml.ns import qn
from pypdf import PdfReader

from drafting.feedback.export import APPENDIX, STATUSES
from drafting.feedback.export import to_docx as list_to_docx
from drafting.feedback.models import ClassifyResult
from drafting.writer.models import Draft, Section, Verification
from drafting.writer.render import to_docx


def sample_draft() -> Draft:
    """A summary with an opening, 一级 and 二级 headings, run-in headings, a gap and a long paragraph."""
    sections = [
        Section(heading="", items=[
            "按照县委组织部统一部署，我局于2024年5月至6月开展了党员群众评议工作。现将有关情况总结如下。",
        ]),
        Section(heading="一、采取四项措施，找准群众评议工作风向标", items=[
            "一是准备工作求细。局党组召开专题会议研究部署，成立由党组书记任组长的评议工作领导小组，制定实施方案，"
            "明确评议对象、评议内容、评议方法和时间安排，确保评议工作有序推进。",
            "二是宣传发动求广。通过局门户网站、微信公众号、宣传栏等载体广泛宣传评议工作的目的和意义，"
            "共发放征求意见表126份，收回118份，回收率93.7%。",
            "（一）坚持问题导向",
            "三是评议方式求实。采取个别谈话、座谈会、问卷调查等方式，面向服务对象、基层单位和干部职工征求意见建议。",
            "（二）注重结果运用。对评议中发现的问题逐条梳理，建立问题清单、责任清单和整改清单，明确整改时限和责任人，"
            "做到件件有着落、事事有回音。",
        ]),
        Section(heading="二、群众评议工作的主要特点", items=[
            "一是领导重视。局党组把群众评议作为加强作风建设的重要抓手，主要负责同志亲自部署、亲自督导。"
            "班子成员深入分管科室和基层站所，面对面听取群众意见，推动评议工作落到实处。" * 2,
            "二是覆盖面广。评议范围覆盖全局12个科室、5个基层站所，参评群众〔待补充：参评群众人数〕人。",
        ]),
        Section(heading="三、存在的问题和下一步打算", items=[
            "对照群众评议反映的问题，我们还存在服务意识不强、办事效率不高、政策宣传不到位等不足。"
            "下一步，我们将以此次评议为契机，持续改进工作作风，不断提升服务质量和群众满意度。" * 3,
        ]),
    ]
    return Draft(
        title="中共某某县农业农村局党组2024年群众评议工作总结",
        text="", markdown="", sections=sections, verification=Verification(ok=True),
        engine="template", unit="中共某某县农业农村局党组", date_text="二〇二四年六月二十八日",
    )


def _page_lines(pdf: Path) -> list[list[str]]:
    """Text lines of each page, without the page-number line."""
    pages = []
    for page in PdfReader(pdf).pages:
        lines = [line.replace(" ", "") for line in page.extract_text().splitlines() if line.strip()]
        pages.append([line for line in lines if not line.startswith("—")])
    return pages


def _relax_char_grid(docx_path: Path, preview_path: Path) -> None:
    """A copy whose character grid pitch equals the font size: LibreOffice spreads a glyph wider than one grid
    cell over two cells instead of compressing the pitch as Word and WPS do, so the real file reads 14-17
    characters a line there."""
    doc = Document(str(docx_path))
    grid = doc.sections[0]._sectPr.find(qn("w:docGrid"))
    grid.set(qn("w:charSpace"), "0")
    doc.save(str(preview_path))


# Stand-ins for the GB/T 9704 fonts, which no Linux machine has, so the levels stay apart on the page:
# 仿宋 and 宋体 as a serif, 黑体 as a sans, 小标宋 as a bold serif, 楷体 as AR PL UKai when installed
# (apt-get install fonts-arphic-ukai), else Noto Sans CJK in the system fallback.
_STAND_INS = {
    "仿宋_GB2312": ("Noto Serif CJK SC", "regular"),
    "宋体": ("Noto Serif CJK SC", "regular"),
    "黑体": ("Noto Sans CJK SC", "regular"),
    "方正小标宋简体": ("Noto Serif CJK SC", "bold"),
    "楷体_GB2312": ("AR PL UKai CN", "regular"),
}


def _fontconfig(out: Path) -> Path:
    rules = "".join(
        f'<match target="pattern"><test name="family"><string>{name}</string></test>'
        f'<edit name="family" mode="assign" binding="strong"><string>{family}</string></edit>'
        f'<edit name="weight" mode="assign" binding="strong"><const>{weight}</const></edit></match>'
        for name, (family, weight) in _STAND_INS.items())
    path = out / "fonts.conf"
    path.write_text('<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd"><fontconfig>'
                    f"<include>/etc/fonts/fonts.conf</include>{rules}</fontconfig>", encoding="utf-8")
    return path


def _list_rows_per_page(pdf: Path) -> list[int]:
    """Rows of the rectification list on each of its pages (before the appendix): one 整改状态 cell a row."""
    pages = [page.extract_text() for page in PdfReader(pdf).pages]
    listed = "\f".join(pages).split(APPENDIX)[0].split("\f")
    counts = [sum(page.count(status) for status in STATUSES) for page in listed]
    return [count for count in counts if count]


def _convert(docx_path: Path, out: Path, prefix: str) -> None:
    start = time.perf_counter()
    # A profile of our own, so a concurrent LibreOffice of someone else does not block the conversion.
    profile = f"-env:UserInstallation=file://{out / 'lo-profile'}"
    env = {**os.environ, "FONTCONFIG_FILE": str(_fontconfig(out))}
    subprocess.run(["libreoffice", profile, "--headless", "--convert-to", "pdf", "--outdir", str(out),
                    str(docx_path)], check=True, capture_output=True, timeout=180, env=env)
    pdf_path = docx_path.with_suffix(".pdf")
    seconds = time.perf_counter() - start
    for old in out.glob(f"{prefix}-*.png"):
        old.unlink()
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf_path), str(out / prefix)],
                   check=True, timeout=120)
    pngs = sorted(out.glob(f"{prefix}-*.png"))
    pages = _page_lines(pdf_path)
    body = [line for page in pages for line in page[3:]]  # after the title and its blank line
    print(f"{prefix}: {pdf_path} ({seconds:.1f}s) -> {' '.join(p.name for p in pngs)}")
    print(f"  pages {len(pages)}; lines per page {[len(p) for p in pages]}; "
          f"widest body line {max((len(line) for line in body), default=0)} characters")
    if prefix == "list":
        print(f"  rows of the list per page {_list_rows_per_page(pdf_path)}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("draft", nargs="?", type=Path, help="a draft JSON file; default: the built-in sample")
    parser.add_argument("--list", type=Path, help="a classify result (JSON): render its 整改清单")
    parser.add_argument("--out", type=Path, default=Path("/tmp/drafting-look"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.list:
        result = ClassifyResult.model_validate_json(args.list.read_text(encoding="utf-8"))
        list_path = args.out / "list.docx"
        list_path.write_bytes(list_to_docx(result))
        _convert(list_path, args.out, "list")
        return 0
    if args.draft:
        with open(args.draft, encoding="utf-8") as handle:
            draft = Draft.model_validate(json.load(handle))
    else:
        draft = sample_draft()
    docx_path = args.out / "draft.docx"
    start = time.perf_counter()
    docx_path.write_bytes(to_docx(draft))
    print(f"docx: {docx_path} ({time.perf_counter() - start:.2f}s)")
    _convert(docx_path, args.out, "draft")
    preview_path = args.out / "preview.docx"
    _relax_char_grid(docx_path, preview_path)
    _convert(preview_path, args.out, "preview")
    return 0


if __name__ == "__main__":
    sys.exit(main())
