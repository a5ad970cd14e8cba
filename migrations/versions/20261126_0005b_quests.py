"""quests: tasks, quiz questions and options, attempts, completions, feedback, referrals

Revision ID: 0005b_quests
Revises: 0005a_rewards
Create Date: 2026-11-26 06:00:01
"""

from collections.abc import Sequence

revision: str = "0005b_quests"
down_revision: str | None = "0005a_rewards"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
