"""The draft reports on last round's promises: facts from two rounds of one unit carry the previous round's
ledger rows, both engines report every row with the ledger's figures, and verification holds them as facts."""

import re
from datetime import date
from typing import Any

import pytest
import yaml

from drafting.config import get_settings
from drafting.fake_openai import FakeOpenAI, prompt_text
from drafting.feedback.ledger import Ledger, LedgerRow, RowEdit, adopt, apply_edit
from drafting.feedback.models import AssignedOpinion, ClassifyResult, ThemeSummary
from drafting.llm import make_chat_model
from drafting.workflow.facts_from_run import facts_for_run, facts_from_run
from drafting.writer.facts import Facts, load_facts, parse_facts
from drafting.writer.llm_engine import LLMDraftEngine
from drafting.writer.models import Exemplars
from drafting.writer.template_engine import TemplateEngine
from drafting.writer.verify import verify

AT = "2026-12-02T08:00:00+00:00"
ON = date(2026, 12, 2)
NAMES = {"canteen": "食堂管理", "parking": "停车管理", "window": "窗口服务", "road": "道路维护"}


def run(counts: dict[str, int], unassigned: int = 0, said: dict[str, str] | None = None) -> ClassifyResult:
    """A run whose themes have the given opinion counts and summaries (else 群众对……意见较多), and some
    opinions in no theme."""
    total = sum(counts.values()) + unassigned
    themes = [ThemeSummary(id=theme, name=NAMES[theme], count=count, share=count / total,
                           summary=(said or {}).get(theme, f"群众对{NAMES[theme]}意见较多"),
                           measure=f"一是摸清{NAMES[theme]}底数；二是限期整改", department="办公室")
              for theme, count in counts.items()]
    assignments = [AssignedOpinion(line=k, text=f"意见{k}", theme=None, score=0.0) for k in range(unassigned)]
    return ClassifyResult(total=total, unique=total, themes=themes, assignments=assignments,
                          engine="embedded")


def edit(row: LedgerRow, **fields: Any) -> LedgerRow:
    updated, _ = apply_edit(row, RowEdit(by="李四", version=row.version, **fields), AT)
    return updated


def close(row: LedgerRow, finished: date, note: str) -> LedgerRow:
    row = edit(edit(row, state="整改中"), state="待验收", finished=finished, note=note)
    return edit(row, state="已销号", reviewer="王五", reviewed=finished)


def ledger(run_id: str, round_: int, rows: list[LedgerRow]) -> Ledger:
    return Ledger(id=f"l{round_}", unit="城关镇", round=round_, label=f"第{round_}轮", run_id=run_id,
                  created=AT, rows=rows)


FIRST = run({"canteen": 8, "parking": 5, "window": 4, "road": 2},
            said={"canteen": "饭菜价格偏高、品种单一", "parking": "小区停车位紧张、乱停乱放",
                  "window": "办事排长队、一次办不成", "road": "村内道路破损失修"})
SECOND = run({"canteen": 3, "parking": 6, "window": 4}, unassigned=1)


def first_round() -> Ledger:
    """Round one, after a season's work: canteen closed, parking under way, window awaiting acceptance,
    road kept at for the long term."""
    rows = adopt(FIRST, "第1轮", [])
    done = {"canteen": lambda r: close(r, date(2026, 10, 15), "新增菜品12种"),
            "parking": lambda r: edit(r, state="整改中", note="已施划临时车位40个"),
            "window": lambda r: edit(edit(r, state="整改中"), state="待验收"),
            "road": lambda r: edit(r, kind="长期坚持")}
    return ledger("r1", 1, [done[row.theme](row) for row in rows])


def two_rounds() -> Facts:
    previous = first_round()
    current = ledger("r2", 2, adopt(SECOND, "第2轮", [previous]))
    made = facts_for_run(SECOND, run_id="r2", unit="城关镇", on=ON, ledgers=[previous, current])
    return made.facts


def test_facts_for_a_run_carry_the_previous_rounds_rows_with_opinions_then_and_now():
    previous = first_round()
    current = ledger("r2", 2, adopt(SECOND, "第2轮", [previous]))
    made = facts_for_run(SECOND, run_id="r2", unit="城关镇", on=ON, ledgers=[previous, current])
    carried = {item.category: item for item in made.facts.carried}
    assert list(carried) == ["食堂管理", "停车管理", "窗口服务", "道路维护"]
    canteen = carried["食堂管理"]
    assert (canteen.state, canteen.finished, canteen.note) == ("已销号", date(2026, 10, 15), "新增菜品12种")
    assert (canteen.opinions_before, canteen.opinions_now) == (8, 3)
    assert (carried["停车管理"].opinions_before, carried["停车管理"].opinions_now) == (5, 6)
    assert carried["道路维护"].long_term and carried["道路维护"].opinions_now == 0
    assert canteen.measure == "摸清食堂管理底数，限期整改", "the row's own 一是/二是 would clash"
    assert made.facts.carried_counts == {"total": 4, "closed": 1, "ongoing": 2, "long_term": 1}
    # this run's own ledger still gives its counts, as before
    labels = {s.label: s.value for s in made.facts.stats}
    assert labels["梳理问题"] == str(len(current.rows))
    traced = [t.field for t in made.trace if t.field.startswith("carried")]
    assert traced == [f"carried[{k}]" for k in range(4)]
    assert "第1轮整改台账第1行" in next(t.source for t in made.trace if t.field == "carried[0]")
    # the facts round-trip through JSON and through the YAML `drafting facts` writes
    assert parse_facts(made.facts.model_dump(mode="json")) == made.facts
    written = yaml.safe_dump(made.facts.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
                             allow_unicode=True)
    assert load_facts(written) == made.facts


def test_the_previous_round_is_the_latest_lower_round_or_the_latest_of_another_run():
    first = first_round()
    second = ledger("r2", 2, adopt(SECOND, "第2轮", [first]))
    third_run = run({"canteen": 1})
    # run r2 drafted again after round three was adopted from r3: its previous round is still round one
    third = ledger("r3", 3, adopt(third_run, "第3轮", [first, second]))
    again = facts_for_run(SECOND, run_id="r2", unit="城关镇", on=ON, ledgers=[first, second, third])
    assert [item.category for item in again.facts.carried] == [item.category for item in two_rounds().carried]
    # a run not adopted reports on the unit's latest ledger
    loose = facts_for_run(third_run, run_id="r9", unit="城关镇", on=ON, ledgers=[first, second])
    assert len(loose.facts.carried) == len(second.rows)
    assert not any(s.label == "梳理问题" for s in loose.facts.stats), "no ledger adopted from r9"
    # a unit's first round has nothing to report on, and the old call still works
    assert facts_for_run(FIRST, run_id="r1", unit="城关镇", on=ON,
                         ledgers=[first]).facts.carried == []
    assert facts_from_run(FIRST, run_id="r1", unit="城关镇", on=date(2026, 12, 2)).facts.carried == []


def carried_section(text: str) -> str:
    return re.split(r"\n[一二三四五六七八九十]、存在的问题", text.split("、上一轮评议", 1)[1])[0]


def test_the_template_draft_reports_every_carried_row_with_its_figures():
    facts = two_rounds()
    draft = TemplateEngine().write(facts, Exemplars())
    assert draft.verification.ok, draft.verification
    headings = [s.heading for s in draft.sections if s.heading]
    assert headings[3].startswith("四、上一轮评议") and headings[4:] == ["五、存在的问题", "六、下一步打算"]
    section = carried_section(draft.text)
    assert "上一轮共梳理问题4项，已整改销号1项，正在整改2项，其余纳入长期整改" in section
    assert "于2026年10月15日整改到位并销号，新增菜品12种" in section
    assert "反映食堂管理的意见由8条降至3条" in section
    assert "反映停车管理的意见由5条增至6条" in section and "已施划临时车位40个" in section
    assert "正在组织验收" in section and "纳入长期整改" in section
    for item in facts.carried:
        assert item.problem in section


def test_a_draft_without_carried_rows_keeps_its_five_parts():
    facts = two_rounds().model_copy(update={"carried": []})
    draft = TemplateEngine().write(facts, Exemplars())
    assert [s.heading[:2] for s in draft.sections if s.heading][-2:] == ["四、", "五、"]
    assert "上一轮" not in draft.text and draft.verification.ok


@pytest.mark.parametrize(("cut", "fault"), [
    ("由8条降至3条", "上轮意见数“8条”"),
    ("于2026年10月15日", "完成时间“2026年10月15日”"),
    ("，新增菜品12种", "整改成效“新增菜品12种”"),
    ("上一轮共梳理问题4项，", "梳理问题4项"),
])
def test_a_carried_rows_figure_left_out_fails_verification(cut: str, fault: str):
    facts = two_rounds()
    text = TemplateEngine().write(facts, Exemplars()).text
    assert cut in text
    result = verify(facts, text.replace(cut, ""))
    assert not result.ok and any(fault in m for m in result.missing_facts), result.missing_facts


def test_a_dropped_or_invented_carried_row_fails_verification():
    facts = two_rounds()
    text = TemplateEngine().write(facts, Exemplars()).text
    dropped = re.sub(r"二是[^；。]*办事排长队[^；。]*[；。]", "", text)
    problem = next(item.problem for item in facts.carried if item.category == "窗口服务")
    assert any(problem in m and "没有写入" in m for m in verify(facts, dropped).missing_facts)
    invented = text.replace("其余纳入长期整改。", "其余纳入长期整改。另有9项问题已于2026年11月30日整改到位。")
    assert verify(facts, invented).unsupported_numbers == ["9", "11", "30"]


def faithful(sections: dict[str, str]) -> Any:
    """A model that writes each section from the facts the prompt tells it to use (the carried section as
    given), and the genre's outline."""
    def reply(request: dict[str, Any]) -> str:
        prompt = prompt_text(request)
        if "拟定提纲" in prompt:
            return "无法识别的提纲"
        asked = prompt.split("现在只写“", 1)[1].split("”", 1)[0] if "现在只写“" in prompt else ""
        for key, text in sections.items():
            if key in asked:
                return text
        must = prompt.split("必须写入下列事实（数字照原样写）：", 1)[-1].split("不要重复标题")[0]
        lines = [line[2:] for line in must.splitlines() if line.startswith("- ")]
        return "。".join(lines) + "。" if lines else "评议工作扎实开展。"
    return reply


def test_the_llm_engine_asks_for_the_carried_section_and_verifies_it(fake_openai_env: FakeOpenAI):
    facts = two_rounds()
    fake_openai_env.reply = faithful({})
    model = make_chat_model(get_settings())
    assert model is not None
    draft = LLMDraftEngine(model, get_settings()).write(facts, Exemplars())
    assert draft.verification.ok, draft.verification
    headings = [s.heading for s in draft.sections if s.heading]
    assert headings[-3:] == ["四、上一轮评议问题整改落实情况", "五、存在的问题", "六、下一步打算"]
    prompts = [prompt_text(r) for r in fake_openai_env.chat_requests]
    carried = next(p for p in prompts if "现在只写“四、上一轮评议问题整改落实情况" in p)
    must = carried.split("必须写入")[1]
    assert "上一轮整改台账：共梳理问题4项，已整改销号1项，正在整改2项，其余纳入长期整改" in must
    assert "实际完成时间：2026年10月15日；整改成效：新增菜品12种；反映食堂管理的意见上轮8条，本轮3条" in must
    assert '<carried category="食堂管理"' in carried and 'state="已销号"' in carried


def test_the_llm_carried_section_that_drops_a_row_is_sent_back(fake_openai_env: FakeOpenAI):
    facts = two_rounds()
    text = TemplateEngine().write(facts, Exemplars()).text
    written = carried_section(text).split("\n", 1)[1]
    short = written.split("尚在整改的" if "尚在整改的" in written else "正在整改的问题中")[0]
    replies = iter([short, written])
    sections = {"上一轮评议": ""}

    def reply(request: dict[str, Any]) -> str:
        prompt = prompt_text(request)
        if "现在只写“四、上一轮评议" in prompt or "核对发现" in prompt and "上一轮评议" in prompt:
            return next(replies)
        return faithful(sections)(request)

    fake_openai_env.reply = reply
    model = make_chat_model(get_settings())
    assert model is not None
    draft = LLMDraftEngine(model, get_settings()).write(facts, Exemplars())
    repair = next(prompt_text(r) for r in fake_openai_env.chat_requests if "核对发现" in prompt_text(r))
    assert "上一轮整改问题" in repair and "停车管理" in repair
    assert draft.verification.ok, draft.verification
