"""The rectification ledger (整改台账) of a unit, one per appraisal round: rows, states, reports, rounds.

A run's rectification list is adopted as the round's ledger: its themes open rows, the last round's rows
not yet 已销号 are carried on, and a theme whose row was 已销号 before opens a new row marked as come back.
State rules: 待整改 → 整改中 → 待验收 → 已销号 (待验收 may go back to 整改中); 已销号 needs 复查人 and
复查日期 and is final. Every change is kept with who and when; a closed round never changes.
Pure functions over pydantic models: the web shell stores them, the exports and the facts read them.
"""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from drafting.errors import BadInput, Conflict
from drafting.feedback.models import OTHER_NAME, PRAISE_ID, ClassifyResult
from drafting.feedback.summarise import measure_for

State = Literal["待整改", "整改中", "待验收", "已销号"]
Kind = Literal["立行立改", "限期整改", "长期坚持"]
Origin = Literal["new", "carried", "returned"]
ORIGIN_NAMES = {"new": "新增", "carried": "上轮延续", "returned": "销号后复发"}
STATES: tuple[State, ...] = ("待整改", "整改中", "待验收", "已销号")
NEXT: dict[State, set[State]] = {"待整改": {"整改中"}, "整改中": {"待验收"}, "待验收": {"已销号", "整改中"},
                                 "已销号": set()}
CLOSED: State = "已销号"
LONG_TERM: Kind = "长期坚持"
OTHER_ID = "other"
TEXT_MAX = 2000
DATES = {"deadline", "finished", "reviewed"}
NAME_MAX = 100


class LedgerRow(BaseModel):
    """One problem of the ledger, with the columns of the published 整改台账 templates."""

    number: int = Field(ge=1, description="序号")
    source: str = Field(description="来源: the appraisal round and theme the problem came from")
    theme: str = Field(description="Theme id of the run, to compare rounds; `other` for opinions without one")
    origin: Origin = Field("new", description="new 新增, carried 上轮延续, returned 销号后复发")
    opinions: int = Field(0, ge=0, description="Opinions on the theme in this round's run")
    category: str = Field(description="问题类别")
    description: str = Field(description="问题描述")
    kind: Kind = Field("限期整改", description="整改类型: 立行立改, 限期整改 or 长期坚持")
    measure: str = Field("", description="整改措施")
    leader: str = Field("", description="责任领导")
    department: str = Field("", description="责任部门")
    owner: str = Field("", description="责任人")
    deadline: date | None = Field(None, description="计划完成时限")
    finished: date | None = Field(None, description="实际完成时间")
    state: State = Field("待整改", description="整改状态")
    reviewer: str = Field("", description="复查人, required for 已销号")
    reviewed: date | None = Field(None, description="复查日期, required for 已销号")
    note: str = Field("", description="销号情况 / 备注")
    version: int = Field(1, ge=1, description="Bumped by every saved change; edits name the version they saw")


class RowEdit(BaseModel):
    """A change to one ledger row: who makes it, on which version, and the fields that change."""

    model_config = ConfigDict(extra="forbid")

    by: str = Field(min_length=1, max_length=NAME_MAX, description="Who makes the change (kept with it)")
    version: int = Field(ge=1, description="The row's version the change was made on; a stale one is 409")
    category: str | None = Field(None, min_length=1, max_length=NAME_MAX, description="问题类别")
    description: str | None = Field(None, min_length=1, max_length=TEXT_MAX, description="问题描述")
    kind: Kind | None = Field(None, description="整改类型")
    measure: str | None = Field(None, max_length=TEXT_MAX, description="整改措施")
    leader: str | None = Field(None, max_length=NAME_MAX, description="责任领导")
    department: str | None = Field(None, max_length=NAME_MAX, description="责任部门")
    owner: str | None = Field(None, max_length=NAME_MAX, description="责任人")
    deadline: date | None = Field(None, description="计划完成时限")
    finished: date | None = Field(None, description="实际完成时间")
    state: State | None = Field(None, description="整改状态")
    reviewer: str | None = Field(None, max_length=NAME_MAX, description="复查人")
    reviewed: date | None = Field(None, description="复查日期")
    note: str | None = Field(None, max_length=TEXT_MAX, description="销号情况 / 备注")


class RowChange(BaseModel):
    """One field of one row changed: what it was, what it became, who changed it and when."""

    number: int = Field(description="The row's 序号")
    field: str
    old: str
    new: str
    by: str
    at: str = Field(description="UTC time, ISO 8601")


class Ledger(BaseModel):
    """A unit's ledger for one round."""

    id: str
    unit: str = Field(description="The unit whose ledger this is")
    round: int = Field(ge=1, description="The round's number among the unit's ledgers, 1 first")
    label: str = Field(description="The round's name, e.g. 2026年第四季度")
    run_id: str | None = Field(None, description="The feedback run it was adopted from")
    created: str
    closed: str | None = Field(None, description="UTC time the round was closed; then it never changes")
    rows: list[LedgerRow]


class Counts(BaseModel):
    total: int = Field(description="共梳理问题 N 项")
    closed: int = Field(description="已整改销号 M 项")
    ongoing: int = Field(description="正在整改 K 项: not closed, not 长期坚持")
    long_term: int = Field(description="纳入长期整改: not closed, 长期坚持")


class RoundReport(BaseModel):
    """The round's three lists and the sentence every summary uses."""

    new: list[LedgerRow] = Field(description="新增问题: raised this round (new or come back), not closed")
    ongoing: list[LedgerRow] = Field(description="推进落实: carried from earlier rounds, not closed")
    closed: list[LedgerRow] = Field(description="已办结销号")
    counts: Counts
    sentence: str = Field(description="共梳理问题N项，已整改销号M项，正在整改K项，其余纳入长期整改")


class ThemeChange(BaseModel):
    """One theme across two rounds of a unit."""

    theme: str
    name: str
    before: int = Field(description="Opinions in the previous round's run")
    after: int = Field(description="Opinions in this run")
    change: int = Field(description="after - before")
    closed_before: bool = Field(description="Its row was 已销号 in the previous round's ledger")
    not_falling: bool = Field(description="已销号 last round, yet its opinions did not fall")
    came_back: bool = Field(description="已销号 in an earlier round, and opinions on it again now")


class RoundComparison(BaseModel):
    unit: str
    previous_run: str | None = Field(description="The run of the unit's previous round, if any")
    previous_label: str | None = Field(None, description="The previous round's ledger label, if adopted")
    themes: list[ThemeChange]


def counts(rows: list[LedgerRow]) -> Counts:
    closed = sum(r.state == CLOSED for r in rows)
    long_term = sum(r.state != CLOSED and r.kind == LONG_TERM for r in rows)
    return Counts(total=len(rows), closed=closed, ongoing=len(rows) - closed - long_term, long_term=long_term)


def report_sentence(tally: Counts) -> str:
    """共梳理问题N项，已整改销号M项，正在整改K项，其余纳入长期整改 (the last clause only when some are)."""
    sentence = f"共梳理问题{tally.total}项，已整改销号{tally.closed}项，正在整改{tally.ongoing}项"
    return sentence + ("，其余纳入长期整改。" if tally.long_term else "。")


def report(ledger: Ledger) -> RoundReport:
    rows = ledger.rows
    tally = counts(rows)
    return RoundReport(new=[r for r in rows if r.state != CLOSED and r.origin != "carried"],
                       ongoing=[r for r in rows if r.state != CLOSED and r.origin == "carried"],
                       closed=[r for r in rows if r.state == CLOSED],
                       counts=tally, sentence=report_sentence(tally))


def _problem_rows(result: ClassifyResult, praise_id: str) -> list[tuple[str, str, str, int, str, str]]:
    """(theme, category, description, opinions, measure, department) by size, as the list orders them."""
    themes = sorted((t for t in result.themes if not t.praise and t.id != praise_id and t.count > 0),
                    key=lambda t: (-t.count, t.id))
    rows = [(t.id, t.name, t.summary or "、".join(t.representatives[:1]) or t.name, t.count, t.measure,
             t.department) for t in themes]
    unassigned = sum(a.theme is None for a in result.assignments)
    if unassigned:
        measure, department = measure_for("_other", OTHER_NAME, [])
        rows.append((OTHER_ID, OTHER_NAME, "未能归入上述类别的零散意见", unassigned, measure, department))
    return rows


def adopt(result: ClassifyResult, label: str, previous: list[Ledger],
          praise_id: str = PRAISE_ID) -> list[LedgerRow]:
    """The new round's rows: the last round's open rows carried on, then the run's problems; a theme
    already carried is not opened twice, a theme 已销号 in an earlier round opens a row marked come back."""
    last = previous[-1] if previous else None
    carried = [row.model_copy(update={"origin": "carried", "version": 1, "opinions": 0})
               for row in (last.rows if last else []) if row.state != CLOSED]
    ever_closed = {row.theme for ledger in previous for row in ledger.rows if row.state == CLOSED}
    opinions = {theme: count for theme, _, _, count, _, _ in _problem_rows(result, praise_id)}
    rows = [row.model_copy(update={"opinions": opinions.get(row.theme, 0)}) for row in carried]
    open_themes = {row.theme for row in carried}
    for theme, category, description, count, measure, department in _problem_rows(result, praise_id):
        if theme in open_themes:
            continue
        origin: Origin = "returned" if theme in ever_closed else "new"
        rows.append(LedgerRow(number=1, source=f"{label}评议·{category}", theme=theme, origin=origin,
                              opinions=count, category=category, description=description, measure=measure,
                              department=department))
    return [row.model_copy(update={"number": k}) for k, row in enumerate(rows, start=1)]


def _shown(value: object) -> str:
    return "" if value is None else str(value)


def apply_edit(row: LedgerRow, edit: RowEdit, at: str) -> tuple[LedgerRow, list[RowChange]]:
    """The row after the edit, and one change record a field that changed; the state rules are checked."""
    if edit.version != row.version:
        raise Conflict(f"第 {row.number} 行已被他人修改（当前第 {row.version} 版，"
                       f"提交的是第 {edit.version} 版），请刷新后重试")
    if row.state == CLOSED:
        raise BadInput.field("state", f"第 {row.number} 行已销号，不能再修改")
    # null clears a date; for a text or a choice it means "unchanged"
    sent = edit.model_dump(exclude_unset=True, exclude={"by", "version"})
    given = {name: value for name, value in sent.items() if value is not None or name in DATES}
    updated = LedgerRow.model_validate({**row.model_dump(), **given})
    if updated.state != row.state and updated.state not in NEXT[row.state]:
        allowed = "、".join(sorted(NEXT[row.state], key=STATES.index))
        raise BadInput.field("state", f"不能从{row.state}改为{updated.state}（只能改为{allowed}）")
    if updated.state == CLOSED and (not updated.reviewer.strip() or updated.reviewed is None):
        raise BadInput.field("reviewer", "销号须填写复查人和复查日期")
    changes = [RowChange(number=row.number, field=name, old=_shown(getattr(row, name)),
                         new=_shown(getattr(updated, name)), by=edit.by, at=at)
               for name in given if getattr(row, name) != getattr(updated, name)]
    if changes:
        updated = updated.model_copy(update={"version": row.version + 1})
    return updated, changes


def compare_rounds(unit: str, current: ClassifyResult, previous_run: ClassifyResult | None,
                   previous: list[Ledger], previous_run_id: str | None = None,
                   praise_id: str = PRAISE_ID) -> RoundComparison:
    """Per theme, the change in opinions since the last round, and the flags on rows 已销号 before."""
    def by_theme(result: ClassifyResult | None) -> dict[str, tuple[str, int]]:
        if result is None:
            return {}
        found = {t.id: (t.name, t.count) for t in result.themes if not t.praise and t.id != praise_id}
        unassigned = sum(a.theme is None for a in result.assignments)
        if unassigned:
            found[OTHER_ID] = (OTHER_NAME, unassigned)
        return found

    now, before = by_theme(current), by_theme(previous_run)
    last = previous[-1] if previous else None
    closed_last = {row.theme for row in (last.rows if last else []) if row.state == CLOSED}
    closed_earlier = {row.theme for ledger in previous for row in ledger.rows if row.state == CLOSED}
    themes = []
    for theme in sorted(set(now) | set(before), key=lambda t: (-now.get(t, ("", 0))[1], t)):
        name = now.get(theme, before.get(theme, (theme, 0)))[0]
        after_count, before_count = now.get(theme, ("", 0))[1], before.get(theme, ("", 0))[1]
        themes.append(ThemeChange(theme=theme, name=name, before=before_count, after=after_count,
                                  change=after_count - before_count, closed_before=theme in closed_last,
                                  not_falling=theme in closed_last and after_count >= max(before_count, 1),
                                  came_back=theme in closed_earlier and after_count > 0))
    return RoundComparison(unit=unit, previous_run=previous_run_id,
                           previous_label=last.label if last else None, themes=themes)
