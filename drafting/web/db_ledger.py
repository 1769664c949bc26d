"""The ledgers (整改台账) in the history's database: adopt a run's list for a round, edit rows, close.

Each row is kept whole as JSON beside the columns queries need (theme, state, version); every edit runs
in one transaction that holds the ledger and the row, checks the version the editor saw and writes one
change record a field. A closed round is refused before anything is written.
"""

import json
import uuid
from datetime import UTC, datetime

from pydantic import BaseModel, Field
from sqlalchemy import Connection, func, select, update
from sqlalchemy.exc import IntegrityError

from drafting.errors import BadInput, Conflict, NotFound
from drafting.feedback.ledger import Ledger, LedgerRow, RowChange, RowEdit, adopt, apply_edit
from drafting.feedback.models import ClassifyResult
from drafting.web.db import History, ledger_changes, ledger_rows, ledgers
from drafting.web.engine import write_transaction


class LedgerInfo(BaseModel):
    """One line of the ledger list."""

    id: str
    unit: str
    round: int
    label: str
    run_id: str | None
    created: str
    updated: str
    closed: str | None = Field(description="When the round was closed; null while it is open")
    rows: int


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class LedgerStore:
    """The ledgers kept beside the drafts and runs of a History."""

    def __init__(self, history: History):
        self.engine = history.engine

    def adopt(self, unit: str, label: str, run_id: str, result: ClassifyResult) -> Ledger:
        """The run's list as the unit's next round; the unit's open round is closed, its open rows carried."""
        if not unit.strip():
            raise BadInput.field("unit", "请填写单位名称：台账按单位和轮次保存")
        now = _now()
        ledger_id = uuid.uuid4().hex[:12]
        try:
            with write_transaction(self.engine) as conn:
                previous = self._unit_ledgers(conn, unit, lock=True)
                rows = adopt(result, label, previous)
                if previous and previous[-1].closed is None:
                    conn.execute(update(ledgers).where(ledgers.c.id == previous[-1].id)
                                 .values(closed=now, updated=now))
                conn.execute(ledgers.insert().values(
                    id=ledger_id, unit=unit, round=(previous[-1].round if previous else 0) + 1, label=label,
                    run_id=run_id, created=now, updated=now, closed=None))
                if rows:
                    conn.execute(ledger_rows.insert(),
                                 [self._row_values(ledger_id, row, now, "") for row in rows])
        except IntegrityError:
            raise Conflict(f"{unit} 的台账刚由他人新建了一轮，请刷新后重试") from None
        return self.get(ledger_id)

    def get(self, ledger_id: str) -> Ledger:
        with self.engine.connect() as conn:
            return self._ledger(conn, ledger_id)

    def page(self, unit: str | None = None, limit: int = 50, offset: int = 0) -> list[LedgerInfo]:
        """The ledgers, the latest changed first (only one unit's when given)."""
        count = (select(func.count()).select_from(ledger_rows)
                 .where(ledger_rows.c.ledger_id == ledgers.c.id).scalar_subquery())
        statement = select(*ledgers.c, count.label("rows"))
        if unit:
            statement = statement.where(ledgers.c.unit == unit)
        statement = statement.order_by(ledgers.c.updated.desc(), ledgers.c.id).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [LedgerInfo.model_validate(r._asdict()) for r in conn.execute(statement).all()]

    def count(self, unit: str | None = None) -> int:
        statement = select(func.count()).select_from(ledgers)
        if unit:
            statement = statement.where(ledgers.c.unit == unit)
        with self.engine.connect() as conn:
            return int(conn.execute(statement).scalar_one())

    def unit_ledgers(self, unit: str) -> list[Ledger]:
        """The unit's rounds, first round first."""
        with self.engine.connect() as conn:
            return self._unit_ledgers(conn, unit, lock=False)

    def edit(self, ledger_id: str, number: int, change: RowEdit) -> LedgerRow:
        """Apply one editor's change to one row, or refuse it (closed round, stale version, state rules)."""
        now = _now()
        with write_transaction(self.engine) as conn:
            head = conn.execute(select(ledgers).where(ledgers.c.id == ledger_id).with_for_update()).first()
            if head is None:
                raise NotFound(f"找不到台账 {ledger_id}")
            if head.closed is not None:
                raise Conflict(f"{head.label}的台账已关闭，不能再修改（已出具的报告保持不变）")
            stored = conn.execute(select(ledger_rows.c.data).where(
                ledger_rows.c.ledger_id == ledger_id, ledger_rows.c.number == number)
                .with_for_update()).first()
            if stored is None:
                raise NotFound(f"台账 {ledger_id} 没有第 {number} 行")
            row, changes = apply_edit(LedgerRow.model_validate_json(stored.data), change, now)
            if changes:
                conn.execute(update(ledger_rows).where(ledger_rows.c.ledger_id == ledger_id,
                                                       ledger_rows.c.number == number)
                             .values(self._row_values(ledger_id, row, now, change.by)))
                conn.execute(ledger_changes.insert(),
                             [{"ledger_id": ledger_id, **c.model_dump()} for c in changes])
                conn.execute(update(ledgers).where(ledgers.c.id == ledger_id).values(updated=now))
        return row

    def close(self, ledger_id: str) -> Ledger:
        """Close the round: from now on it never changes."""
        with write_transaction(self.engine) as conn:
            head = conn.execute(select(ledgers).where(ledgers.c.id == ledger_id).with_for_update()).first()
            if head is None:
                raise NotFound(f"找不到台账 {ledger_id}")
            if head.closed is None:
                now = _now()
                conn.execute(update(ledgers).where(ledgers.c.id == ledger_id).values(closed=now, updated=now))
        return self.get(ledger_id)

    def changes(self, ledger_id: str) -> list[RowChange]:
        """Every change to the ledger's rows, oldest first."""
        c = ledger_changes.c
        with self.engine.connect() as conn:
            self._ledger(conn, ledger_id)
            rows = conn.execute(select(c.number, c.field, c.old, c.new, c.by, c.at)
                                .where(c.ledger_id == ledger_id).order_by(c.id)).all()
        return [RowChange.model_validate(r._asdict()) for r in rows]

    @staticmethod
    def _row_values(ledger_id: str, row: LedgerRow, now: str, by: str) -> dict[str, object]:
        return {"ledger_id": ledger_id, "number": row.number, "theme": row.theme, "state": row.state,
                "version": row.version, "data": json.dumps(row.model_dump(mode="json"), ensure_ascii=False),
                "updated": now, "updated_by": by}

    def _ledger(self, conn: Connection, ledger_id: str) -> Ledger:
        head = conn.execute(select(ledgers).where(ledgers.c.id == ledger_id)).first()
        if head is None:
            raise NotFound(f"找不到台账 {ledger_id}")
        rows = conn.execute(select(ledger_rows.c.data).where(ledger_rows.c.ledger_id == ledger_id)
                            .order_by(ledger_rows.c.number)).all()
        return Ledger(id=head.id, unit=head.unit, round=head.round, label=head.label, run_id=head.run_id,
                      created=head.created, closed=head.closed,
                      rows=[LedgerRow.model_validate_json(r.data) for r in rows])

    def _unit_ledgers(self, conn: Connection, unit: str, *, lock: bool) -> list[Ledger]:
        statement = select(ledgers.c.id).where(ledgers.c.unit == unit).order_by(ledgers.c.round)
        ids = [r.id for r in conn.execute(statement.with_for_update() if lock else statement).all()]
        return [self._ledger(conn, ledger_id) for ledger_id in ids]
