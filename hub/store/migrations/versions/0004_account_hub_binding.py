"""accounts: the hub user each roster account is bound to (its ``created`` timestamp, kept by a rename)

Revision ID: 0004_account_hub_binding
Revises: 0003_record_domains
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_account_hub_binding"
down_revision = "0003_record_domains"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("accounts", sa.Column("hub_created", sa.String(length=40), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("accounts") as batch:
        batch.drop_column("hub_created")
