"""Copy the history and the ledgers to another database: a unit that began on SQLite moves to PostgreSQL.

The target is first migrated to the newest revision; then every record is copied as stored (ids,
versions, times, JSON text) in one transaction on the target that holds its tables, so the copy is all
there or not at all. The source is read in one transaction too, a consistent snapshot. A target that
already holds records is refused unless merging: then a draft, run or ledger whose id the target has is
skipped whole, with its versions, rows and change log.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Engine, Row, Table, func, inspect, select, text
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError

from drafting.errors import BadInput
from drafting.web.db import draft_versions, drafts, feedback_runs, ledger_changes, ledger_rows, ledgers
from drafting.web.engine import current_revision, database_url, make_engine, migrate, write_transaction

BATCH = 500
TABLES = (drafts, draft_versions, feedback_runs, ledgers, ledger_rows, ledger_changes)
NAMES = {"drafts": "稿件", "draft_versions": "稿件版本", "feedback_runs": "归类记录", "ledgers": "整改台账",
         "ledger_rows": "台账行", "ledger_changes": "台账修改记录"}
# progress(what, done, total): the records' Chinese name, source records passed so far, source records in all
Progress = Callable[[str, int, int], None]


class CopyReport(BaseModel):
    """What one copy did."""

    copied: dict[str, int] = Field(description="Records written to the target, by table name")
    skipped: dict[str, int] = Field(description="Records left out because the target had their id (merge)")
    clashes: list[str] = Field(description="Ledgers left out because the target has the unit's round already")
    source_upgraded: bool = Field(description="The source was at an older schema and was migrated first")

    def summary(self) -> str:
        """The closing lines for the operator, in Chinese."""
        c = self.copied
        lines = [f"已复制稿件{c['drafts']}篇、归类记录{c['feedback_runs']}次、整改台账{c['ledgers']}本"
                 f"（稿件版本{c['draft_versions']}个、台账行{c['ledger_rows']}行、"
                 f"台账修改记录{c['ledger_changes']}条）。"]
        s = self.skipped
        if any(s.values()):
            lines.append(f"目标中已有、未复制：稿件{s['drafts']}篇、归类记录{s['feedback_runs']}次、"
                         f"整改台账{s['ledgers']}本（连同其版本、行和修改记录）。")
        return "\n".join(lines + self.clashes)


def copy_history(source_url: str, target_url: str, *, merge: bool = False,
                 progress: Progress | None = None) -> CopyReport:
    """Copy every draft, run and ledger from `source_url` into `target_url` (migrated first)."""
    target = _open(target_url, "--to")
    source = _open(source_url, "--from")
    if _same(source.url, target.url):
        raise BadInput.field("--to", "与源数据库是同一个数据库")
    if "drafts" not in _tables(source, "--from"):
        raise BadInput.field("--from", "不是本工具的历史数据库：其中没有稿件表")
    _tables(target, "--to")
    before = current_revision(source)
    migrate(source)
    upgraded = current_revision(source) != before
    migrate(target)
    with _snapshot(source) as read, write_transaction(target) as write:
        _hold(write)
        held = {t.name: _count(write, t) for t in (drafts, feedback_runs, ledgers)}
        if any(held.values()) and not merge:
            raise _occupied(held)
        report = _Copy(read, write, progress).run(upgraded)
        _reset_sequences(write)
    return report


def _occupied(held: dict[str, int]) -> BadInput:
    """The refusal of a target that holds records, naming what it holds and the option that merges."""
    holds = f"稿件{held['drafts']}篇、归类记录{held['feedback_runs']}次、整改台账{held['ledgers']}本"
    return BadInput.field("--to", f"目标数据库已有{holds}，未复制；要跳过已有记录、只补入其余，请加 --merge")


def _open(url: str, option: str) -> Engine:
    """An engine for a URL given on the command line; a wrong one is BadInput naming the option."""
    parsed = database_url(url, option)
    if parsed.get_backend_name() == "sqlite" and option == "--from":
        if not parsed.database or not Path(parsed.database).is_file():
            raise BadInput.field(option, f"找不到数据库文件 {parsed.database or '（地址中没有文件路径）'}")
    return make_engine(url, option)


def _tables(engine: Engine, option: str) -> set[str]:
    """The tables the database holds; one that cannot be reached or read is BadInput naming the option."""
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    except DBAPIError:
        where = engine.url.set(drivername=engine.url.get_backend_name()).render_as_string(hide_password=True)
        raise BadInput.field(option, f"无法连接或读取数据库 {where}：请检查主机、端口、用户名、密码和库名"
                             "（单机数据库须是本工具的数据库文件）") from None


def _same(one: URL, other: URL) -> bool:
    def place(url: URL) -> tuple[str, ...]:
        if url.get_backend_name() == "sqlite":
            return ("sqlite", str(Path(url.database or "").resolve()))
        return ("postgresql", url.host or "", str(url.port or 5432), url.database or "")

    return place(one) == place(other)


@contextmanager
def _snapshot(engine: Engine) -> Iterator[Connection]:
    """A read transaction whose queries all see the same moment (SQLite's WAL snapshot does so already)."""
    options = {"isolation_level": "REPEATABLE READ"} if engine.dialect.name == "postgresql" else {}
    with engine.connect().execution_options(**options) as conn, conn.begin():
        yield conn


def _hold(conn: Connection) -> None:
    """Keep replicas from writing to the target until the copy commits (SQLite's write lock does so)."""
    if conn.dialect.name == "postgresql":
        conn.execute(text(f"LOCK TABLE {', '.join(t.name for t in TABLES)} IN EXCLUSIVE MODE"))


def _count(conn: Connection, table: Table) -> int:
    return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def _reset_sequences(conn: Connection) -> None:
    """Copied ids were written explicitly: PostgreSQL's sequences must start after them."""
    if conn.dialect.name != "postgresql":
        return
    for table in TABLES:
        column = table.autoincrement_column
        if column is not None:
            conn.execute(text(f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                              f"(SELECT COALESCE(MAX({column.name}), 0) + 1 FROM {table.name}), false)"))


class _Copy:
    """One pass over the tables, parents before children; a child goes in when its parent did."""

    def __init__(self, read: Connection, write: Connection, progress: Progress | None):
        self.read, self.write = read, write
        self.progress = progress or (lambda _name, _done, _total: None)
        self.copied = {t.name: 0 for t in TABLES}
        self.skipped = {t.name: 0 for t in TABLES}
        self.clashes: list[str] = []
        self.kept: dict[str, set[str]] = {t.name: set() for t in (drafts, feedback_runs, ledgers)}
        self.rounds = {(r.unit, r.round) for r in write.execute(select(ledgers.c.unit, ledgers.c.round))}

    def run(self, source_upgraded: bool) -> CopyReport:
        self._top(drafts)
        self._children(draft_versions, "draft_id", drafts)
        self._top(feedback_runs)
        self._top(ledgers)
        self._children(ledger_rows, "ledger_id", ledgers)
        self._children(ledger_changes, "ledger_id", ledgers, shift=self._change_shift())
        return CopyReport(copied=self.copied, skipped=self.skipped, clashes=self.clashes,
                          source_upgraded=source_upgraded)

    def _top(self, table: Table) -> None:
        """Drafts, runs, ledgers: each goes in unless the target has its id (or a ledger its unit's round)."""
        for batch in self._batches(table):
            held = set(self.write.execute(select(table.c.id).where(table.c.id.in_([r.id for r in batch])))
                       .scalars())
            self.skipped[table.name] += sum(row.id in held for row in batch)
            rows = [row for row in batch if row.id not in held and not self._clash(table, row)]
            self.kept[table.name].update(row.id for row in rows)
            self._insert(table, [row._asdict() for row in rows])

    def _children(self, table: Table, key: str, parent: Table, shift: int = 0) -> None:
        """Versions, rows, changes: those of a parent that went in; the change log's ids moved by `shift`."""
        for batch in self._batches(table):
            rows = [row._asdict() for row in batch if getattr(row, key) in self.kept[parent.name]]
            if shift:
                rows = [{**row, "id": row["id"] + shift} for row in rows]
            self._insert(table, rows)

    def _change_shift(self) -> int:
        """0, keeping the change log's ids, unless one would collide with the target's own entries (merge):
        then all copied ones are moved past the target's last, in their order (the order is what ids mean)."""
        last = self.write.execute(select(func.max(ledger_changes.c.id))).scalar_one()
        first = self.read.execute(select(func.min(ledger_changes.c.id))
                                  .where(ledger_changes.c.ledger_id.in_(self.kept["ledgers"]))).scalar_one()
        return int(last) if last is not None and first is not None and first <= last else 0

    def _clash(self, table: Table, row: Row) -> bool:
        if table is not ledgers or (row.unit, row.round) not in self.rounds:
            return False
        self.clashes.append(f"注意：目标中已有{row.unit}第{row.round}轮的台账，"
                            f"源中的台账 {row.id}（{row.label}）未复制")
        return True

    def _batches(self, table: Table) -> Iterator[list[Row]]:
        """The source's records in primary-key order, a batch at a time, with progress after each."""
        total, done = _count(self.read, table), 0
        statement = select(table).order_by(*table.primary_key.columns)
        for batch in self.read.execution_options(yield_per=BATCH).execute(statement).partitions():
            yield list(batch)
            done += len(batch)
            self.progress(NAMES[table.name], done, total)
        if not total:
            self.progress(NAMES[table.name], 0, 0)

    def _insert(self, table: Table, rows: list[dict[str, object]]) -> None:
        if rows:
            self.write.execute(table.insert(), rows)
        self.copied[table.name] += len(rows)
