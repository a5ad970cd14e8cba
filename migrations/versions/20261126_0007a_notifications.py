"""notifications: delivery state of outbox rows, channel addresses, reminders sent

Revision ID: 0007a_notifications
Revises: 0006b_checkin
Create Date: 2026-11-26 06:45:00
"""

from collections.abc import Sequence

revision: str = "0007a_notifications"
down_revision: str | None = "0006b_checkin"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
