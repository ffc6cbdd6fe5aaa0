"""排摸重点对象: a mentor's nomination can be withdrawn while the student is undecided; the row is kept, with
who withdrew it and when

Revision ID: 0010_focus_withdraw
Revises: 0009_focus_reminders
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_focus_withdraw"
down_revision = "0009_focus_reminders"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("focus_nominations") as batch:
        batch.add_column(sa.Column("withdrawn_at", sa.DateTime(), nullable=True))
        batch.add_column(sa.Column("withdrawn_by", sa.String(length=64), nullable=True))


def downgrade() -> None:
    # The nominations stay; which were withdrawn is forgotten (they are open again under 0009).
    with op.batch_alter_table("focus_nominations") as batch:
        batch.drop_column("withdrawn_by")
        batch.drop_column("withdrawn_at")
