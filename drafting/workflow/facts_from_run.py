"""Facts for the summary from a feedback run: its figures, its largest themes, its ledger's counts.

Nothing is invented. The run knows how many opinions and answers came in, what the themes are and what
was proposed; the ledger knows how many problems were closed. What only the writer knows (the sector, the
basis, the statistics form, meetings held, highlights, the satisfaction rate) is named in `left_for_writer`,
and the date of writing defaults to today for the writer to confirm. Every item says where it came from.
"""

import re
from datetime import date

from pydantic import BaseModel, Field

from drafting.errors import BadInput
from drafting.feedback.ledger import OTHER_ID, Ledger, LedgerRow, counts
from drafting.feedback.models import PRAISE_ID, ClassifyResult, ThemeSummary
from drafting.writer.facts import MAX_ITEM_CHARS, MAX_ITEMS, MAX_UNIT_CHARS, Facts, parse_facts

TOP_THEMES = 3
# The fields of facts.md a run cannot fill, as the page and the CLI name them to the writer.
LEFT_FOR_WRITER = {
    "sector": "所属领域（农村、街道社区、企业……）",
    "basis": "开展评议的依据（按照……要求）",
    "appraisal": "数据统计单：被评议的党组织和党员、满意人数、召开评议会议场次、参加群众人数",
    "highlights": "特色做法和典型事迹",
    "stats": "群众满意度等归类结果没有的数字（如有，补充到主要数据）",
}


class Trace(BaseModel):
    """Where one item of the facts came from."""

    field: str = Field(description="Field path in the facts, e.g. stats[0] or problems[1]")
    source: str = Field(description="What of the run or ledger it was taken from")


class FactsFromRun(BaseModel):
    """A facts file drafted from a run, what it leaves to the writer, and the trace of every item."""

    facts: Facts
    left_for_writer: dict[str, str] = Field(description="Field -> what the writer should add there")
    to_confirm: list[str] = Field(description="Fields filled with a default the writer should check")
    trace: list[Trace]


ENUMERATOR = re.compile(r"[一二三四五六七八九十]+是")


def _sentence(text: str) -> str:
    return text.strip().rstrip("。；;，,")


def _fit(text: str) -> str:
    """Within the facts' bound on an item, cut after the last whole clause that fits."""
    if len(text) <= MAX_ITEM_CHARS:
        return text
    head = text[:MAX_ITEM_CHARS]
    return _sentence(head[:max(head.rfind("，"), head.rfind("；"))] or head)


def _problem(theme: ThemeSummary) -> str:
    """A taxonomy theme's own description; for a discovered theme (whose summary is only its inclusion
    rule) the opinion nearest its centre, quoted."""
    if theme.discovered or not theme.summary:
        quoted = _sentence((theme.representatives[:1] or [""])[0])
        return _fit(f"{theme.name}方面，群众反映“{quoted}”等问题") if quoted else ""
    return _fit(f"{theme.name}方面，{_sentence(theme.summary)}")


def _plain_measure(measure: str) -> str:
    """A measure as one clause: its own 一是……二是…… would clash with the draft's enumeration."""
    return _sentence(ENUMERATOR.sub("", measure).replace("；", "，").replace(";", "，"))


def _step(theme: ThemeSummary) -> str:
    plain = _plain_measure(theme.measure)
    return _fit(f"针对{theme.name}方面的问题，{plain}") if plain else ""


def facts_from_run(result: ClassifyResult, *, run_id: str, unit: str, on: date | None = None,
                   ledger: Ledger | None = None, praise_id: str = PRAISE_ID) -> FactsFromRun:
    """The facts a run supports; `unit` from the run or the writer, `on` the date of writing (today)."""
    if not unit.strip():
        raise BadInput.field("unit", "归类记录没有单位名称，请给出单位名称")
    answers = len({a.line for a in result.assignments})
    stats = [{"label": "征集群众意见", "value": str(result.total), "unit": "条"},
             {"label": "参与评议群众", "value": str(answers), "unit": "人次"}]
    trace = [Trace(field="stats[0]", source=f"归类记录 {run_id} 的意见总数"),
             Trace(field="stats[1]", source=f"归类记录 {run_id} 的回答份数（一行一位群众）")]
    largest = sorted((t for t in result.themes if not t.praise and t.id != praise_id and t.count > 0),
                     key=lambda t: (-t.count, t.id))[:TOP_THEMES]
    for theme in largest:
        trace.append(Trace(field=f"stats[{len(stats)}]", source=f"主题“{theme.name}”（{theme.id}）的意见数"))
        stats.append({"label": f"反映{theme.name}方面的意见", "value": str(theme.count), "unit": "条"})
    if ledger is not None:
        tally = counts(ledger.rows)
        for label, value in (("梳理问题", tally.total), ("已整改销号", tally.closed),
                             ("正在整改", tally.ongoing)):
            trace.append(Trace(field=f"stats[{len(stats)}]", source=f"{ledger.label}整改台账的{label}项数"))
            stats.append({"label": label, "value": str(value), "unit": "项"})
    problems: list[str] = []
    next_steps: list[str] = []
    for theme in largest:
        if problem := _problem(theme):
            source = "典型意见" if theme.discovered or not theme.summary else "问题概述"
            trace.append(Trace(field=f"problems[{len(problems)}]", source=f"主题“{theme.name}”的{source}"))
            problems.append(problem)
        if step := _step(theme):
            trace.append(Trace(field=f"next_steps[{len(next_steps)}]",
                               source=f"主题“{theme.name}”的整改措施"))
            next_steps.append(step)
    facts = parse_facts({"unit": unit, "date": on or date.today(), "stats": stats, "problems": problems,
                         "next_steps": next_steps})
    return FactsFromRun(facts=facts, left_for_writer=dict(LEFT_FOR_WRITER), to_confirm=["date"], trace=trace)


def previous_ledger(ledgers: list[Ledger], run_id: str) -> tuple[Ledger | None, Ledger | None]:
    """(the ledger adopted from this run, the unit's previous round): the latest ledger of a lower round
    than the adopted one, or, when this run was not adopted, the latest ledger of another run."""
    adopted = [ledger for ledger in ledgers if ledger.run_id == run_id]
    current = max(adopted, key=lambda ledger: ledger.round) if adopted else None
    earlier = [ledger for ledger in ledgers if ledger.run_id != run_id
               and (current is None or ledger.round < current.round)]
    return current, max(earlier, key=lambda ledger: ledger.round) if earlier else None


def opinions_now(result: ClassifyResult, praise_id: str = PRAISE_ID) -> dict[str, int]:
    """This run's opinions per theme id, those in no theme under `other`, as the ledger counts them."""
    found = {t.id: t.count for t in result.themes if not t.praise and t.id != praise_id}
    found[OTHER_ID] = sum(a.theme is None for a in result.assignments)
    return found


def carried_item(row: LedgerRow, now: dict[str, int]) -> dict[str, object]:
    """One row of the last round's ledger as a carried item of the facts, within the facts' bounds."""
    return {"problem": _fit(_sentence(row.description)) or row.category[:MAX_UNIT_CHARS],
            "category": row.category[:MAX_UNIT_CHARS], "measure": _fit(_plain_measure(row.measure)),
            "kind": row.kind, "state": row.state, "finished": row.finished, "note": _fit(_sentence(row.note)),
            "opinions_before": row.opinions, "opinions_now": now.get(row.theme, 0)}


def facts_for_run(result: ClassifyResult, *, run_id: str, unit: str, on: date | None = None,
                  ledgers: list[Ledger], praise_id: str = PRAISE_ID) -> FactsFromRun:
    """The facts a run supports, with the counts of the ledger adopted from it and, in `carried`, the
    previous round's ledger rows: what was done, what remains, and each theme's opinions then and now."""
    current, previous = previous_ledger(ledgers, run_id)
    made = facts_from_run(result, run_id=run_id, unit=unit, on=on, ledger=current, praise_id=praise_id)
    if previous is None or not previous.rows:
        return made
    now = opinions_now(result, praise_id)
    rows = previous.rows[:MAX_ITEMS]
    carried = [carried_item(row, now) for row in rows]
    trace = [Trace(field=f"carried[{k}]",
                   source=f"{previous.label}整改台账第{row.number}行（{row.category}）；"
                          f"本轮意见数取自归类记录 {run_id} 的主题 {row.theme}")
             for k, row in enumerate(rows)]
    left = dict(made.left_for_writer)
    if len(previous.rows) > len(rows):
        left["carried"] = f"{previous.label}整改台账共{len(previous.rows)}项，只带入了前{len(rows)}项，请核对"
    facts = parse_facts({**made.facts.model_dump(mode="json", exclude_none=True), "carried": carried})
    return made.model_copy(update={"facts": facts, "left_for_writer": left, "trace": made.trace + trace})
