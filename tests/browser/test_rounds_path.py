"""The whole path across two rounds in a real browser at desk and phone width: paste opinions → themes →
adopt as the ledger → mark rows (one 已销号 with its 复查人 and date, one 整改中) → the next round's opinions
→ the changes and flags → 用归类结果起草总结 → fill what the run cannot know → the draft → Word."""

import io

import docx
import httpx
import openpyxl
import pytest

from tests.api.conftest import OPINIONS
from tests.api.test_feedback import NEXT_ROUND  # more on study, which this test closes first

from .conftest import PIXELS, looks_right, shot

pytestmark = pytest.mark.browser

COLUMNS = ["序号", "来源", "问题类别", "问题描述", "整改类型", "整改措施", "责任领导", "责任部门", "责任人",
           "计划完成时限", "实际完成时间", "整改状态", "复查人", "复查日期", "销号情况/备注"]
# The row shows the state it was saved with, and its editor is closed.
SAVED = """([theme, state]) => {
  const row = document.querySelector(`#rows-table tr[data-theme="${theme}"]`);
  return row && row.querySelector(".state").textContent === state
    && !document.querySelector("#rows-table form.row-form");
}"""
MEASURE = "每季度组织一次现场教学，学习内容结合群众关心的实事"


def classify(page, unit: str, text: str) -> str:
    """Paste the opinions for the unit, wait for the themes; the run's id."""
    page.goto("/feedback")
    page.fill("#unit", unit)
    page.fill("#opinions", text)
    page.click("#classify-button")
    page.wait_for_selector("#result:not(.hidden)", timeout=90_000)
    page.wait_for_url("**/feedback?id=*")
    return page.url.rsplit("=", 1)[1]


def edit_row(page, theme: str) -> None:
    page.click(f'#rows-table tr[data-theme="{theme}"] [data-edit]')
    page.wait_for_selector("#rows-table form.row-form")


def save_state(page, theme: str, state: str) -> None:
    edit_row(page, theme)
    page.select_option("#edit-state", state)
    page.click("#edit-save")
    page.wait_for_function(SAVED, arg=[theme, state])


def set_date(page, box: str, year: str, month: str, day: str) -> None:
    for part, value in (("y", year), ("m", month), ("d", day)):
        page.select_option(f"{box} [data-part={part}]", value)


def test_two_rounds_from_opinions_to_the_draft(page, server, fitted):
    assert fitted() == [200]
    unit = f"城关镇第{PIXELS[page.width]}党委"
    first_run = classify(page, unit, OPINIONS)

    # the organiser rewrites one theme's measure and department; the ledger takes them
    page.click('#themes-table [data-edit-theme="study"]')
    page.fill("#theme-measure", "")
    page.click("#theme-save")
    page.wait_for_selector("#theme-error:not(.hidden)")
    assert page.inner_text("#theme-error") == "整改措施：不能为空"
    page.fill("#theme-measure", MEASURE)
    page.fill("#theme-department", "党建办")
    page.click("#theme-save")
    page.wait_for_selector("#theme-measure", state="detached")
    assert MEASURE in page.inner_text('#themes-table tr[data-theme="study"]')

    page.click("#adopt-open")
    assert page.input_value("#adopt-unit") == unit
    page.fill("#round-label", "")
    page.click("#adopt-button")
    page.wait_for_selector("#adopt-error:not(.hidden)")
    assert page.inner_text("#adopt-error") == "请填写轮次名称，如：2026年第四季度"
    page.fill("#round-label", "2026年第三季度")
    page.click("#adopt-button")
    page.wait_for_selector("#adopted:not(.hidden)")
    assert "2026年第三季度" in page.inner_text("#adopted") and page.locator("#adopt-open").is_hidden()
    page.click("#open-ledger")

    page.wait_for_selector("#ledger:not(.hidden)")
    study = page.locator('#rows-table tr[data-theme="study"]')
    assert MEASURE in study.inner_text() and "党建办" in study.inner_text()
    assert page.locator("#rows-table thead th").all_text_contents()[:15] == COLUMNS
    page.fill("#editor-name", "党建办 李明")
    save_state(page, "study", "整改中")
    save_state(page, "study", "待验收")
    edit_row(page, "study")
    page.select_option("#edit-state", "已销号")
    page.click("#edit-save")
    page.wait_for_selector("#edit-error:not(.hidden)")
    assert page.inner_text("#edit-error") == "复查人：销号须填写复查人和复查日期"
    assert page.locator("#edit-reviewer.invalid").count() == 1
    looks_right(page, "ledger-row-error")
    page.fill("#edit-reviewer", "王五")
    set_date(page, "#edit-reviewed", "2026", "11", "30")
    set_date(page, "#edit-finished", "2026", "11", "28")
    page.fill("#edit-note", "已组织现场教学两次")
    page.click("#edit-save")
    page.wait_for_function("() => document.querySelector('#rows-table tr[data-theme=\"study\"] .state')"
                           ".textContent === '已销号'")
    closed = page.inner_text('#rows-table tr[data-theme="study"]')
    assert "王五" in closed and "2026年11月30日" in closed
    save_state(page, "commitment", "整改中")

    # someone else changes the commitment row first: this editor is told to refresh, then can go on
    ledger_id = page.url.rsplit("=", 1)[1]
    rows = httpx.get(f"{server}/api/ledgers/{ledger_id}").json()["rows"]
    number = next(r["number"] for r in rows if r["theme"] == "commitment")
    version = next(r["version"] for r in rows if r["theme"] == "commitment")
    assert httpx.patch(f"{server}/api/ledgers/{ledger_id}/rows/{number}",
                       json={"by": "赵六", "version": version, "owner": "赵六"}).status_code == 200
    edit_row(page, "commitment")
    page.fill("#edit-owner", "钱七")
    page.click("#edit-save")
    page.wait_for_selector("#rows-table .row-message")
    assert "该行已被他人修改，请刷新后再改" in page.inner_text("#rows-table .row-message")
    page.click("#rows-table .row-message button")
    page.wait_for_selector("#rows-table .row-message", state="detached")
    assert "赵六" in page.inner_text('#rows-table tr[data-theme="commitment"]')

    assert "已整改销号1项" in page.inner_text("#ledger-sentence")
    assert "已办结销号（1项）" in page.inner_text("#report-lists")
    log = page.inner_text("#changes-table")
    assert "党建办 李明" in log and "赵六" in log and "复查人" in log
    looks_right(page, "ledger")

    # the next round of the same unit: the changes and flags, the chart of rounds
    second_run = classify(page, unit, NEXT_ROUND)
    assert second_run != first_run
    page.wait_for_selector("#compare-card:not(.hidden)")
    study_change = page.inner_text('#compare-table tr[data-compare="study"]')
    assert "销号后未下降" in study_change and "复发" in study_change
    assert "上一轮：2026年第三季度" in page.inner_text("#compare-card")
    assert "study" not in page.inner_text("#compare-flags")
    assert page.locator('#rounds-chart .round-group[data-chart="study"] .round-bar').count() == 2
    assert page.locator("#rounds-chart .rounds-legend span").all_inner_texts() == ["2026年第三季度", "本轮"]
    looks_right(page, "comparison")
    page.locator("#compare-card").screenshot(path=str(shot(page, "comparison").with_name(
        f"comparison-card-{page.width}.png")))

    # 用归类结果起草总结: the run's figures filled in, what it cannot know asked for
    page.click("#draft-from-run")
    page.wait_for_selector("#from-run:not(.hidden)")
    assert page.locator("#sector.asked").count() == 1 and page.locator("#basis.asked").count() == 1
    assert "请核对" in page.inner_text("#from-run")
    assert page.input_value("#unit") == unit
    total = str(len(NEXT_ROUND.splitlines()))
    assert page.locator("#stats .item [data-field=value]").first.input_value() == total
    carried = page.locator("#carried li").all_inner_texts()
    assert len(carried) == 2 and any("已销号" in c and "已组织现场教学两次" in c for c in carried), carried
    assert any("整改中" in c for c in carried)
    looks_right(page, "draft-from-run")
    page.select_option("#sector", "机关")
    page.fill("#basis", "县委关于开展群众评议工作的通知")
    page.locator("#highlights textarea").first.fill("开通书记热线，当场解决群众反映的问题")
    page.select_option("#engine", "template")
    page.click("#draft-button")
    page.wait_for_selector("#result:not(.hidden)", timeout=90_000)
    text = page.inner_text("#doc")
    assert "县委关于开展群众评议工作的通知" in text and total in text
    # the draft reports on last round's rows: one 已销号 (with its note), one 整改中
    assert "上一轮共梳理问题2项，已整改销号1项，正在整改1项" in text, text
    assert "已组织现场教学两次" in text
    looks_right(page, "draft-from-run-result")

    with page.expect_download() as download_info:
        page.click("#download")
    with open(download_info.value.path(), "rb") as handle:
        document = docx.Document(io.BytesIO(handle.read()))
    body = "\n".join(p.text for p in document.paragraphs)
    assert unit in body and "县委关于开展群众评议工作的通知" in body


@pytest.mark.parametrize("width", ["phone"])
def test_a_closed_round_is_shown_frozen_and_downloads(page, server, fitted):
    assert fitted() == [200]
    body = {"text": OPINIONS, "unit": "关闭测试村党支部"}
    made = httpx.post(f"{server}/api/feedback", json=body, timeout=120)
    ledger = httpx.post(f"{server}/api/ledgers", json={"run_id": made.json()["id"], "label": "第一轮"}).json()
    page.goto(f"/ledger?id={ledger['id']}")
    page.wait_for_selector("#ledger:not(.hidden)")
    assert page.locator("#rows-table [data-edit]").count() == len(ledger["rows"])
    with page.expect_download() as download_info:
        page.click("#ledger-xlsx")
    with open(download_info.value.path(), "rb") as handle:
        book = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert book.sheetnames[:4] == ["整改台账", "新增问题", "推进落实", "已办结销号"]

    page.click("#close-round")  # the confirmation is accepted by the fixture
    page.wait_for_selector("#close-round", state="hidden")
    assert "关闭，台账不再修改" in page.inner_text("#ledger-meta")
    assert page.locator("#rows-table [data-edit]").count() == 0 and page.locator("#editor-box").is_hidden()
    assert "已关闭" in page.inner_text("#rounds .chip.active")
    looks_right(page, "ledger-closed")
