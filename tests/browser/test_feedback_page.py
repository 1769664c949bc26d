"""意见归类 in a real browser: paste opinions, see the themes, move one opinion, download the Excel list."""

import io

import openpyxl
import pytest

from tests.api.conftest import CONCERNS, OPINIONS

from .conftest import shot

pytestmark = pytest.mark.browser


def count_of(page, theme_id: str) -> int:
    return int(page.inner_text(f'#themes-table td[data-count="{theme_id}"]'))


def test_group_opinions_move_one_and_export(page):
    page.goto("/feedback")
    page.fill("#opinions", OPINIONS + "我是张三，电话13812345678，希望支部书记多到车间听听意见\n")
    page.click("#classify-button")
    page.wait_for_selector("#result:not(.hidden)", timeout=90_000)
    assert page.locator("#chart .bar-row").count() >= 2
    assert "13812345678" not in page.content()
    study, commitment = count_of(page, "study"), count_of(page, "commitment")
    shot(page, "feedback-themes")

    page.click('#themes-table tr.theme[data-theme="study"]')
    opinions = page.locator("#themes-table tr.opinions .opinion")
    assert opinions.count() == study
    first = opinions.first.locator("span").inner_text()
    opinions.first.locator("select").select_option("commitment")
    cell = "document.querySelector('#themes-table td[data-count=\"commitment\"]')"
    page.wait_for_function(f"{cell}.textContent == '{commitment + 1}'")
    assert count_of(page, "study") == study - 1
    page.click('#themes-table tr.theme[data-theme="commitment"]')
    assert first in page.inner_text("#themes-table")
    shot(page, "feedback-moved")

    with page.expect_download() as download_info:
        page.click("#download-xlsx")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    with open(download.path(), "rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    cells = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value]
    assert first in cells
    assert not any("13812345678" in cell for cell in cells)

    page.reload()
    page.wait_for_selector("#result:not(.hidden)")
    assert count_of(page, "commitment") == commitment + 1
    assert page.locator("#run-history li").count() == 1


def test_discovery_only_shows_new_themes_apart(page):
    page.goto("/feedback")
    page.fill("#opinions", CONCERNS)
    page.select_option("#taxonomy-choice", "none")
    page.click("#classify-button")
    page.wait_for_selector("#result:not(.hidden)", timeout=90_000)
    assert page.locator("#discovered-card:not(.hidden) #discovered-table tr.theme").count() >= 2
    page.click("#discovered-table tr.theme >> nth=0")
    assert page.locator("#discovered-table tr.opinions .opinion").count() >= 3
    shot(page, "feedback-discovered")
