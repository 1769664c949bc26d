"""起草 in a real browser at desk and phone width: fill the form, see the verified draft, download Word."""

import datetime
import io

import docx
import httpx
import pytest

from .conftest import looks_right, no_injected_script_ran, overflowing, progress_seen, watch_progress

pytestmark = pytest.mark.browser

INJECTED_UNIT = '中共某某区委<img src=x onerror="window.__xss=1">'


def fill_facts(page, unit: str) -> None:
    page.fill("#unit", unit)
    page.select_option("#date [data-part=y]", "2024")
    page.select_option("#date [data-part=m]", "1")
    page.select_option("#date [data-part=d]", "12")
    page.select_option("#sector", "机关")
    page.select_option("#engine", "template")
    page.fill("#basis", "市委创先争优活动领导小组关于开展群众评议工作的通知")
    rows = page.locator("#stats .item")
    rows.nth(0).locator("[data-field=label]").fill("开展评议大会")
    rows.nth(0).locator("[data-field=value]").fill("645")
    rows.nth(0).locator("[data-field=unit]").fill("场次")
    page.click("[data-add=stats]")
    rows.nth(1).locator("[data-field=label]").fill("发放评议问卷")
    rows.nth(1).locator("[data-field=value]").fill("7800多")
    rows.nth(1).locator("[data-field=unit]").fill("份")
    page.click("[data-add=stats]")
    rows.nth(2).locator("[data-field=label]").fill("多余的一行")
    rows.nth(2).locator(".del").click()
    assert rows.count() == 2
    page.locator("#highlights textarea").first.fill("开通书记热线，当场解决群众反映的问题")
    page.locator("#problems textarea").first.fill("个别党组织对群众评议工作重视程度不够高")
    page.locator("#next_steps textarea").first.fill("推行一季一评议、半年一小结、年终一总评的群众评诺制度")


def test_write_a_draft_and_download_word(page):
    page.goto("/")
    page.wait_for_selector("#engine-note:not(.hidden)")
    assert page.locator("#engine option[value=llm]").is_disabled()
    assert "未配置大模型" in page.inner_text("#engine-note")
    today = page.evaluate("new Date()")
    assert page.input_value("#date [data-part=y]") == str(today.year)
    looks_right(page, "draft-form")

    page.click("#draft-button")
    assert page.inner_text("#form-error") == "请填写单位名称"
    assert page.evaluate("document.activeElement.id") == "unit"

    fill_facts(page, INJECTED_UNIT)
    watch_progress(page, "#progress")
    page.click("#draft-button")
    page.wait_for_selector("#result:not(.hidden)", timeout=90_000)
    assert progress_seen(page)["inView"] is True
    assert page.locator(".verify.ok").count() == 1
    figures = page.locator("#doc mark.fig").all_inner_texts()
    assert any("645" in f for f in figures) and any("7800多" in f for f in figures)
    assert INJECTED_UNIT in page.locator("#doc h1").inner_text()
    assert page.locator("#sources li").count() >= 1
    page.wait_for_selector("#drafts-list li")
    assert INJECTED_UNIT in page.inner_text("#drafts-list")
    no_injected_script_ran(page)
    looks_right(page, "draft-written")

    download_button = page.locator("#download")
    download_button.scroll_into_view_if_needed()
    assert download_button.is_visible()
    with page.expect_download() as download_info:
        download_button.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(open(download.path(), "rb").read())).paragraphs)
    assert "645" in text and INJECTED_UNIT in text

    page.click("#edit-button")
    edited = page.input_value("#edit-text").replace("645", "650", 1)
    page.fill("#edit-text", edited)
    page.click("#save-version")
    page.wait_for_selector("#faults")
    assert "第 2 版" in page.inner_text("#meta")
    assert "650" in " ".join(page.locator("#doc mark.fault").all_inner_texts())
    assert overflowing(page) == []

    page.reload()
    page.wait_for_selector("#result:not(.hidden)")
    assert "第 2 版" in page.inner_text("#meta")
    assert page.input_value("#date [data-part=d]") == "12"
    no_injected_script_ran(page)


@pytest.mark.parametrize("width", ["desk"])
def test_errors_read_as_sentences(page):
    page.goto("/")
    page.click("#paste-box summary")
    page.fill("#paste", "unit: 某单位\ndate: 2024-01-12\nsector: 部队\n")
    page.click("#draft-pasted")
    error = page.wait_for_selector("#form-error:not(.hidden)")
    message = error.inner_text()
    assert "部队" in message or "领域" in message
    assert not any(word in message for word in ("Error", "sector", "Exception"))

    page.route("**/api/drafts?*", lambda route: route.abort())
    page.fill("#unit", "某单位")
    page.click("#draft-button")
    page.wait_for_function("() => document.querySelector('#form-error').textContent.includes('网络中断')")
    assert "历史稿件" in page.inner_text("#form-error")
    looks_right(page, "draft-lost-connection")


@pytest.mark.parametrize("width", ["phone"])
def test_history_pages_and_finds_by_unit_and_date(page, server):
    for n in range(11):
        facts = {"unit": f"翻页测试第{n}党支部", "date": "2024-01-12"}
        assert httpx.post(f"{server}/api/drafts?engine=template", json=facts, timeout=60).status_code == 200
    page.goto("/")
    page.wait_for_selector("#drafts-list li")
    assert page.locator("#drafts-list li").count() == 10
    pages = page.inner_text("#drafts-page")
    page.click("#drafts-next")
    page.wait_for_function("(was) => document.querySelector('#drafts-page').textContent != was", arg=pages)
    assert page.inner_text("#drafts-page").startswith("第 2 /")
    assert page.locator("#drafts-list li").count() >= 1

    page.fill("#drafts-q", "翻页测试第7")
    page.click("#drafts-search button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll('#drafts-list li').length == 1")
    assert "翻页测试第7党支部" in page.inner_text("#drafts-list")
    looks_right(page, "draft-history-search")

    today = datetime.date.today()
    page.select_option("#drafts-to [data-part=y]", str(today.year - 1))
    page.select_option("#drafts-to [data-part=m]", "1")
    page.click("#drafts-search button[type=submit]")
    assert "日期不完整" in page.wait_for_selector("#drafts-error:not(.hidden)").inner_text()
    page.select_option("#drafts-to [data-part=d]", "1")
    page.click("#drafts-search button[type=submit]")
    page.wait_for_selector("#drafts-empty:not(.hidden)")
    assert page.inner_text("#drafts-empty") == "没有符合条件的记录。"
