"""school year: term calendars, life events, mentor changes with their reason, students' moves, staff leave,
class mentor team meetings, parent-contact requests, 多对一 support plans and reviews

Revision ID: 0006_school_year
Revises: 0004_account_hub_binding
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_school_year"
down_revision = "0005_concern_handling"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "term_calendars",
        sa.Column("term_id", sa.String(length=32), nullable=False),
        sa.Column("school_id", sa.String(length=32), nullable=False),
        sa.Column("home_visit_from", sa.Date(), nullable=False),
        sa.Column("home_visit_to", sa.Date(), nullable=False),
        sa.Column("exams", sa.JSON(), nullable=False),
        sa.Column("talk_days_before", sa.Integer(), nullable=False),
        sa.Column("talk_days_after", sa.Integer(), nullable=False),
        sa.Column("life_event_days", sa.Integer(), nullable=False),
        sa.Column("growth_message_from", sa.Date(), nullable=False),
        sa.Column("growth_message_to", sa.Date(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["term_id"], ["terms.term_id"]),
        sa.PrimaryKeyConstraint("term_id", "school_id"),
    )
    op.create_table(
        "life_events",
        sa.Column("event_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("student_id", sa.String(length=32), nullable=False),
        sa.Column("term_id", sa.String(length=32), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("noted_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["student_id"], ["students.student_id"]),
        sa.ForeignKeyConstraint(["term_id"], ["terms.term_id"]),
        sa.PrimaryKeyConstraint("event_id"),
    )
    op.create_index("ix_life_events_student_id", "life_events", ["student_id"])
    op.create_index("ix_life_events_term_id", "life_events", ["term_id"])
    op.create_table(
        "mentor_changes",
        sa.Column("change_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("term_id", sa.String(length=32), nullable=False),
        sa.Column("student_id", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("old_staff_id", sa.String(length=64), nullable=True),
        sa.Column("new_staff_id", sa.String(length=64), nullable=True),
        sa.Column("change_date", sa.Date(), nullable=False),
        sa.Column("reason_code", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("changed_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["student_id"], ["students.student_id"]),
        sa.ForeignKeyConstraint(["term_id"], ["terms.term_id"]),
        sa.PrimaryKeyConstraint("change_id"),
    )
    op.create_index("ix_mentor_changes_student_id", "mentor_changes", ["student_id"])
    op.create_index("ix_mentor_changes_term_id", "mentor_changes", ["term_id"])
    op.create_table(
        "student_moves",
        sa.Column("move_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("student_id", sa.String(length=32), nullable=False),
        sa.Column("move_date", sa.Date(), nullable=False),
        sa.Column("from_school_id", sa.String(length=32), nullable=False),
        sa.Column("from_class_id", sa.String(length=32), nullable=False),
        sa.Column("to_school_id", sa.String(length=32), nullable=False),
        sa.Column("to_class_id", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("moved_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["student_id"], ["students.student_id"]),
        sa.PrimaryKeyConstraint("move_id"),
    )
    op.create_index("ix_student_moves_student_id", "student_moves", ["student_id"])
    op.create_table(
        "staff_leaves",
        sa.Column("leave_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("staff_id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("from_date", sa.Date(), nullable=False),
        sa.Column("until_date", sa.Date(), nullable=True),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("noted_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.staff_id"]),
        sa.PrimaryKeyConstraint("leave_id"),
    )
    op.create_index("ix_staff_leaves_staff_id", "staff_leaves", ["staff_id"])
    op.create_table(
        "class_team_meetings",
        sa.Column("meeting_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("class_id", sa.String(length=32), nullable=False),
        sa.Column("meeting_date", sa.Date(), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("attendees", sa.JSON(), nullable=False),
        sa.Column("student_codes", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.Text(), nullable=False),
        sa.Column("minutes", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["class_id"], ["classes.class_id"]),
        sa.PrimaryKeyConstraint("meeting_id"),
    )
    op.create_index("ix_class_team_meetings_class_id", "class_team_meetings", ["class_id"])
    op.create_table(
        "parent_contact_requests",
        sa.Column("request_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("student_id", sa.String(length=32), nullable=False),
        sa.Column("class_id", sa.String(length=32), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("responder", sa.String(length=64), nullable=True),
        sa.Column("response", sa.Text(), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["record_id"], ["records.record_id"]),
        sa.ForeignKeyConstraint(["student_id"], ["students.student_id"]),
        sa.PrimaryKeyConstraint("request_id"),
    )
    op.create_index("ix_parent_contact_requests_class_id", "parent_contact_requests", ["class_id"])
    op.create_index("ix_parent_contact_requests_requested_by", "parent_contact_requests", ["requested_by"])
    op.create_index("ix_parent_contact_requests_student_id", "parent_contact_requests", ["student_id"])
    op.create_table(
        "support_plans",
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("school_id", sa.String(length=32), nullable=False),
        sa.Column("goals", sa.JSON(), nullable=False),
        sa.Column("actions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["mentor_teams.team_id"]),
        sa.PrimaryKeyConstraint("team_id"),
    )
    op.create_index("ix_support_plans_school_id", "support_plans", ["school_id"])
    op.create_table(
        "support_reviews",
        sa.Column("review_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("next_review", sa.Date(), nullable=True),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["team_id"], ["mentor_teams.team_id"]),
        sa.PrimaryKeyConstraint("review_id"),
    )
    op.create_index("ix_support_reviews_team_id", "support_reviews", ["team_id"])


def downgrade() -> None:
    for table, indexes in (("support_reviews", ["team_id"]), ("support_plans", ["school_id"]),
                           ("parent_contact_requests", ["student_id", "requested_by", "class_id"]),
                           ("class_team_meetings", ["class_id"])):  # fmt: skip
        for column in indexes:
            op.drop_index(f"ix_{table}_{column}", table_name=table)
        op.drop_table(table)
    op.drop_index("ix_staff_leaves_staff_id", table_name="staff_leaves")
    op.drop_table("staff_leaves")
    op.drop_index("ix_student_moves_student_id", table_name="student_moves")
    op.drop_table("student_moves")
    op.drop_index("ix_mentor_changes_term_id", table_name="mentor_changes")
    op.drop_index("ix_mentor_changes_student_id", table_name="mentor_changes")
    op.drop_table("mentor_changes")
    op.drop_index("ix_life_events_term_id", table_name="life_events")
    op.drop_index("ix_life_events_student_id", table_name="life_events")
    op.drop_table("life_events")
    op.drop_table("term_calendars")
