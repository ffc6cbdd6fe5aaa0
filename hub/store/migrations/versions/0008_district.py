"""the district's side: schools' implementation plans (一校一策) with versions and reviews, the district's
calendar of milestones

Revision ID: 0008_district
Revises: 0007_minors_data
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_district"
down_revision = "0007_minors_data"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "school_plans",
        sa.Column("plan_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("school_id", sa.String(length=32), nullable=False),
        sa.Column("school_year", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["school_id"], ["schools.school_id"]),
        sa.PrimaryKeyConstraint("plan_id"),
        sa.UniqueConstraint("school_id", "school_year", name="uq_school_plan_year"),
    )
    op.create_index("ix_school_plans_school_id", "school_plans", ["school_id"])
    op.create_table(
        "school_plan_versions",
        sa.Column("version_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("sections", sa.JSON(), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("submitted_by", sa.String(length=64), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["school_plans.plan_id"]),
        sa.PrimaryKeyConstraint("version_id"),
        sa.UniqueConstraint("plan_id", "version", name="uq_school_plan_version"),
    )
    op.create_index("ix_school_plan_versions_plan_id", "school_plan_versions", ["plan_id"])
    op.create_table(
        "school_plan_reviews",
        sa.Column("review_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["plan_id"], ["school_plans.plan_id"]),
        sa.PrimaryKeyConstraint("review_id"),
    )
    op.create_index("ix_school_plan_reviews_plan_id", "school_plan_reviews", ["plan_id"])
    op.create_table(
        "district_milestones",
        sa.Column("milestone_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("school_year", sa.String(length=16), nullable=False),
        sa.Column("title", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("audience", sa.JSON(), nullable=False),
        sa.Column("check", sa.String(length=30), nullable=False),
        sa.PrimaryKeyConstraint("milestone_id"),
    )
    op.create_index("ix_district_milestones_school_year", "district_milestones", ["school_year"])


def downgrade() -> None:
    op.drop_table("district_milestones")
    op.drop_table("school_plan_reviews")
    op.drop_table("school_plan_versions")
    op.drop_table("school_plans")
