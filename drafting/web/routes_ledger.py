"""/api/ledgers: a run's rectification list adopted as the unit's ledger (整改台账) for a round, its rows
edited under the state rules, its exports; and per run, the comparison with the unit's last round and
the facts for the summary."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from drafting.errors import BadInput, NotFound
from drafting.feedback.ledger import (
    OTHER_ID,
    Ledger,
    LedgerRow,
    RoundComparison,
    RoundReport,
    RowChange,
    RowEdit,
    compare_rounds,
    report,
)
from drafting.feedback.ledger_export import to_docx, to_xlsx
from drafting.feedback.models import OTHER_NAME, PRAISE_ID, ClassifyResult
from drafting.web.db import History, HistoryQuery, StoredFeedback
from drafting.web.db_ledger import LedgerInfo, LedgerStore
from drafting.web.deps import HistoryDep
from drafting.web.downloads import DOCX, XLSX, office_file
from drafting.workflow.facts_from_run import FactsFromRun, facts_for_run
from drafting.writer.facts import MAX_UNIT_CHARS

router = APIRouter(tags=["整改台账"])
UnitQuery = Annotated[str | None, Query(max_length=MAX_UNIT_CHARS, description="单位；不填用归类记录的单位")]
DateQuery = Annotated[date | None, Query(description="成文日期；不填为今天")]


class Adopt(BaseModel):
    """Adopt a finished run's rectification list as its unit's ledger for a new round."""

    model_config = ConfigDict(extra="forbid")

    run_id: str = Field(min_length=1, max_length=32, description="The feedback run whose list is adopted")
    label: str = Field(min_length=1, max_length=50, description="The round's name, e.g. 2026年第四季度")
    unit: str | None = Field(None, max_length=MAX_UNIT_CHARS,
                             description="The unit; empty means the run's own unit")


class LedgerRecord(Ledger):
    """A ledger with its round report (three lists and the sentence)."""

    report: RoundReport


class RoundCounts(BaseModel):
    """Opinions per theme in one round of a unit."""

    label: str = Field(description="The round's ledger label; 本轮 for a run not adopted yet")
    run_id: str | None = Field(description="The run the counts come from")
    current: bool = Field(description="The run asked about")
    counts: dict[str, int] = Field(description="Theme id -> opinions; `other` for opinions without a theme")


class ThemeName(BaseModel):
    id: str
    name: str


class RoundSeries(BaseModel):
    """Opinions per theme per round, earliest round first, for the chart on the page."""

    unit: str
    themes: list[ThemeName] = Field(description="Every theme of any round, the largest now first")
    rounds: list[RoundCounts]


def finished(history: History, run_id: str) -> tuple[StoredFeedback, ClassifyResult]:
    stored = history.get_feedback(run_id)
    if stored.result is None:
        raise BadInput.field("run_id", f"归类记录 {run_id} 尚未完成，不能使用")
    return stored, ClassifyResult.model_validate(stored.result)


def with_report(ledger: Ledger) -> LedgerRecord:
    return LedgerRecord(**ledger.model_dump(), report=report(ledger))


def earlier_rounds(store: LedgerStore, stored: StoredFeedback) -> list[Ledger]:
    """The unit's rounds before this run's own; for a run never adopted, those opened before it was made."""
    rounds: list[Ledger] = []
    for ledger in store.unit_ledgers(stored.unit):
        if ledger.run_id == stored.id:
            return rounds
        rounds.append(ledger)
    return [ledger for ledger in rounds if ledger.created < stored.created]


def comparison(history: History, store: LedgerStore, stored: StoredFeedback,
               result: ClassifyResult) -> RoundComparison:
    previous = earlier_rounds(store, stored)
    previous_id = previous[-1].run_id if previous else None
    if previous_id is None:
        older = [run for run in history.unit_runs(stored.unit, before=stored.created) if run.id != stored.id]
        previous_id = older[-1].id if older else None
    previous_run = None
    if previous_id is not None:
        try:
            previous_run = finished(history, previous_id)[1]
        except NotFound:  # the earlier run was deleted: the ledgers still give the flags
            previous_id = None
    return compare_rounds(stored.unit, result, previous_run, previous, previous_id)


@router.post("/api/ledgers", response_model=LedgerRecord, summary="把归类结果的整改清单作为本轮整改台账")
def adopt_ledger(body: Adopt, history: HistoryDep) -> LedgerRecord:
    """Opens the unit's next round: the open round before it is closed and its open rows carried on."""
    stored, result = finished(history, body.run_id)
    unit = (body.unit or stored.unit).strip()
    return with_report(LedgerStore(history).adopt(unit, body.label.strip(), body.run_id, result))


@router.get("/api/ledgers", response_model=list[LedgerInfo], summary="整改台账列表")
def list_ledgers(history: HistoryDep, response: Response, query: Annotated[HistoryQuery, Query()],
                 unit: Annotated[str | None, Query(max_length=100, description="只列这个单位的台账")] = None
                 ) -> list[LedgerInfo]:
    """Latest changed first, paged by `limit` and `offset`; `X-Total-Count` holds how many in all."""
    store = LedgerStore(history)
    response.headers["X-Total-Count"] = str(store.count(unit))
    return store.page(unit, query.limit, query.offset)


@router.get("/api/ledgers/{ledger_id}", response_model=LedgerRecord, summary="读取一本整改台账")
def get_ledger(ledger_id: str, history: HistoryDep) -> LedgerRecord:
    return with_report(LedgerStore(history).get(ledger_id))


@router.patch("/api/ledgers/{ledger_id}/rows/{number}", response_model=LedgerRow,
              summary="修改台账的一行（整改状态按规则推进，须带版本号）")
def edit_row(ledger_id: str, body: RowEdit, history: HistoryDep,
             number: int = Path(ge=1, description="序号")) -> LedgerRow:
    """待整改 → 整改中 → 待验收 → 已销号 (待验收 may go back to 整改中); 已销号 needs 复查人 and 复查日期.
    A stale `version` or a closed round answers 409; a broken rule 422."""
    return LedgerStore(history).edit(ledger_id, number, body)


@router.post("/api/ledgers/{ledger_id}/close", response_model=LedgerRecord, summary="关闭本轮台账")
def close_ledger(ledger_id: str, history: HistoryDep) -> LedgerRecord:
    return with_report(LedgerStore(history).close(ledger_id))


@router.get("/api/ledgers/{ledger_id}/changes", response_model=list[RowChange], summary="台账的修改记录")
def ledger_changes(ledger_id: str, history: HistoryDep) -> list[RowChange]:
    return LedgerStore(history).changes(ledger_id)


def _ledger_comparison(history: History, ledger: Ledger) -> RoundComparison | None:
    if ledger.run_id is None:
        return None
    try:
        stored, result = finished(history, ledger.run_id)
    except NotFound:  # the run was deleted: the ledger is exported without the comparison
        return None
    return comparison(history, LedgerStore(history), stored, result)


@router.get("/api/ledgers/{ledger_id}/xlsx", summary="下载整改台账（Excel）", response_class=Response,
            responses={200: {"content": {XLSX: {}}}})
def ledger_xlsx(ledger_id: str, history: HistoryDep) -> Response:
    ledger = LedgerStore(history).get(ledger_id)
    return office_file(to_xlsx(ledger, _ledger_comparison(history, ledger)), f"整改台账-{ledger.label}.xlsx",
                       f"ledger-{ledger_id}.xlsx")


@router.get("/api/ledgers/{ledger_id}/docx", summary="下载整改台账（Word）", response_class=Response,
            responses={200: {"content": {DOCX: {}}}})
def ledger_docx(ledger_id: str, history: HistoryDep) -> Response:
    ledger = LedgerStore(history).get(ledger_id)
    return office_file(to_docx(ledger, _ledger_comparison(history, ledger)), f"整改台账-{ledger.label}.docx",
                       f"ledger-{ledger_id}.docx")


@router.get("/api/feedback/{run_id}/compare", response_model=RoundComparison,
            summary="与本单位上一轮比较：各主题意见数变化、销号后未下降、销号后复发")
def compare_run(run_id: str, history: HistoryDep) -> RoundComparison:
    stored, result = finished(history, run_id)
    if not stored.unit:
        raise BadInput.field("unit", "归类记录没有单位名称，无法与上一轮比较")
    return comparison(history, LedgerStore(history), stored, result)


def theme_counts(result: ClassifyResult) -> dict[str, tuple[str, int]]:
    """Theme id -> (name, opinions) of the problems a run found, the unassigned as 其他."""
    found = {t.id: (t.name, t.count) for t in result.themes if not t.praise and t.id != PRAISE_ID and t.count}
    unassigned = sum(a.theme is None for a in result.assignments)
    if unassigned:
        found[OTHER_ID] = (OTHER_NAME, unassigned)
    return found


def round_counts(history: History, ledger: Ledger) -> dict[str, tuple[str, int]]:
    """A round's opinions per theme from its run; from its rows when the run was deleted."""
    if ledger.run_id is not None:
        try:
            return theme_counts(finished(history, ledger.run_id)[1])
        except NotFound:
            pass
    return {row.theme: (row.category, row.opinions) for row in ledger.rows if row.origin != "carried"}


def earlier_counts(history: History, store: LedgerStore, stored: StoredFeedback,
                   result: ClassifyResult) -> list[tuple[str, str | None, dict[str, tuple[str, int]]]]:
    """(label, run, counts) of the unit's rounds before this run; its last run when none was adopted."""
    if not stored.unit:
        return []
    rounds = [(ledger.label, ledger.run_id, round_counts(history, ledger))
              for ledger in earlier_rounds(store, stored)]
    previous = comparison(history, store, stored, result).previous_run
    if not rounds and previous is not None:
        rounds.append(("上一轮", previous, theme_counts(finished(history, previous)[1])))
    return rounds


@router.get("/api/feedback/{run_id}/rounds", response_model=RoundSeries,
            summary="本单位各轮的各主题意见数（用于图表）")
def run_rounds(run_id: str, history: HistoryDep) -> RoundSeries:
    """The unit's adopted rounds before this run, then this run (named by its own round when adopted)."""
    stored, result = finished(history, run_id)
    store = LedgerStore(history)
    own = [ledger.label for ledger in store.unit_ledgers(stored.unit) if ledger.run_id == run_id]
    now = theme_counts(result)
    rounds = [*earlier_counts(history, store, stored, result), (own[-1] if own else "本轮", run_id, now)]
    names: dict[str, str] = {}
    for _, _, counted in reversed(rounds):
        for theme, (name, _) in counted.items():
            names.setdefault(theme, name)
    order = sorted(names, key=lambda t: (-now.get(t, ("", 0))[1], t == OTHER_ID, t))
    return RoundSeries(unit=stored.unit, themes=[ThemeName(id=t, name=names[t]) for t in order],
                       rounds=[RoundCounts(label=label, run_id=rid, current=rid == run_id,
                                           counts={t: n for t, (_, n) in counted.items()})
                               for label, rid, counted in rounds])


@router.get("/api/feedback/{run_id}/facts", response_model=FactsFromRun,
            summary="用归类结果起草总结：由归类结果生成事实（缺的由起草人补充）")
def run_facts(run_id: str, history: HistoryDep, unit: UnitQuery = None, on: DateQuery = None) -> Any:
    """Figures, problems and next steps from the run; the ledger's counts when the run was adopted, and in
    `carried` the unit's previous round's rows (what was done, what remains)."""
    stored, result = finished(history, run_id)
    return facts_for_run(result, run_id=run_id, unit=(unit or stored.unit).strip(), on=on,
                         ledgers=LedgerStore(history).unit_ledgers(stored.unit))
