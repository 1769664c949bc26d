"""The page is served by the app itself: Chinese, its scripts and styles local, nothing inline, no CDN."""

import re

import pytest

from drafting.config import get_settings

PAGES = [("/", "生成初稿"), ("/feedback", "开始归类"), ("/ledger", "台账明细"),
         ("/corpus", "上传过去的工作总结")]


@pytest.mark.parametrize("path, marker", PAGES)
def test_pages_render(client, path, marker):
    page = client.get(path)
    assert page.status_code == 200
    assert marker in page.text
    assert '<html lang="zh-CN">' in page.text
    for url in re.findall(r'(?:src|href)="([^"#]+)"', page.text):
        assert not url.startswith(("http:", "https:", "//")), url
        if url.startswith("/static/"):
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("path", [p for p, _ in PAGES] + ["/login"])
def test_pages_carry_nothing_inline(client, path):
    """The CSP allows no inline script, style attribute or event handler: the page must need none."""
    text = client.get(path).text
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", text) == []
    assert re.findall(r"\sstyle=", text) == []
    assert re.findall(r"\son[a-z]+=", text) == []
    assert "javascript:" not in text


@pytest.mark.parametrize("path", [p for p, _ in PAGES])
def test_forms_leave_checks_and_dates_to_the_page(client, path):
    """Browser validation bubbles, date pickers and file buttons speak the browser's language, not Chinese."""
    text = client.get(path).text
    forms = re.findall(r"<form\b[^>]*>", text)
    assert forms and all("novalidate" in form for form in forms), forms
    assert not re.search(r'type="(?:date|number)"|\brequired\b', text)
    for tag in re.findall(r'<input[^>]*type="file"[^>]*>', text):
        assert "visually-hidden" in tag


def test_engines_say_whether_the_llm_can_run(client, monkeypatch):
    engines = {e["id"]: e for e in client.get("/api/engines").json()}
    assert engines["template"]["available"] and engines["embedded"]["available"]
    assert engines["llm"]["available"] is False
    assert "未配置大模型" in engines["llm"]["note"]
    assert {"draft", "feedback"} <= set(engines["llm"]["tasks"])

    monkeypatch.setenv("DRAFTING_LLM_MODEL", "qwen2.5")
    get_settings.cache_clear()
    try:
        llm = {e["id"]: e for e in client.get("/api/engines").json()}["llm"]
    finally:
        monkeypatch.delenv("DRAFTING_LLM_MODEL")
        get_settings.cache_clear()
    assert llm["available"] is True and llm["note"] == ""


def test_docs_are_served_offline(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    scripts = re.findall(r"(?:src|href)=['\"]([^'\"]+)['\"]", docs.text)
    assert scripts and all(url.startswith("/") for url in scripts), scripts
    assert all(client.get(url).status_code == 200 for url in scripts)
    schema = client.get("/openapi.json").json()
    assert {"/api/drafts", "/api/feedback", "/api/corpus", "/api/corpus/search", "/api/engines"} <= set(
        schema["paths"])
