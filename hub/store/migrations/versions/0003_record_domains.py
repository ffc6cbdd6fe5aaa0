"""dashboards: guidance domains of records in their own table (filled from the records' JSON), training results

Revision ID: 0003_record_domains
Revises: 0002_case_discussions
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0003_record_domains"
down_revision = "0002_case_discussions"
branch_labels = None
depends_on = None

#: records read and domain rows written per round trip while filling the new table
CHUNK = 5_000

# The tables as this revision knows them (a migration never imports the models, which move on).
records = sa.table("records", sa.column("record_id", sa.Integer), sa.column("term_id", sa.String),
                   sa.column("student_id", sa.String), sa.column("fields", sa.JSON),
                   sa.column("deleted_at", sa.DateTime))  # fmt: skip
record_domains = sa.table("record_domains", sa.column("record_id", sa.Integer), sa.column("domain", sa.String),
                          sa.column("term_id", sa.String), sa.column("student_id", sa.String))  # fmt: skip


def domains_of(fields) -> list[str]:
    """As ``hub.store.record_domains.domains_of`` at this revision: ``domains``, else ``guidance_domains``."""
    if isinstance(fields, str):  # a JSON column read as text by some drivers
        fields = json.loads(fields)
    fields = fields if isinstance(fields, dict) else {}
    values = fields.get("domains") or fields.get("guidance_domains") or []
    return list(dict.fromkeys(v for v in values if isinstance(v, str) and 0 < len(v) <= 10))


def fill_record_domains(conn) -> int:
    """Domain rows for every live record that names domains; returns how many were written."""
    query = (sa.select(records.c.record_id, records.c.term_id, records.c.student_id, records.c.fields)
             .where(records.c.deleted_at.is_(None)).order_by(records.c.record_id))  # fmt: skip
    written, last = 0, None
    while True:  # keyset pages: bounded memory on a district database, and no server-side cursor needed
        page = conn.execute((query if last is None else query.where(records.c.record_id > last)).limit(CHUNK)).all()
        if not page:
            return written
        rows = [{"record_id": record_id, "domain": domain, "term_id": term_id, "student_id": student_id}
                for record_id, term_id, student_id, fields in page for domain in domains_of(fields)]  # fmt: skip
        if rows:
            conn.execute(sa.insert(record_domains), rows)
            written += len(rows)
        last = page[-1][0]


def upgrade() -> None:
    op.create_table(
        "record_domains",
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("domain", sa.String(length=10), nullable=False),
        sa.Column("term_id", sa.String(length=32), nullable=False),
        sa.Column("student_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["records.record_id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("record_id", "domain"),
    )
    fill_record_domains(op.get_bind())
    # built after the fill: one sort instead of an index update per inserted row
    op.create_index("ix_record_domains_term_domain_student", "record_domains", ["term_id", "domain", "student_id"])
    if op.get_bind().dialect.name == "postgresql":  # planner statistics for the freshly filled table at once
        op.execute("ANALYZE record_domains")
    op.create_table(
        "training_results",
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("course_id", sa.String(length=64), nullable=False),
        sa.Column("course_title", sa.String(length=200), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        sa.Column("hours", sa.Float(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.staff_id"]),
        sa.PrimaryKeyConstraint("staff_id", "course_id"),
    )


def downgrade() -> None:
    op.drop_table("training_results")
    op.drop_index("ix_record_domains_term_domain_student", table_name="record_domains")
    op.drop_table("record_domains")
