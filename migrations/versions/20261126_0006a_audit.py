"""audit log of staff actions

Revision ID: 0006a_audit
Revises: 0005b_quests
Create Date: 2026-11-26 06:20:00
"""

from collections.abc import Sequence

revision: str = "0006a_audit"
down_revision: str | None = "0005b_quests"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
