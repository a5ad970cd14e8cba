"""hot path: indexes or columns the faster registration and catalog need

Revision ID: 0009a_hot_path
Revises: 0008d_performance
Create Date: 2026-11-26 12:00:00
"""

from collections.abc import Sequence

revision: str = "0009a_hot_path"
down_revision: str | None = "0008d_performance"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
