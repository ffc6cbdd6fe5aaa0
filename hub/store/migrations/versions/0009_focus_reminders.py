"""排摸重点对象: mentors' nominations and the term's focus decisions (issue 20, part 5); reminders need no table

Revision ID: 0009_focus_reminders
Revises: 0008_district
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_focus_reminders"
down_revision = "0008_district"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "focus_nominations",
        sa.Column("nomination_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("term_id", sa.String(length=32), nullable=False),
        sa.Column("student_id", sa.String(length=32), nullable=False),
        sa.Column("nominated_by", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["term_id"], ["terms.term_id"]),
        sa.ForeignKeyConstraint(["student_id"], ["students.student_id"]),
        sa.PrimaryKeyConstraint("nomination_id"),
    )
    op.create_index("ix_focus_nominations_term_id", "focus_nominations", ["term_id"])
    op.create_index("ix_focus_nominations_student_id", "focus_nominations", ["student_id"])
    op.create_table(
        "focus_decisions",
        sa.Column("decision_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("term_id", sa.String(length=32), nullable=False),
        sa.Column("student_id", sa.String(length=32), nullable=False),
        sa.Column("school_id", sa.String(length=32), nullable=False),
        sa.Column("outcome", sa.String(length=12), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["term_id"], ["terms.term_id"]),
        sa.ForeignKeyConstraint(["student_id"], ["students.student_id"]),
        sa.ForeignKeyConstraint(["team_id"], ["mentor_teams.team_id"]),
        sa.PrimaryKeyConstraint("decision_id"),
        sa.UniqueConstraint("term_id", "student_id", name="uq_focus_decision"),
    )
    op.create_index("ix_focus_decisions_term_id", "focus_decisions", ["term_id"])
    op.create_index("ix_focus_decisions_student_id", "focus_decisions", ["student_id"])
    op.create_index("ix_focus_decisions_school_id", "focus_decisions", ["school_id"])


def downgrade() -> None:
    op.drop_table("focus_decisions")
    op.drop_table("focus_nominations")
