"""notifications: delivery state of outbox rows, channel addresses, reminders sent

Revision ID: 0007a_notifications
Revises: 0006b_checkin
Create Date: 2026-11-26 06:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openindustry.kit.db

revision: str = "0007a_notifications"
down_revision: str | None = "0006b_checkin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("locked_until", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("channel", sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column("dedup_key", sa.String(length=128), nullable=True))
        batch_op.create_index("ix_notification_dedup_key", ["dedup_key"], unique=True)
    op.create_table(
        "notification_unreachable",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_notification_unreachable_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "channel", name=op.f("pk_notification_unreachable")),
    )


def downgrade() -> None:
    op.drop_table("notification_unreachable")
    with op.batch_alter_table("notification", schema=None) as batch_op:
        batch_op.drop_index("ix_notification_dedup_key")
        batch_op.drop_column("dedup_key")
        batch_op.drop_column("channel")
        batch_op.drop_column("locked_until")
