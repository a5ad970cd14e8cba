"""back office: guard against overlapping slots

Revision ID: 0008a_backoffice
Revises: 0007a_notifications
Create Date: 2026-11-26 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008a_backoffice"
down_revision: str | None = "0007a_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEDULED = "status = 'scheduled'"


def upgrade() -> None:
    # Name the twins rather than fail on an opaque unique violation: an organizer cancels one.
    twins = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT program_id, starts_at, COUNT(*) FROM slot WHERE status = 'scheduled' "
                "GROUP BY program_id, starts_at HAVING COUNT(*) > 1"
            )
        )
        .all()
    )
    if twins:
        listed = "; ".join(f"program {row[0]} at {row[1]} ({row[2]} slots)" for row in twins)
        raise RuntimeError(f"cancel the duplicate scheduled slots first: {listed}")
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.create_index(
            "uq_slot_program_scheduled_start",
            ["program_id", "starts_at"],
            unique=True,
            sqlite_where=sa.text(SCHEDULED),
            postgresql_where=sa.text(SCHEDULED),
        )


def downgrade() -> None:
    with op.batch_alter_table("slot", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_slot_program_scheduled_start",
            sqlite_where=sa.text(SCHEDULED),
            postgresql_where=sa.text(SCHEDULED),
        )
