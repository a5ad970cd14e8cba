"""check-in scans

Revision ID: 0006b_checkin
Revises: 0006a_audit
Create Date: 2026-11-26 06:20:00
"""

from collections.abc import Sequence

revision: str = "0006b_checkin"
down_revision: str | None = "0006a_audit"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
