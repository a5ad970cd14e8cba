"""rewards: points ledger, balances, leaderboard scores, prizes, claims

Revision ID: 0005a_rewards
Revises: 8916d5dc271b
Create Date: 2026-11-26 06:00:00
"""

from collections.abc import Sequence

revision: str = "0005a_rewards"
down_revision: str | None = "8916d5dc271b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
