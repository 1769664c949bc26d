"""语料库 in a real browser at desk and phone width: upload a past summary, see it listed, search it."""

import pytest

from .conftest import PIXELS, looks_right, overflowing, progress_seen, watch_progress

pytestmark = pytest.mark.browser

SUMMARY = """县妇幼保健院{tag}开展群众评议工作总结
县妇幼保健院

按照县委统一部署，我院组织开展了群众评议工作，现将有关情况总结如下。

一、主要做法

一是设立意见箱和服务热线，收集孕产妇家属意见{tag}条。二是组织“产科夜间陪护满意度回访”，逐户电话回访。

二、存在问题

个别科室候诊时间偏长，夜间陪护管理还不够规范。
"""


def test_upload_a_past_summary_and_search_it(page, tmp_path):
    page.goto("/corpus")
    page.wait_for_selector("#documents td.num", timeout=90_000)
    looks_right(page, "corpus-list")
    page.click("#upload-button")
    assert "选择文件" in page.inner_text("#upload-error")

    tag = PIXELS[page.width]
    path = tmp_path / f"县妇幼保健院{tag}群众评议工作总结.txt"
    path.write_text(SUMMARY.format(tag=tag), encoding="utf-8")
    page.set_input_files("#files", str(path))
    assert path.name in page.inner_text("#files-name")
    watch_progress(page, "#upload-progress")
    page.click("#upload-button")
    page.wait_for_selector("#upload-report:not(.hidden)", timeout=60_000)
    assert "新收录 1 篇" in page.inner_text("#upload-report")
    assert progress_seen(page)["inView"] is True
    row = page.locator("#documents tbody tr", has_text=f"县妇幼保健院{tag}")
    assert "医院" in row.locator('td[data-label="领域"]').inner_text()
    assert page.inner_text("#files-name") == "未选择文件"

    page.fill("#query", "产科夜间陪护满意度回访")
    page.click("#search-form button")
    page.wait_for_selector("#results .passage")
    assert "产科夜间陪护满意度回访" in page.locator("#results .passage").first.inner_text()
    assert overflowing(page) == []
    looks_right(page, "corpus-search")
