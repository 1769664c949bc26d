"""意见归类 in a real browser at desk and phone width: paste opinions, move one, download the Excel list."""

import io

import openpyxl
import pytest

from tests.api.conftest import CONCERNS, OPINIONS

from .conftest import (
    PIXELS,
    looks_right,
    no_injected_script_ran,
    overflowing,
    progress_seen,
    shot,
    watch_progress,
)

pytestmark = pytest.mark.browser

REPEATED = "学习基本上就是读文件、念报纸，大家坐着听，效果一般。"
INJECTED = ['<script>window.__xss=1</script>希望多开展实践活动',
            '<img src=x onerror="window.__xss=1">承诺没人检查']
UNIT = '某某街道{}党工委<img src=x onerror="window.__xss=1">'


def count_of(page, theme_id: str) -> int:
    return int(page.inner_text(f'#themes-table td[data-count="{theme_id}"]'))


def test_group_opinions_move_one_and_export(page, fitted):
    assert fitted() == [200]
    page.goto("/feedback")
    looks_right(page, "feedback-form")
    page.click("#classify-button")
    assert page.inner_text("#form-error") == "请粘贴群众意见，或选择一个文件"

    text = OPINIONS + (REPEATED + "\n") * 2 + "\n".join(INJECTED) + "\n"
    unit = UNIT.format(PIXELS[page.width])
    page.fill("#unit", unit)
    page.fill("#opinions", text + "我是张三，电话13812345678，希望支部书记多到车间听听意见\n")
    watch_progress(page, "#progress")
    page.click("#classify-button")
    page.wait_for_selector("#result:not(.hidden)", timeout=90_000)
    seen = progress_seen(page)
    assert seen["inView"] is True
    assert any("/" in text for text in seen["counts"]), seen["counts"]
    assert page.locator("#chart .bar-row").count() >= 2
    assert "13812345678" not in page.content()
    no_injected_script_ran(page)
    study, commitment = count_of(page, "study"), count_of(page, "commitment")
    looks_right(page, "feedback-themes")

    page.click('#themes-table tr.theme[data-theme="study"]')
    repeated = page.locator("#themes-table tr.opinions .opinion", has_text=REPEATED)
    assert "共 3 条" in repeated.inner_text()
    repeated.locator("select").select_option("commitment")
    cell = "(n) => document.querySelector('td[data-count=\"commitment\"]').textContent == String(n)"
    page.wait_for_function(cell, arg=commitment + 3)
    assert count_of(page, "study") == study - 3
    page.click('#themes-table tr.theme[data-theme="commitment"]')
    assert REPEATED in page.inner_text("#themes-table")

    page.check("#move-one")
    moved = page.locator("#themes-table tr.opinions .opinion", has_text=REPEATED)
    moved.locator("select").select_option("study")
    page.wait_for_function(cell, arg=commitment + 2)
    assert count_of(page, "study") == study - 2
    assert overflowing(page) == []
    shot(page, "feedback-moved")

    with page.expect_download() as download_info:
        page.click("#download-xlsx")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert any(REPEATED in cell for cell in cells)
    assert not any("13812345678" in cell for cell in cells)

    page.reload()
    page.wait_for_selector("#result:not(.hidden)")
    assert count_of(page, "commitment") == commitment + 2
    assert page.input_value("#unit") == unit
    page.fill("#runs-q", f"某某街道{PIXELS[page.width]}")
    page.click("#runs-search button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll('#runs-list li').length == 1")
    assert unit in page.inner_text("#runs-list")
    no_injected_script_ran(page)


@pytest.mark.parametrize("width", ["phone"])
def test_discovery_only_shows_new_themes_apart(page, fitted):
    assert fitted() == [200]
    page.goto("/feedback")
    page.fill("#opinions", CONCERNS)
    page.select_option("#taxonomy-choice", "none")
    page.click("#classify-button")
    page.wait_for_selector("#result:not(.hidden)", timeout=90_000)
    assert page.locator("#discovered-card:not(.hidden) #discovered-table tr.theme").count() >= 2
    page.click("#discovered-table tr.theme >> nth=0")
    assert page.locator("#discovered-table tr.opinions .opinion").count() >= 3
    looks_right(page, "feedback-discovered")


HOSPITAL_LINES = "\n".join([
    "挂号排队排了一个多小时，窗口就开两个", "抽血窗口早上人太多，等了四十分钟",
    "停车场车位太少，转了三圈才停上",
    "门口接送病人的车把路堵死了", "食堂饭菜太贵，味道也一般", "住院部食堂菜太咸", "收费处算错了两次钱",
    "出院结算要跑三个窗口", "护士态度很好，就是夜里呼叫铃响很久才来", "病房卫生间太脏，没人打扫"] * 2)


@pytest.mark.parametrize("width", ["phone"])
def test_the_chosen_sector_s_themes_are_used(page, fitted):
    assert fitted() == [200]
    page.goto("/feedback")
    options = page.locator("#sector option").all_inner_texts()
    assert options[0] == "按意见内容识别" and {"医院", "学校", "农村", "税务"} <= set(options)
    page.fill("#opinions", HOSPITAL_LINES)
    page.select_option("#sector", "医院")
    with page.expect_request(lambda r: r.url.endswith("/api/feedback") and r.method == "POST") as sent:
        page.click("#classify-button")
    assert '"sector":"医院"' in (sent.value.post_data or "")
    page.wait_for_selector("#result:not(.hidden)", timeout=90_000)
    names = page.inner_text("#themes-table")
    assert "停车" in names and "食堂" in names
    looks_right(page, "feedback-sector")
