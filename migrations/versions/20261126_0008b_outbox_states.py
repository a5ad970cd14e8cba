"""outbox: sending state, sign-in codes through the outbox

Revision ID: 0008b_outbox_states
Revises: 0008a_backoffice
Create Date: 2026-11-26 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openindustry.kit.db

revision: str = "0008b_outbox_states"
down_revision: str | None = "0008a_backoffice"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK = "ck_notification_notificationstatus"
NEW_STATES = "status IN ('pending', 'sending', 'sent', 'dead')"
OLD_STATES = "status IN ('pending', 'sent', 'failed')"


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
        batch_op.add_column(
            sa.Column("priority", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        batch_op.add_column(
            sa.Column("expires_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("sealed", sa.LargeBinary(), nullable=True))
    # Claimed rows used to stay `pending` under a lease: they come due again as they were.
    op.execute("UPDATE notification SET status = 'dead' WHERE status = 'failed'")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.alter_column("priority", server_default=None)
        batch_op.create_check_constraint(op.f(CHECK), NEW_STATES)


def downgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_constraint(op.f(CHECK), type_="check")
    op.execute("UPDATE notification SET status = 'failed' WHERE status = 'dead'")
    op.execute("UPDATE notification SET status = 'pending' WHERE status = 'sending'")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_column("sealed")
        batch_op.drop_column("expires_at")
        batch_op.drop_column("priority")
        batch_op.create_check_constraint(op.f(CHECK), OLD_STATES)
