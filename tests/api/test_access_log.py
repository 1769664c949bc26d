"""The uvicorn access log records the path a request asked for, never its query string (what a user typed)."""

import httpx

from .live import live_server

TYPED = "某某同志反映的问题"


def test_the_access_log_keeps_paths_not_queries(tmp_path):
    log = tmp_path / "uvicorn.log"
    with live_server(tmp_path / "home", log) as base:
        assert httpx.get(f"{base}/healthz", params={"q": TYPED, "token": "secret-value"}).status_code == 200
        httpx.get(f"{base}/api/corpus/search", params={"q": TYPED})
    text = log.read_text(encoding="utf-8")
    assert '"GET /healthz HTTP/1.1" 200' in text
    assert '"GET /api/corpus/search HTTP/1.1"' in text
    assert TYPED not in text and "secret-value" not in text and "?q=" not in text
