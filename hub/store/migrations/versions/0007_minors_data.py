"""minors' data: record versions, students' leaving date, guardians and consents as the school office keeps
them, guardians' requests; guardians' contact channel as text long enough for its ciphertext

Revision ID: 0007_minors_data
Revises: 0004_account_hub_binding
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_minors_data"
down_revision = "0006_school_year"
branch_labels = None
depends_on = None


def sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("updated_by", sa.String(length=64), nullable=True))
    op.create_table(
        "record_versions",
        sa.Column("version_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("written_by", sa.String(length=64), nullable=False),
        sa.Column("written_at", sa.DateTime(), nullable=False),
        sa.Column("replaced_by", sa.String(length=64), nullable=False),
        sa.Column("replaced_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["records.record_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("version_id"),
        sa.UniqueConstraint("record_id", "version", name="uq_record_version"),
    )
    with op.batch_alter_table("students") as batch:
        batch.add_column(sa.Column("left_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("anonymised_at", sa.DateTime(), nullable=True))
    if not sqlite():  # SQLite stores any length in a VARCHAR; recreating the table would trip consents' keys
        op.alter_column("guardians", "contact_channel", type_=sa.Text(), existing_type=sa.String(length=100),
                        existing_nullable=False)  # fmt: skip
    with op.batch_alter_table("guardians") as batch:
        batch.add_column(sa.Column("recorded_by", sa.String(length=64), nullable=False, server_default=""))
        batch.add_column(sa.Column("created_at", sa.DateTime(), nullable=True))
    with op.batch_alter_table("consents") as batch:
        batch.add_column(sa.Column("recorded_by", sa.String(length=64), nullable=False, server_default=""))
        batch.add_column(sa.Column("withdrawn_by", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("withdrawal_method", sa.String(length=20), nullable=False, server_default=""))
    op.create_table(
        "guardian_requests",
        sa.Column("request_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("student_id", sa.String(length=32), nullable=False),
        sa.Column("guardian_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("received_via", sa.String(length=20), nullable=False),
        sa.Column("details", sa.Text(), nullable=False),
        sa.Column("logged_by", sa.String(length=64), nullable=False),
        sa.Column("logged_at", sa.DateTime(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("answered_by", sa.String(length=64), nullable=True),
        sa.Column("answered_at", sa.DateTime(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("copy_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(["student_id"], ["students.student_id"]),
        sa.ForeignKeyConstraint(["guardian_id"], ["guardians.guardian_id"]),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_index("ix_guardian_requests_student_id", "guardian_requests", ["student_id"])


def drop_columns(table: str, *columns: str) -> None:
    """``ALTER TABLE ... DROP COLUMN`` (SQLite 3.35+ too), not a batch copy of the table, which the foreign
    keys of the tables referencing it would refuse."""
    for column in columns:
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")


def downgrade() -> None:
    op.drop_index("ix_guardian_requests_student_id", table_name="guardian_requests")
    op.drop_table("guardian_requests")
    drop_columns("consents", "withdrawal_method", "withdrawn_by", "recorded_by")
    drop_columns("guardians", "created_at", "recorded_by")
    if not sqlite():
        op.alter_column("guardians", "contact_channel", type_=sa.String(length=100), existing_type=sa.Text(),
                        existing_nullable=False)  # fmt: skip
    drop_columns("students", "anonymised_at", "left_on")
    op.drop_table("record_versions")
    drop_columns("records", "updated_by", "version")
