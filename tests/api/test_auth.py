"""Access: the Bearer token on /api, the login cookie in its place, the bind check, and no CORS."""

import pytest

from drafting import runtime
from drafting.errors import BadInput
from drafting.web.app import check_bind

TOKEN = "s3cret-token-42"


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("DRAFTING_API_TOKEN", TOKEN)
    runtime.reset()
    return TOKEN


def test_open_without_a_token(client):
    assert client.get("/api/drafts").status_code == 200
    assert client.get("/").status_code == 200


def test_api_needs_the_bearer_token(client, token):
    refused = client.get("/api/drafts")
    assert refused.status_code == 401
    assert "令牌" in refused.json()["detail"]
    assert refused.headers["www-authenticate"] == "Bearer"
    wrong = client.get("/api/drafts", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    right = client.get("/api/drafts", headers={"Authorization": f"Bearer {token}"})
    assert right.status_code == 200
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/openapi.json").status_code == 200


def test_page_asks_for_the_token_once_and_keeps_it_in_a_strict_cookie(client, token):
    page = client.get("/feedback", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/feedback"
    form = client.get("/login?next=/feedback")
    assert form.status_code == 200 and 'name="token"' in form.text
    bad = client.post("/login", data={"token": "nope", "next": "/feedback"}, follow_redirects=False)
    assert bad.status_code == 401 and "令牌不正确" in bad.text
    good = client.post("/login", data={"token": token, "next": "/feedback"}, follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"] == "/feedback"
    cookie = good.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert client.get("/api/drafts").status_code == 200
    assert client.get("/feedback").status_code == 200


def test_login_only_follows_local_paths(client, token):
    answer = client.post("/login", data={"token": token, "next": "//evil.example/"}, follow_redirects=False)
    assert answer.headers["location"] == "/"


def test_no_cors(client):
    preflight = client.options("/api/drafts", headers={"Origin": "http://elsewhere.example",
                                                       "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in preflight.headers
    plain = client.get("/api/drafts", headers={"Origin": "http://elsewhere.example"})
    assert "access-control-allow-origin" not in plain.headers


def test_bind_check(monkeypatch):
    check_bind("127.0.0.1")
    check_bind("localhost")
    check_bind("::1")
    with pytest.raises(BadInput, match="DRAFTING_API_TOKEN"):
        check_bind("0.0.0.0")
    monkeypatch.setenv("DRAFTING_API_TOKEN", TOKEN)
    runtime.reset()
    check_bind("0.0.0.0")
