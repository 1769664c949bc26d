"""Access: the Bearer token on /api, the signed login session in its place (with its CSRF token on writes),
rate-limited wrong tokens, the token's length, the bind check, and no CORS."""

import re
import time

import pytest
from fastapi.testclient import TestClient

from drafting import runtime
from drafting.errors import BadInput
from drafting.web.app import check_bind
from service import app

from .conftest import FACTS

TOKEN = "s3cret-token-42-long-enough-for-the-check"


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("DRAFTING_API_TOKEN", TOKEN)
    runtime.reset()
    return TOKEN


def login(client: TestClient) -> str:
    """Log in through the form; the CSRF token the page then carries in its meta tag."""
    answer = client.post("/login", data={"token": TOKEN, "next": "/"}, follow_redirects=False)
    assert answer.status_code == 303
    page = client.get("/")
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert found, "base.html should carry the CSRF token in a meta tag"
    return found.group(1)


def test_open_without_a_token(client):
    assert client.get("/api/drafts").status_code == 200
    assert client.get("/").status_code == 200
    assert client.post("/api/drafts", json=FACTS).status_code == 200


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


def test_login_sets_a_signed_expiring_session_not_the_token(client, token):
    page = client.get("/feedback", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/login?next=/feedback"
    form = client.get("/login?next=/feedback")
    assert form.status_code == 200 and 'name="token"' in form.text
    bad = client.post("/login", data={"token": "nope", "next": "/feedback"}, follow_redirects=False)
    assert bad.status_code == 401 and "令牌不正确" in bad.text
    good = client.post("/login", data={"token": token, "next": "/feedback"}, follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"] == "/feedback"
    cookie = good.headers["set-cookie"]
    assert token not in cookie
    assert cookie.startswith("drafting_session=")
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
    assert "Max-Age=43200" in cookie  # DRAFTING_SESSION_HOURS, 12 by default
    assert "Secure" not in cookie  # plain http here; the https case is below
    assert client.get("/api/drafts").status_code == 200
    assert client.get("/feedback").status_code == 200


def test_session_cookie_is_secure_over_https(token):
    with TestClient(app, base_url="https://testserver") as https:
        answer = https.post("/login", data={"token": token}, follow_redirects=False)
    assert "Secure" in answer.headers["set-cookie"]


def test_a_forged_or_expired_session_is_refused(client, token, monkeypatch):
    client.cookies.set("drafting_session", "made-up.session.value")
    assert client.get("/api/drafts").status_code == 401
    client.cookies.clear()
    login(client)
    session = client.cookies["drafting_session"]
    assert client.get("/api/drafts").status_code == 200
    monkeypatch.setenv("DRAFTING_SESSION_HOURS", "0.0001")  # 0.36 s: the server no longer takes the cookie
    runtime.reset()
    time.sleep(2.1)  # signatures carry whole seconds
    client.cookies.set("drafting_session", session)
    assert client.get("/api/drafts").status_code == 401


def test_cookie_session_writes_need_the_csrf_token(client, token):
    csrf = login(client)
    assert re.fullmatch(r"[0-9a-f]{64}", csrf)
    without = client.post("/api/drafts", json=FACTS)
    assert without.status_code == 403 and "CSRF" in without.json()["detail"]
    wrong = client.post("/api/drafts", json=FACTS, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403
    right = client.post("/api/drafts", json=FACTS, headers={"X-CSRF-Token": csrf})
    assert right.status_code == 200
    made = f"/api/drafts/{right.json()['id']}"
    assert client.delete(made).status_code == 403
    assert client.delete(made, headers={"X-CSRF-Token": csrf}).status_code == 204
    # a Bearer client needs no CSRF token
    client.cookies.clear()
    bearer = client.post("/api/drafts", json=FACTS, headers={"Authorization": f"Bearer {token}"})
    assert bearer.status_code == 200


def test_logout_ends_the_session(client, token):
    login(client)
    answer = client.post("/logout", follow_redirects=False)
    assert answer.status_code == 303 and 'drafting_session=""' in answer.headers["set-cookie"]
    assert client.get("/api/drafts").status_code == 401


def test_wrong_tokens_are_rate_limited_per_client(token):
    with TestClient(app, client=("10.9.8.7", 40000)) as guesser, \
            TestClient(app, client=("10.9.8.6", 40000)) as other:
        answers = [guesser.get("/api/drafts", headers={"Authorization": f"Bearer guess-{i}"}).status_code
                   for i in range(12)]
        assert answers[:10] == [401] * 10 and answers[10:] == [429, 429]
        blocked = guesser.get("/api/drafts", headers={"Authorization": f"Bearer {token}"})
        assert blocked.status_code == 429 and blocked.headers["retry-after"] == "60"
        assert "一分钟后" in blocked.json()["detail"]
        assert other.get("/api/drafts", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_wrong_logins_are_rate_limited(token):
    with TestClient(app, client=("10.9.8.5", 40000)) as guesser:
        answers = [guesser.post("/login", data={"token": f"guess-{i}"}).status_code for i in range(11)]
        assert answers[:10] == [401] * 10 and answers[10] == 429
        assert guesser.post("/login", data={"token": token}, follow_redirects=False).status_code == 429


def test_a_short_token_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("DRAFTING_API_TOKEN", "x" * 31)
    runtime.reset()
    with pytest.raises(BadInput, match="至少 32 个字符"):
        with TestClient(app):
            pass
    with pytest.raises(BadInput, match="DRAFTING_API_TOKEN"):
        check_bind("127.0.0.1")


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
