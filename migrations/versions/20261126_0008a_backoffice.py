"""back office: guard against overlapping slots

Revision ID: 0008a_backoffice
Revises: 0007a_notifications
Create Date: 2026-11-26 08:00:00
"""

from collections.abc import Sequence

revision: str = "0008a_backoffice"
down_revision: str | None = "0007a_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
