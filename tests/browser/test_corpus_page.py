"""语料库 in a real browser: the sample corpus is listed and a search finds the passage."""

import pytest

from .conftest import shot

pytestmark = pytest.mark.browser


def test_list_and_search(page):
    page.goto("/corpus")
    page.wait_for_selector("#documents td.num", timeout=90_000)
    assert page.locator("#documents tbody tr").count() >= 1
    page.fill("#query", "评议范围求广")
    page.click("#search-form button")
    page.wait_for_selector("#results .passage")
    assert "评议范围求广" in page.locator("#results .passage").first.inner_text()
    shot(page, "corpus-search")
