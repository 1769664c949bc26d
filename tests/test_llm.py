"""drafting.llm through the real client stack (langchain-openai -> openai -> HTTP) against the fake server."""

import openai
import pytest
from langchain_openai import ChatOpenAI

from drafting.config import get_settings
from drafting.errors import LLMUnavailable
from drafting.fake_openai import Fault, prompt_text
from drafting.llm import complete, make_chat_model, messages
from tests.fake_openai import use_fake_openai


def test_no_model_configured_means_no_chat_model():
    assert get_settings().llm_model is None
    assert make_chat_model(get_settings()) is None


def test_chat_model_follows_the_settings(fake_openai_env):
    model = make_chat_model(get_settings())
    assert isinstance(model, ChatOpenAI)
    assert model.model_name == "fake-chat"
    assert model.openai_api_base == fake_openai_env.url
    assert model.request_timeout == 2.0
    assert model.max_retries == 0


def test_complete_sends_the_prompt_and_returns_the_reply(fake_openai_env):
    fake_openai_env.script("  <think>先想一想</think>\n现将工作总结如下。 ")
    text = complete(make_chat_model(get_settings()), messages("你是写作助手。", "请写开头。"), get_settings())
    assert text == "现将工作总结如下。"
    request = fake_openai_env.chat_requests[0]
    assert request["model"] == "fake-chat"
    assert [m["role"] for m in request["messages"]] == ["system", "user"]
    assert "请写开头。" in prompt_text(request)
    assert fake_openai_env.calls[0].headers["authorization"] == "Bearer sk-fake-test"


def test_complete_streams_pieces_to_the_listener(fake_openai_env):
    fake_openai_env.script("按照上级要求，我单位高度重视群众评议工作。")
    pieces: list[str] = []
    model = make_chat_model(get_settings())
    text = complete(model, messages("系统", "用户"), get_settings(), on_text=pieces.append)
    assert text == "按照上级要求，我单位高度重视群众评议工作。"
    assert len(pieces) > 3 and "".join(pieces) == text
    assert fake_openai_env.chat_requests[0]["stream"] is True


def test_garbage_and_empty_replies_are_retried_within_the_bound(fake_openai, monkeypatch):
    use_fake_openai(monkeypatch, fake_openai, retries=2)
    fake_openai.script(Fault.garbage(), "   ", "第三次才答对")
    text = complete(make_chat_model(get_settings()), messages("系统", "用户"), get_settings())
    assert text == "第三次才答对"
    assert len(fake_openai.chat_requests) == 3


def test_garbage_beyond_the_bound_is_llm_unavailable(fake_openai, monkeypatch):
    use_fake_openai(monkeypatch, fake_openai, retries=1)
    fake_openai.script(Fault.garbage(), Fault.garbage(), "不会被请求到")
    with pytest.raises(LLMUnavailable, match="无法解析"):
        complete(make_chat_model(get_settings()), messages("系统", "用户"), get_settings())
    assert len(fake_openai.chat_requests) == 2


def test_server_error_is_retried_by_the_client_then_reported(fake_openai, monkeypatch):
    use_fake_openai(monkeypatch, fake_openai, retries=1)
    fake_openai.script(Fault.error(500), Fault.error(503))
    with pytest.raises(LLMUnavailable, match="HTTP 503") as caught:
        complete(make_chat_model(get_settings()), messages("系统", "用户"), get_settings())
    assert len(fake_openai.chat_requests) == 2
    assert "\n" not in caught.value.message


def test_timeout_is_reported_in_one_line(fake_openai, monkeypatch):
    use_fake_openai(monkeypatch, fake_openai, timeout=0.5)
    fake_openai.script(Fault.delay(5))
    with pytest.raises(LLMUnavailable, match="超时（0.5 秒）"):
        complete(make_chat_model(get_settings()), messages("系统", "用户"), get_settings())


def test_fake_server_serves_embeddings_and_records_them(fake_openai):
    client = openai.OpenAI(base_url=fake_openai.url, api_key="k", max_retries=0)
    result = client.embeddings.create(model="fake-embed", input=["评议范围求广", "学校操场积水"])
    vectors = [d.embedding for d in result.data]
    assert len(vectors) == 2 and len(vectors[0]) == fake_openai.embedding_dim
    assert vectors[0] != vectors[1]
    assert vectors[0] == pytest.approx(fake_openai.embed("评议范围求广"), abs=1e-6)
    again = client.embeddings.create(model="fake-embed", input=["评议范围求广"])
    assert vectors[0] == again.data[0].embedding
    assert fake_openai.embedding_requests[0]["input"] == ["评议范围求广", "学校操场积水"]
    fake_openai.script_embeddings(Fault.error(500))
    with pytest.raises(openai.InternalServerError):
        client.embeddings.create(model="fake-embed", input=["x"])


def test_empty_replies_beyond_the_bound_are_llm_unavailable(fake_openai, monkeypatch):
    use_fake_openai(monkeypatch, fake_openai, retries=1)
    fake_openai.script("", "<think>只想不答</think>")
    with pytest.raises(LLMUnavailable, match="^大模型不可用：返回了空内容$"):
        complete(make_chat_model(get_settings()), messages("系统", "用户"), get_settings())
    assert len(fake_openai.chat_requests) == 2
