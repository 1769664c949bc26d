"""Paging and search (unit, preview, indexes), a version per run for checked edits, the worker of a run.

Columns are only added (never a table rebuilt), so SQLite needs no copy and no cascade can fire.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("drafts", sa.Column("worker", sa.String(300), nullable=False, server_default=""))
    op.add_column("feedback_runs", sa.Column("unit", sa.Text, nullable=False, server_default=""))
    op.add_column("feedback_runs", sa.Column("preview", sa.Text, nullable=False, server_default=""))
    op.add_column("feedback_runs", sa.Column("version", sa.Integer, nullable=False, server_default="1"))
    op.add_column("feedback_runs", sa.Column("worker", sa.String(300), nullable=False, server_default=""))
    op.create_index("ix_drafts_updated", "drafts", ["updated"])
    op.create_index("ix_drafts_unit", "drafts", ["unit"])
    op.create_index("ix_feedback_runs_updated", "feedback_runs", ["updated"])
    op.create_index("ix_feedback_runs_unit", "feedback_runs", ["unit"])
    runs = sa.table("feedback_runs", sa.column("id", sa.String), sa.column("input", sa.Text),
                    sa.column("preview", sa.Text))
    conn = op.get_bind()
    for row in conn.execute(sa.select(runs.c.id, runs.c.input)).all():
        lines = json.loads(row.input).get("lines") or [""]
        conn.execute(runs.update().where(runs.c.id == row.id).values(preview=str(lines[0])[:40]))


def downgrade() -> None:
    for name, table in (("ix_feedback_runs_unit", "feedback_runs"),
                        ("ix_feedback_runs_updated", "feedback_runs"),
                        ("ix_drafts_unit", "drafts"), ("ix_drafts_updated", "drafts")):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("feedback_runs") as batch:
        for column in ("worker", "version", "preview", "unit"):
            batch.drop_column(column)
    with op.batch_alter_table("drafts") as batch:
        batch.drop_column("worker")
