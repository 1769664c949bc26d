"""The page is served by the app itself: Chinese, its scripts and styles local, no CDN."""

import re

import pytest


@pytest.mark.parametrize("path, marker", [("/", "生成初稿"), ("/feedback", "开始归类"),
                                          ("/corpus", "上传过去的工作总结")])
def test_pages_render(client, path, marker):
    page = client.get(path)
    assert page.status_code == 200
    assert marker in page.text
    for url in re.findall(r'(?:src|href)="([^"#]+)"', page.text):
        assert not url.startswith(("http:", "https:", "//")), url
        if url.startswith("/static/"):
            assert client.get(url).status_code == 200, url


def test_history_is_listed_on_the_page(client):
    from .conftest import FACTS

    record = client.post("/api/drafts", json=FACTS).json()
    assert f'/?id={record["id"]}' in client.get("/").text


def test_docs_are_served_offline(client):
    docs = client.get("/docs")
    assert docs.status_code == 200
    scripts = re.findall(r"(?:src|href)=['\"]([^'\"]+)['\"]", docs.text)
    assert scripts and all(url.startswith("/") for url in scripts), scripts
    assert all(client.get(url).status_code == 200 for url in scripts)
    schema = client.get("/openapi.json").json()
    assert {"/api/drafts", "/api/feedback", "/api/corpus", "/api/corpus/search"} <= set(schema["paths"])
