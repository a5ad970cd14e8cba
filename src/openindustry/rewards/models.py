"""Rewards tables: the points ledger and its derivatives, leaderboard scores, prizes and claims."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openindustry.kit import clock
from openindustry.kit.db import Base, UTCDateTime, string_enum

ALL_TIME = 0  # the leaderboard scope of all time; any other scope is a series id


class PointsReason(StrEnum):
    TASK = "task"
    ATTENDANCE = "attendance"
    FEEDBACK = "feedback"
    REFERRAL = "referral"
    PRIZE = "prize"
    PENALTY = "penalty"
    ADJUSTMENT = "adjustment"


class ClaimStatus(StrEnum):
    RESERVED = "reserved"
    HANDED_OVER = "handed_over"
    CANCELLED = "cancelled"


class ClaimHow(StrEnum):
    POINTS = "points"
    DRAW = "draw"


class PointsEntry(Base):
    """One line of the append-only ledger: + earned, − spent or taken as a penalty."""

    __tablename__ = "points_entry"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[PointsReason] = mapped_column(string_enum(PointsReason))
    ref_type: Mapped[str] = mapped_column(String(32))
    ref_id: Mapped[int] = mapped_column(Integer)
    series_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (
        # A task, an attendance, a feedback, a referral pays once: this constraint, not an `if`.
        UniqueConstraint("user_id", "reason", "ref_type", "ref_id"),
        Index("ix_points_entry_user_id_id", "user_id", "id"),
    )


class PointsBalance(Base):
    """The cached sum of a person's ledger, changed in the same transaction as each entry."""

    __tablename__ = "points_balance"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    balance: Mapped[int] = mapped_column(Integer, default=0)
    earned_total: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("balance >= 0", name="balance_not_negative"),)


class LeaderboardScore(Base):
    """A person's points in one scope (all time or a series) and when that total was reached."""

    __tablename__ = "leaderboard_score"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    points: Mapped[int] = mapped_column(Integer, default=0)
    reached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (CheckConstraint("points >= 0", name="points_not_negative"),)


# The leaderboard order itself (more points first, then who reached that total first): the top N
# is a range scan of this index, and a person's place is a count of the index entries ahead.
Index(
    "ix_leaderboard_score_rank",
    LeaderboardScore.scope,
    LeaderboardScore.points.desc(),
    LeaderboardScore.reached_at,
    LeaderboardScore.user_id,
)


class Prize(Base):
    __tablename__ = "prize"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str | None] = mapped_column(String(500))
    stock: Mapped[int] = mapped_column(Integer)
    # None: the prize is won in a draw only, never bought with points.
    price_points: Mapped[int | None] = mapped_column(Integer)
    per_person_limit: Mapped[int] = mapped_column(Integer, default=1)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("price_points IS NULL OR price_points >= 1", name="price_positive"),
        CheckConstraint("per_person_limit >= 1", name="limit_positive"),
    )


class PrizeClaimCounter(Base):
    """How many live (not cancelled) claims for points a person holds for a prize.

    The per-person limit is one conditional UPDATE of this row (`held < limit`), so two
    concurrent claims cannot both pass a count that each read before the other committed.
    """

    __tablename__ = "prize_claim_counter"

    prize_id: Mapped[int] = mapped_column(
        ForeignKey("prize.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    held: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (CheckConstraint("held >= 0", name="held_not_negative"),)


class PrizeClaim(Base):
    __tablename__ = "prize_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    prize_id: Mapped[int] = mapped_column(ForeignKey("prize.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    status: Mapped[ClaimStatus] = mapped_column(
        string_enum(ClaimStatus), default=ClaimStatus.RESERVED
    )
    how: Mapped[ClaimHow] = mapped_column(string_enum(ClaimHow))
    pickup_code: Mapped[str] = mapped_column(String(16), unique=True)
    points_spent: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_prize_claim_user_id_id", "user_id", "id"),)
