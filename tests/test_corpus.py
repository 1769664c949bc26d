"""Reading .txt/.md/.docx/.pdf, repairing extraction damage, and chunking along the genre's headings."""

import io

import pytest

from drafting.config import CORPUS_DIR
from drafting.corpus.load import (
    clean_text,
    collect_paths,
    parse_document,
    read_file,
    read_upload,
    split_chunks,
)
from drafting.errors import BadInput, TooLarge

LIMIT = 1_000_000

# As copied out of a PDF: title and unit lines, a glued heading, a sentence broken across lines,
# a stray page number, a space inside a word, ‚…‛ quotes, the signing date at the end.
GARBLED = """创先争优群众评议工作总结
某某社区党委
按照街道党工委的部署，我社区开展了群众评议工作，现总结如下。
一、采取三项措施，夯实评议基础 坚持把走群众路线作为出发点。一是准备工作求细。成立了以书记为组长的\
领导小组，召开座谈会，发放测评表，广泛听取意见，确保评
议工作不走过场。二是评议范围求广。邀请居民代表、驻区单位代表参加评议，形式灵 活多样。
二、突出‚三个结合‛，确保评议实效
坚持评议与整改相结合，对群众意见逐条梳理，推动社区服务水平不断提 2 高，群众满意度明显上升。
二〇一二年元月十五日
"""


def test_plain_text_is_repaired_and_described_from_its_first_lines():
    doc = parse_document(GARBLED, source="summary.txt")
    assert (doc.title, doc.unit, doc.sector, doc.date) == (
        "创先争优群众评议工作总结",
        "某某社区党委",
        "街道社区",
        "2012-01-15",
    )
    lines = doc.text.split("\n")
    assert "一、采取三项措施，夯实评议基础" in lines
    assert "确保评议工作不走过场。" in doc.text
    assert "形式灵活多样" in doc.text
    assert "二、突出“三个结合”，确保评议实效" in lines
    assert "服务水平不断提高" in doc.text


def test_quote_pair_lifted_out_of_its_words_by_pdf_extraction_is_dropped():
    assert clean_text("为确保群众“”评议工作不走过场。") == "为确保群众评议工作不走过场。"


def test_a_long_title_is_not_glued_to_the_first_paragraph():
    doc = parse_document(
        "海州实验中学党总支2024年度党员创先争优活动群众评议工作情况总结报告\n按照上级党委的统一部署，开展评议。"
    )
    assert doc.title == "海州实验中学党总支2024年度党员创先争优活动群众评议工作情况总结报告"
    assert doc.text == "按照上级党委的统一部署，开展评议。"


def test_blanks_of_a_statistics_form_are_kept():
    text = clean_text(
        "1、被评议的党支部有 1 个，评议为“基本满意”以上的有 个。\n填报单位：某党支部 填报时间：2024年1月15日"
    )
    assert "有 1 个" in text and "以上的有 个" in text
    assert "某党支部 填报时间" in text


def test_front_matter_gives_title_unit_sector_date_and_kind():
    doc = read_file(CORPUS_DIR / "05-yinyu-mine-appraisal-form.md", LIMIT)
    assert (doc.title, doc.unit, doc.sector, doc.date, doc.kind) == (
        "党组织开展创先争优活动情况群众评议相关数据统计单",
        "银宇煤矿党支部",
        "企业",
        "2024-01-15",
        "form",
    )
    assert not doc.text.startswith("---")


def test_chunks_carry_heading_path_down_to_the_item():
    doc = read_file(CORPUS_DIR / "03-district-committee-appraisal.md", LIMIT)
    chunks = split_chunks(doc)
    found = [c for c in chunks if "评议范围求广" in c.text]
    assert len(found) == 1
    assert found[0].heading_path == ["一、采取四项措施，找准群众评议工作风向标", "二是评议范围求广"]
    assert found[0].text.startswith("二是评议范围求广。") and "三是评议内容求精" not in found[0].text
    intro = [c for c in chunks if c.text.startswith("坚持把走群众路线")]
    assert intro[0].heading_path == ["一、采取四项措施，找准群众评议工作风向标"]


def test_nested_headings_and_numbered_items():
    chunks = split_chunks(read_file(CORPUS_DIR / "01-haizhou-school-appraisal.md", LIMIT))
    item = next(c for c in chunks if c.text.startswith("1、成立领导小组"))
    assert item.heading_path == [
        "一、对前一阶段主要工作开展情况的评议",
        "（一）学习计划完成情况比较令人满意",
        "1、成立领导小组",
    ]
    learning = next(c for c in chunks if "分散自学" in c.text)
    assert learning.heading_path[-1] == "3、党员的学习安排紧揍得体"
    lone_item = next(c for c in chunks if c.text.startswith("二是组织严密"))
    assert lone_item.heading_path == ["二、群众评议一致认为第一阶段活动有如下特点", "二是组织严密"]


def test_chunk_ids_are_content_hashes():
    doc = read_file(CORPUS_DIR / "06-yinyu-mine-appraisal.md", LIMIT)
    again = read_file(CORPUS_DIR / "06-yinyu-mine-appraisal.md", LIMIT)
    assert [c.id for c in split_chunks(doc)] == [c.id for c in split_chunks(again)]
    changed = doc.model_copy(update={"text": doc.text.replace("银宇煤矿", "金宇煤矿"), "id": "other"})
    assert not {c.id for c in split_chunks(doc)} & {c.id for c in split_chunks(changed)}


def test_long_paragraphs_are_cut_at_sentence_ends():
    chunks = split_chunks(read_file(CORPUS_DIR / "04-forest-police-appraisal.md", LIMIT))
    assert all(len(c.text) <= 400 for c in chunks)
    assert all(c.text.split("\n")[0][-1] in "。！？；：”" for c in chunks)
    assert chunks[-1].text.endswith(
        "更上一层楼！\n二〇一二年一月九日"
    )  # the signing line joins the last chunk


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(lines: list[str]) -> bytes:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("STSong-Light", 11)
    for row, line in enumerate(lines):
        page.drawString(40, 800 - 18 * row, line)
    page.showPage()
    page.save()
    return buffer.getvalue()


DOCX_PARAGRAPHS = [
    "某某医院党委群众评议工作总结",
    "一、精心组织，广泛参与",
    "医院成立评议领导小组。一是设置意见箱，收集患者意见。二是召开座谈会，听取职工建议。",
]
PDF_LINES = [
    "某某中学党支部群众评议工作总结",
    "一、加强组织领导，突出责任意识",
    "学校党支部成立领导小组，制定实施方案，召开动员大会部署工作，将评议",
    "内容具体分工到人，做到事事有人抓、件件有落实。",
    "2",
]


def test_docx_is_read_and_chunked(tmp_path):
    path = tmp_path / "医院总结.docx"
    path.write_bytes(docx_bytes(DOCX_PARAGRAPHS))
    doc = read_file(path, LIMIT)
    assert (doc.title, doc.unit, doc.sector) == ("某某医院党委群众评议工作总结", "某某医院党委", "医院")
    paths = [c.heading_path for c in split_chunks(doc)]
    assert ["一、精心组织，广泛参与", "一是设置意见箱，收集患者意见"] in paths
    assert ["一、精心组织，广泛参与", "二是召开座谈会，听取职工建议"] in paths


def test_pdf_is_read_repaired_and_chunked(tmp_path):
    path = tmp_path / "school.pdf"
    path.write_bytes(pdf_bytes(PDF_LINES))
    doc = read_file(path, LIMIT)
    assert (doc.title, doc.unit, doc.sector) == ("某某中学党支部群众评议工作总结", "某某中学党支部", "学校")
    chunks = split_chunks(doc)
    assert len(chunks) == 1
    assert chunks[0].heading_path == ["一、加强组织领导，突出责任意识"]
    assert chunks[0].text.endswith("将评议内容具体分工到人，做到事事有人抓、件件有落实。")


def test_markdown_and_txt_uploads():
    doc = read_upload("a.md", "---\ntitle: 标题\nunit: 某村党支部\n---\n正文第一段。".encode(), LIMIT)
    assert (doc.title, doc.unit, doc.sector, doc.text) == ("标题", "某村党支部", "农村", "正文第一段。")
    gbk = read_upload("b.txt", "某局党组工作总结\n按照要求开展评议。".encode("gb18030"), LIMIT)
    assert gbk.title == "某局党组工作总结" and gbk.text == "按照要求开展评议。"


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        ("empty.txt", b"", "文件为空"),
        ("blank.md", b"  \n\n ", "文件为空"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是文本文件"),
        ("broken.docx", b"PK\x03\x04 this is not a word file", "无法读取 Word 文件"),
        ("broken.pdf", b"%PDF-1.4\n garbage without objects", "无法读取 PDF 文件"),
        ("photo.png", b"\x89PNG", "不支持的文件类型"),
        ("bad-front.md", b"---\ntitle: [unclosed\n---\ntext", "front matter"),
    ],
)
def test_bad_files_are_refused_with_one_line_naming_the_file(name, data, problem):
    with pytest.raises(BadInput) as caught:
        read_upload(name, data, LIMIT)
    message = str(caught.value)
    assert message.startswith(f"{name}: ") and problem in message and "\n" not in message


def test_pdf_without_text_is_refused(tmp_path):
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.rect(10, 10, 100, 100)
    page.showPage()
    page.save()
    with pytest.raises(BadInput, match="scan.pdf: PDF 中没有可提取的文字"):
        read_upload("scan.pdf", buffer.getvalue(), LIMIT)


def test_oversized_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("评议" * 100, encoding="utf-8")
    with pytest.raises(TooLarge, match="big.txt: 文件过大"):
        read_file(path, 50)


def test_folders_expand_to_supported_files(tmp_path):
    (tmp_path / "sub").mkdir()
    for name in ("a.txt", "sub/b.docx", "c.png", "sub/d.PDF", "sub/~$b.docx", ".hidden.md"):
        (tmp_path / name).write_bytes(b"x")
    assert [p.name for p in collect_paths([tmp_path])] == ["a.txt", "b.docx", "d.PDF"]
    with pytest.raises(BadInput, match="不存在"):
        collect_paths([tmp_path / "missing.txt"])


def test_markdown_headings_and_word_heading_styles_give_the_path(tmp_path):
    text = (
        "# 某医院党委工作总结\n\n## 主要做法\n\n一是开展患者满意度调查。二是设立意见箱。\n\n"
        "## 存在问题\n\n个别科室服务态度不好。"
    )
    chunks = split_chunks(read_upload("a.md", text.encode(), LIMIT))
    assert [c.heading_path for c in chunks] == [
        ["主要做法", "一是开展患者满意度调查"],
        ["主要做法", "二是设立意见箱"],
        ["存在问题"],
    ]
    import docx

    document = docx.Document()
    document.add_paragraph("某某公司党委群众评议工作总结", style="Title")
    document.add_paragraph("主要做法", style="Heading 1")  # Word numbers it itself: no 一、 in the text
    document.add_paragraph("召开职工恳谈会，听取职工意见。")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text, table.rows[0].cells[1].text = "参加评议人数", "120人"
    document.add_paragraph("存在问题", style="Heading 1")
    document.add_paragraph("服务意识有待提高。")
    path = tmp_path / "styled.docx"
    document.save(path)
    doc = read_file(path, LIMIT)
    assert (doc.title, doc.unit, doc.sector) == ("某某公司党委群众评议工作总结", "某某公司党委", "企业")
    assert [(c.heading_path, c.text) for c in split_chunks(doc)] == [
        (["主要做法"], "召开职工恳谈会，听取职工意见。\n参加评议人数 120人"),
        (["存在问题"], "服务意识有待提高。"),
    ]
