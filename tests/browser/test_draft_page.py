"""起草 in a real browser: fill the form, see the verified draft, download Word, edit and save a version."""

import io

import docx
import pytest

from .conftest import shot

pytestmark = pytest.mark.browser


def test_write_a_draft_through_the_form(page):
    page.goto("/")
    page.fill("#unit", "中共某某区委")
    page.fill("#date", "2024-01-12")
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
    page.click("#draft-button")

    page.wait_for_selector("#result:not(.hidden)", timeout=90_000)
    assert page.locator(".verify.ok").count() == 1
    figures = page.locator("#doc mark.fig").all_inner_texts()
    assert any("645" in f for f in figures) and any("7800多" in f for f in figures)
    assert "中共某某区委" in page.locator("#doc h1").inner_text()
    assert page.locator("#sources li").count() >= 1
    shot(page, "draft-written")

    with page.expect_download() as download_info:
        page.click("#download")
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(open(download.path(), "rb").read())).paragraphs)
    assert "645" in text and "中共某某区委" in text

    page.click("#edit-button")
    edited = page.input_value("#edit-text").replace("645", "650", 1)
    page.fill("#edit-text", edited)
    page.click("#save-version")
    page.wait_for_selector("#faults")
    assert "第 2 版" in page.inner_text("#meta")
    assert "650" in " ".join(page.locator("#doc mark.fault").all_inner_texts())
    shot(page, "draft-edited-with-fault")

    page.reload()
    page.wait_for_selector("#result:not(.hidden)")
    assert "第 2 版" in page.inner_text("#meta")
    assert page.locator("#draft-history li").count() == 1


def test_bad_pasted_facts_show_one_line(page):
    page.goto("/")
    page.click("#paste-box summary")
    page.fill("#paste", "unit: 某单位\ndate: 2024-01-12\nsector: 部队\n")
    page.click("#draft-pasted")
    error = page.wait_for_selector("#form-error:not(.hidden)")
    assert error.inner_text().startswith("sector")
    shot(page, "draft-bad-input")
