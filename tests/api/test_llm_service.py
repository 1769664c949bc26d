"""The LLM path through the service, against the fake OpenAI-compatible server on 127.0.0.1.

The fake answers every chat request with an error here (nothing is scripted), so this checks the wiring:
`auto` falls back to the template engine and says so; `llm` is a 502 with one Chinese line.
"""


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
    # the page's history (draft.js) opens a draft that is not done at /?facts=<id>, which fills the form
    assert failed["status"] == "failed"


def test_feedback_asks_the_llm_for_measures(client, fake_openai_env):
    fake_openai_env.script("1: 每月公示食堂菜价，增加平价菜品。")
    answer = client.post("/api/feedback", json={"lines": ["职工食堂饭菜价格太高，品种也少。"] * 3,
                                                "engine": "embedded"})
    assert answer.status_code == 200, answer.text
    listed = [t for t in answer.json()["themes"] if not t["praise"]]
    assert listed[0]["measure"] == "每月公示食堂菜价，增加平价菜品。"
    assert len(fake_openai_env.chat_requests) == 1, "embedded classification, one request for the measures"
