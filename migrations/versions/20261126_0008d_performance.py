"""performance: indexes and columns for the hot path

Revision ID: 0008d_performance
Revises: 0008c_privacy
Create Date: 2026-11-26 08:00:00
"""

from collections.abc import Sequence

revision: str = "0008d_performance"
down_revision: str | None = "0008c_privacy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
