"""sign-in ledger: who opened the app on which day, kept after tokens are purged

Revision ID: 0009c_sign_in_days
Revises: 0009b_review
Create Date: 2026-11-26 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from openindustry.kit.db import UTCDateTime

revision: str = "0009c_sign_in_days"
down_revision: str | None = "0009b_review"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sign_in_day",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("first_at", UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_sign_in_day_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "day", name=op.f("pk_sign_in_day")),
    )
    op.create_index("ix_sign_in_day_first_at", "sign_in_day", ["first_at"], unique=False)
    # The tokens still on file are the sign-ins known so far: one row per person and day.
    tokens = sa.table(
        "access_token",
        sa.column("user_id", sa.Integer()),
        sa.column("created_at", UTCDateTime(timezone=True)),
    )
    day = sa.func.date(tokens.c.created_at)
    op.execute(
        sa.insert(
            sa.table("sign_in_day", sa.column("user_id"), sa.column("day"), sa.column("first_at"))
        ).from_select(
            ["user_id", "day", "first_at"],
            sa.select(tokens.c.user_id, day, sa.func.min(tokens.c.created_at)).group_by(
                tokens.c.user_id, day
            ),
        )
    )


def downgrade() -> None:
    op.drop_index("ix_sign_in_day_first_at", table_name="sign_in_day")
    op.drop_table("sign_in_day")
