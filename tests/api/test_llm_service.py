"""The LLM path through the service, against the fake OpenAI-compatible server on 127.0.0.1.

The fake answers every chat request with an error here (nothing is scripted), so this checks the wiring:
`auto` falls back to the template engine and says so; `llm` is a 502 with one Chinese line.
"""

from tests.fake_openai import fake_openai_env_fixture, fake_openai_fixture  # noqa: F401

from .conftest import FACTS


def test_auto_falls_back_and_says_so(client, fake_openai_env):
    answer = client.post("/api/drafts", json=FACTS, params={"engine": "auto"})
    assert answer.status_code == 200, answer.text
    record = answer.json()
    assert record["engine"] == "template"
    assert record["warnings"], "the fallback must be reported in the result"
    assert fake_openai_env.chat_requests, "the service should have asked the configured LLM first"


def test_llm_alone_fails_with_one_line(client, fake_openai_env):
    answer = client.post("/api/drafts", json=FACTS, params={"engine": "llm"})
    assert answer.status_code == 502
    detail = answer.json()["detail"]
    assert detail and "\n" not in detail and "Traceback" not in detail
    assert client.get("/api/drafts").json()[0]["status"] == "failed"


def test_the_facts_of_a_failed_draft_can_be_reloaded(client, fake_openai_env):
    client.post("/api/drafts", json=FACTS, params={"engine": "llm"})
    failed = client.get("/api/drafts").json()[0]
    assert client.get(f"/api/drafts/{failed['id']}").status_code == 422
    facts = client.get(f"/api/drafts/{failed['id']}/facts")
    assert facts.status_code == 200 and facts.json()["unit"] == FACTS["unit"]
    assert f"/?facts={failed['id']}" in client.get("/").text
