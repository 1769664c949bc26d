"""Requests from elsewhere are refused: cross-site writes, body types a route does not declare, foreign Host
names; every answer carries a strict CSP; an unforeseen error is one Chinese line and its log holds no user
text. The attacks are the ones the issue found, sent as a browser would send them."""

import logging
import re

import pytest
from fastapi.testclient import TestClient

from drafting import runtime
from drafting.web import deps
from service import app

from .conftest import FACTS, OPINIONS

SUMMARY = "某某医院群众评议工作总结\n一、精心组织\n一是召开动员大会，统一思想认识。\n"


@pytest.mark.parametrize("headers", [
    {"Origin": "http://127.0.0.1:9999"},  # another port of the same host: same-site, not same-origin
    {"Origin": "null"},  # a sandboxed frame or a file
    {"Origin": "http://testserver.evil.example"},
    {"Sec-Fetch-Site": "same-site"},
    {"Sec-Fetch-Site": "cross-site"},
])
def test_cross_site_writes_are_refused(client, headers):
    drafts = client.post("/api/drafts", json=FACTS, headers=headers)
    assert drafts.status_code == 403 and "跨站请求被拒绝" in drafts.json()["detail"]
    feedback = client.post("/api/feedback", json={"text": OPINIONS}, headers=headers)
    assert feedback.status_code == 403
    corpus = client.post("/api/corpus", files=[("files", ("a.txt", SUMMARY.encode(), "text/plain"))],
                         headers=headers)
    assert corpus.status_code == 403
    assert client.delete("/api/drafts/anything", headers=headers).status_code == 403
    assert client.get("/api/drafts", headers=headers).status_code == 200  # reading is not a write
    assert client.get("/api/drafts").json() == [], "nothing was written"


def test_same_origin_writes_pass(client):
    same = {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"}
    assert client.post("/api/drafts", json=FACTS, headers=same).status_code == 200
    typed = {"Sec-Fetch-Site": "none"}  # typed into the address bar or sent by a bookmark
    assert client.post("/api/drafts", json=FACTS, headers=typed).status_code == 200


def test_cross_site_writes_are_refused_with_a_token_and_a_session(client, monkeypatch):
    token = "t" * 40
    monkeypatch.setenv("DRAFTING_API_TOKEN", token)
    runtime.reset()
    assert client.post("/login", data={"token": token}, follow_redirects=False).status_code == 303
    csrf = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/").text).group(1)
    answer = client.post("/api/drafts", json=FACTS, headers={"X-CSRF-Token": csrf,
                                                           "Origin": "http://127.0.0.1:9999"})
    assert answer.status_code == 403
    login_elsewhere = client.post("/login", data={"token": token}, headers={"Sec-Fetch-Site": "cross-site"})
    assert login_elsewhere.status_code == 403


@pytest.mark.parametrize(("path", "kind", "body"), [
    ("/api/feedback", "text/plain", '{"text": "食堂太贵"}'),
    ("/api/feedback", "application/x-www-form-urlencoded", '{"text": "食堂太贵"}'),
    ("/api/drafts", "application/x-www-form-urlencoded", "{}"),
    ("/api/drafts", "text/plain", "{}"),
    ("/api/corpus", "text/plain", "一、精心组织"),
    ("/api/corpus", "application/json", '{"files": []}'),
])
def test_writes_need_the_body_type_their_route_declares(client, path, kind, body):
    answer = client.post(path, content=body.encode("utf-8"), headers={"Content-Type": kind})
    assert answer.status_code == 415
    assert answer.json()["detail"].startswith("body: Content-Type 应为")


def test_declared_body_types_still_work(client):
    assert client.post("/api/drafts", json=FACTS).status_code == 200
    plain = {"Content-Type": "text/plain"}
    assert client.put("/api/drafts/x", content=b"{}", headers=plain).status_code == 415
    files = [("file", ("意见.txt", OPINIONS.encode("utf-8"), "text/plain"))]
    assert client.post("/api/feedback", files=files, data={"taxonomy": "none"}).status_code == 200


def test_foreign_host_names_are_refused(client, monkeypatch):
    assert client.get("/healthz", headers={"Host": "rebound.evil.example"}).status_code == 400
    assert client.get("/healthz", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    monkeypatch.setenv("DRAFTING_ALLOWED_HOSTS", "drafting.example.org")
    runtime.reset()
    assert client.get("/healthz", headers={"Host": "drafting.example.org"}).status_code == 200
    assert client.get("/healthz", headers={"Host": "127.0.0.1"}).status_code == 400


def test_defaults_allow_loopback_names_only(monkeypatch):
    monkeypatch.delenv("DRAFTING_ALLOWED_HOSTS")
    runtime.reset()
    assert runtime.get_settings().host_list == ["127.0.0.1", "localhost"]


@pytest.mark.parametrize("path", ["/", "/feedback", "/corpus", "/api/drafts", "/docs", "/static/common.js"])
def test_every_answer_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    csp = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/", "/feedback", "/corpus", "/docs"])
def test_pages_hold_nothing_inline_the_csp_would_block(client, path):
    html = client.get(path).text
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "inline <script> block"
    assert not re.search(r"<[^>]+\sstyle=", html), "inline style attribute"
    assert not re.search(r"<[^>]+\son[a-z]+=", html), "inline event handler"
    assert "javascript:" not in html


def test_an_unforeseen_error_is_one_chinese_line_and_the_log_keeps_no_user_text(caplog):
    secret = "张三的手机号13812345678"

    def broken_retriever():
        raise ValueError(f"cannot search for {secret}")

    app.dependency_overrides[deps.retriever] = broken_retriever
    try:
        with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR):
            answer = client.get("/api/corpus/search", params={"q": secret})
    finally:
        app.dependency_overrides.clear()
    assert answer.status_code == 500
    assert answer.json() == {"detail": "服务器内部错误，请查看服务日志"}
    assert "ValueError" in caplog.text and "/api/corpus/search" in caplog.text
    assert secret not in caplog.text and "13812345678" not in caplog.text
