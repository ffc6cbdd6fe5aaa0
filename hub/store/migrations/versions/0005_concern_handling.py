"""concern flags: the receiving side (assignee, triage, referral outside the school, outcome) and the notes of
each step of their handling

Revision ID: 0005_concern_handling
Revises: 0004_account_hub_binding
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_concern_handling"
down_revision = "0004_account_hub_binding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("concern_flags") as batch:
        batch.add_column(sa.Column("assigned_to", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("triaged_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("triaged_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("referred_out_to", sa.String(length=40), nullable=False, server_default=""))
        batch.add_column(sa.Column("referred_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(length=40), nullable=False, server_default=""))
    op.create_table(
        "concern_notes",
        sa.Column("note_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("flag_id", sa.Integer(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["flag_id"], ["concern_flags.flag_id"]),
        sa.PrimaryKeyConstraint("note_id"),
    )
    op.create_index("ix_concern_notes_flag_id", "concern_notes", ["flag_id"])


def downgrade() -> None:
    op.drop_index("ix_concern_notes_flag_id", table_name="concern_notes")
    op.drop_table("concern_notes")
    with op.batch_alter_table("concern_flags") as batch:
        for column in ("outcome", "referred_at", "referred_out_to", "triaged_at", "triaged_by", "assigned_to"):
            batch.drop_column(column)
