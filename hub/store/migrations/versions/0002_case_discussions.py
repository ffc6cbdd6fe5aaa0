"""case studies: case fields (domains, grade, scenario), the discussion room tables, a dashboard index

Revision ID: 0002_case_discussions
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_case_discussions"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("grade", sa.String(length=20), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("domains", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("scenario", sa.Integer(), nullable=True))
    op.create_index("ix_records_term_kind_student_date", "records",
                    ["term_id", "kind", "student_id", "event_date", "deleted_at"])
    op.create_table(
        "discussions",
        sa.Column("discussion_id", sa.String(length=40), nullable=False),
        sa.Column("studio_id", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=64), nullable=False),
        sa.Column("case_title", sa.String(length=200), nullable=False),
        sa.Column("leader", sa.String(length=64), nullable=False),
        sa.Column("members", sa.JSON(), nullable=False),
        sa.Column("participants", sa.JSON(), nullable=False),
        sa.Column("round", sa.String(length=16), nullable=False),
        sa.Column("vote_closed", sa.Boolean(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("finished", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["studio_id"], ["studios.studio_id"]),
        sa.PrimaryKeyConstraint("discussion_id"),
    )
    op.create_index("ix_discussions_studio_id", "discussions", ["studio_id"])
    op.create_table(
        "discussion_contributions",
        sa.Column("contribution_id", sa.String(length=40), nullable=False),
        sa.Column("discussion_id", sa.String(length=40), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("round", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.Column("updated_at", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["discussion_id"], ["discussions.discussion_id"]),
        sa.PrimaryKeyConstraint("contribution_id"),
    )
    op.create_index("ix_discussion_contributions_discussion_id", "discussion_contributions", ["discussion_id"])
    op.create_table(
        "discussion_votes",
        sa.Column("discussion_id", sa.String(length=40), nullable=False),
        sa.Column("voter", sa.String(length=64), nullable=False),
        sa.Column("proposal_id", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(["discussion_id"], ["discussions.discussion_id"]),
        sa.PrimaryKeyConstraint("discussion_id", "voter"),
    )


def downgrade() -> None:
    op.drop_table("discussion_votes")
    op.drop_index("ix_discussion_contributions_discussion_id", table_name="discussion_contributions")
    op.drop_table("discussion_contributions")
    op.drop_index("ix_discussions_studio_id", table_name="discussions")
    op.drop_table("discussions")
    op.drop_index("ix_records_term_kind_student_date", table_name="records")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_column("scenario")
        batch_op.drop_column("domains")
        batch_op.drop_column("grade")
