"""rewards: points ledger, balances, leaderboard scores, prizes, claims

Revision ID: 0005a_rewards
Revises: 8916d5dc271b
Create Date: 2026-11-26 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import openindustry.kit.db

revision: str = "0005a_rewards"
down_revision: str | None = "8916d5dc271b"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    return sa.Enum(*values, name=name, native_enum=False, create_constraint=True, length=32)


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"],
        ["user_account.id"],
        name=op.f(f"fk_{table}_user_id_user_account"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.create_table(
        "prize",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("image_url", sa.String(length=500), nullable=True),
        sa.Column("stock", sa.Integer(), nullable=False),
        sa.Column("price_points", sa.Integer(), nullable=True),
        sa.Column("per_person_limit", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("per_person_limit >= 1", name=op.f("ck_prize_limit_positive")),
        sa.CheckConstraint(
            "price_points IS NULL OR price_points >= 1", name=op.f("ck_prize_price_positive")
        ),
        sa.CheckConstraint("stock >= 0", name=op.f("ck_prize_stock_not_negative")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prize")),
    )
    op.create_table(
        "leaderboard_score",
        sa.Column("scope", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("reached_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("points >= 0", name=op.f("ck_leaderboard_score_points_not_negative")),
        _user_fk("leaderboard_score"),
        sa.PrimaryKeyConstraint("scope", "user_id", name=op.f("pk_leaderboard_score")),
    )
    with op.batch_alter_table("leaderboard_score", schema=None) as batch_op:
        batch_op.create_index(
            "ix_leaderboard_score_rank",
            ["scope", sa.literal_column("points DESC"), "reached_at", "user_id"],
            unique=False,
        )

    op.create_table(
        "points_balance",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("balance", sa.Integer(), nullable=False),
        sa.Column("earned_total", sa.Integer(), nullable=False),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_points_balance_balance_not_negative")),
        _user_fk("points_balance"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_points_balance")),
    )
    op.create_table(
        "points_entry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Integer(), nullable=False),
        sa.Column(
            "reason",
            _enum(
                "pointsreason",
                "task",
                "attendance",
                "feedback",
                "referral",
                "prize",
                "penalty",
                "adjustment",
            ),
            nullable=False,
        ),
        sa.Column("ref_type", sa.String(length=32), nullable=False),
        sa.Column("ref_id", sa.Integer(), nullable=False),
        sa.Column("series_id", sa.Integer(), nullable=True),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        _user_fk("points_entry"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_points_entry")),
        sa.UniqueConstraint(
            "user_id",
            "reason",
            "ref_type",
            "ref_id",
            name=op.f("uq_points_entry_user_id_reason_ref_type_ref_id"),
        ),
    )
    with op.batch_alter_table("points_entry", schema=None) as batch_op:
        batch_op.create_index("ix_points_entry_user_id_id", ["user_id", "id"], unique=False)

    op.create_table(
        "prize_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prize_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column(
            "status", _enum("claimstatus", "reserved", "handed_over", "cancelled"), nullable=False
        ),
        sa.Column("how", _enum("claimhow", "points", "draw"), nullable=False),
        sa.Column("pickup_code", sa.String(length=16), nullable=False),
        sa.Column("points_spent", sa.Integer(), nullable=False),
        sa.Column("created_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("handed_over_at", openindustry.kit.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["prize_id"],
            ["prize.id"],
            name=op.f("fk_prize_claim_prize_id_prize"),
            ondelete="RESTRICT",
        ),
        _user_fk("prize_claim"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prize_claim")),
        sa.UniqueConstraint("pickup_code", name=op.f("uq_prize_claim_pickup_code")),
    )
    with op.batch_alter_table("prize_claim", schema=None) as batch_op:
        batch_op.create_index("ix_prize_claim_user_id_id", ["user_id", "id"], unique=False)

    op.create_table(
        "prize_claim_counter",
        sa.Column("prize_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.CheckConstraint("held >= 0", name=op.f("ck_prize_claim_counter_held_not_negative")),
        sa.ForeignKeyConstraint(
            ["prize_id"],
            ["prize.id"],
            name=op.f("fk_prize_claim_counter_prize_id_prize"),
            ondelete="CASCADE",
        ),
        _user_fk("prize_claim_counter"),
        sa.PrimaryKeyConstraint("prize_id", "user_id", name=op.f("pk_prize_claim_counter")),
    )


def downgrade() -> None:
    op.drop_table("prize_claim_counter")
    with op.batch_alter_table("prize_claim", schema=None) as batch_op:
        batch_op.drop_index("ix_prize_claim_user_id_id")
    op.drop_table("prize_claim")
    with op.batch_alter_table("points_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_points_entry_user_id_id")
    op.drop_table("points_entry")
    op.drop_table("points_balance")
    with op.batch_alter_table("leaderboard_score", schema=None) as batch_op:
        batch_op.drop_index("ix_leaderboard_score_rank")
    op.drop_table("leaderboard_score")
    op.drop_table("prize")
