"""personal data: account deletion and export

Revision ID: 0008c_privacy
Revises: 0008b_outbox_states
Create Date: 2026-11-26 08:00:00
"""

from collections.abc import Sequence

revision: str = "0008c_privacy"
down_revision: str | None = "0008b_outbox_states"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
