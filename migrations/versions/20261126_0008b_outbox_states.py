"""outbox: sending state, sign-in codes through the outbox

Revision ID: 0008b_outbox_states
Revises: 0008a_backoffice
Create Date: 2026-11-26 08:00:00
"""

from collections.abc import Sequence

revision: str = "0008b_outbox_states"
down_revision: str | None = "0008a_backoffice"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
