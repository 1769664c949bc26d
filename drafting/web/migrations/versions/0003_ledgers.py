"""The rectification ledgers (整改台账): one a unit and round, their rows, and every change to a row.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledgers",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("unit", sa.Text, nullable=False),
        sa.Column("round", sa.Integer, nullable=False),
        sa.Column("label", sa.Text, nullable=False),
        sa.Column("run_id", sa.String(32)),
        sa.Column("created", sa.String(40), nullable=False),
        sa.Column("updated", sa.String(40), nullable=False),
        sa.Column("closed", sa.String(40)),
        sa.UniqueConstraint("unit", "round", name="uq_ledgers_unit_round"),
    )
    op.create_table(
        "ledger_rows",
        sa.Column("ledger_id", sa.String(32), sa.ForeignKey("ledgers.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("number", sa.Integer, primary_key=True),
        sa.Column("theme", sa.Text, nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("updated", sa.String(40), nullable=False),
        sa.Column("updated_by", sa.Text, nullable=False, server_default=""),
    )
    op.create_table(
        "ledger_changes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("ledger_id", sa.String(32), sa.ForeignKey("ledgers.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("old", sa.Text, nullable=False),
        sa.Column("new", sa.Text, nullable=False),
        sa.Column("by", sa.Text, nullable=False),
        sa.Column("at", sa.String(40), nullable=False),
    )
    op.create_index("ix_ledger_changes_ledger", "ledger_changes", ["ledger_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_ledger_changes_ledger", table_name="ledger_changes")
    op.drop_table("ledger_changes")
    op.drop_table("ledger_rows")
    op.drop_table("ledgers")
