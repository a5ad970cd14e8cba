"""All rewards SQL. Repositories read and stage writes; they never commit.

Every write that guards something scarce is one statement whose row count (or returned row)
decides, so concurrent transactions cannot both pass a check that only one of them may pass.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.kit import sql
from openindustry.rewards.models import (
    ALL_TIME,
    ClaimStatus,
    LeaderboardScore,
    PointsBalance,
    PointsEntry,
    Prize,
    PrizeClaim,
    PrizeClaimCounter,
)


def _rowcount(result: Any) -> int:
    return int(result.rowcount)


# The ledger and balances ---------------------------------------------------------------------


async def append_entry(
    session: AsyncSession,
    *,
    user_id: int,
    amount: int,
    reason: str,
    ref_type: str,
    ref_id: int,
    series_id: int | None,
    now: datetime,
) -> int | None:
    """Append a ledger line; None if this (user, reason, ref) is already there.

    ON CONFLICT DO NOTHING rather than catching an IntegrityError: a failed INSERT would abort
    the caller's whole PostgreSQL transaction, a skipped one changes nothing.
    """
    statement = (
        sql.insert(session, PointsEntry)
        .values(
            user_id=user_id,
            amount=amount,
            reason=reason,
            ref_type=ref_type,
            ref_id=ref_id,
            series_id=series_id,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["user_id", "reason", "ref_type", "ref_id"])
        .returning(PointsEntry.id)
    )
    found: int | None = (await session.execute(statement)).scalar_one_or_none()
    return found


async def credit(session: AsyncSession, user_id: int, points: int, *, earned: bool) -> None:
    """Add to the balance (and to what was earned), creating the row on the first credit."""
    earned_points = points if earned else 0
    statement = sql.insert(session, PointsBalance).values(
        user_id=user_id, balance=points, earned_total=earned_points
    )
    statement = statement.on_conflict_do_update(
        index_elements=["user_id"],
        set_={
            "balance": PointsBalance.balance + statement.excluded.balance,
            "earned_total": PointsBalance.earned_total + statement.excluded.earned_total,
        },
    )
    await session.execute(statement)


async def debit(session: AsyncSession, user_id: int, points: int) -> bool:
    """Take `points` only if they are there: the row count decides, never a read before."""
    result = await session.execute(
        update(PointsBalance)
        .where(PointsBalance.user_id == user_id, PointsBalance.balance >= points)
        .values(balance=PointsBalance.balance - points)
    )
    return _rowcount(result) == 1


async def lock_balance(session: AsyncSession, user_id: int) -> int:
    """The balance, locked for the rest of the transaction by a no-op UPDATE (row lock on
    PostgreSQL, the write lock on SQLite), so what is read is what can be taken."""
    await session.execute(
        update(PointsBalance)
        .where(PointsBalance.user_id == user_id)
        .values(balance=PointsBalance.balance)
    )
    balance = await session.scalar(
        select(PointsBalance.balance).where(PointsBalance.user_id == user_id)
    )
    return int(balance or 0)


async def balance(session: AsyncSession, user_id: int) -> PointsBalance | None:
    return await session.scalar(select(PointsBalance).where(PointsBalance.user_id == user_id))


async def entries(
    session: AsyncSession, user_id: int, *, limit: int, offset: int
) -> tuple[Sequence[PointsEntry], int]:
    query = select(PointsEntry).where(PointsEntry.user_id == user_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(PointsEntry.id.desc()).limit(limit).offset(offset))
    return rows.all(), int(total or 0)


# Leaderboards --------------------------------------------------------------------------------


def scopes(series_id: int | None) -> list[int]:
    return [ALL_TIME] if series_id is None else [ALL_TIME, series_id]


async def add_score(
    session: AsyncSession, user_id: int, scope: int, points: int, now: datetime
) -> None:
    statement = sql.insert(session, LeaderboardScore).values(
        scope=scope, user_id=user_id, points=points, reached_at=now
    )
    statement = statement.on_conflict_do_update(
        index_elements=["scope", "user_id"],
        set_={
            "points": LeaderboardScore.points + statement.excluded.points,
            "reached_at": statement.excluded.reached_at,
        },
    )
    await session.execute(statement)


async def lower_score(
    session: AsyncSession, user_id: int, scope_ids: Sequence[int], points: int, now: datetime
) -> None:
    """Lower the scores by `points`, never below zero (CASE, portable where GREATEST is not)."""
    await session.execute(
        update(LeaderboardScore)
        .where(LeaderboardScore.user_id == user_id, LeaderboardScore.scope.in_(scope_ids))
        .values(
            points=case(
                (LeaderboardScore.points > points, LeaderboardScore.points - points), else_=0
            ),
            reached_at=now,
        )
    )


async def top(session: AsyncSession, scope: int, limit: int) -> Sequence[LeaderboardScore]:
    query = (
        select(LeaderboardScore)
        .where(LeaderboardScore.scope == scope, LeaderboardScore.points > 0)
        .order_by(
            LeaderboardScore.points.desc(), LeaderboardScore.reached_at, LeaderboardScore.user_id
        )
        .limit(limit)
    )
    return (await session.scalars(query)).all()


async def score(session: AsyncSession, scope: int, user_id: int) -> LeaderboardScore | None:
    return await session.get(LeaderboardScore, (scope, user_id))


async def ahead_of(session: AsyncSession, mine: LeaderboardScore) -> int:
    """How many are ahead: more points, or as many reached earlier (then lower id).

    Two counts, each a range of the rank index: everyone with more points (the head of the
    index up to this total), and those tied on points who come first within it.
    """
    row = LeaderboardScore
    more = select(func.count()).where(row.scope == mine.scope, row.points > mine.points)
    tied_first = select(func.count()).where(
        row.scope == mine.scope,
        row.points == mine.points,
        row.reached_at <= mine.reached_at,
        or_(
            row.reached_at < mine.reached_at,
            and_(row.reached_at == mine.reached_at, row.user_id < mine.user_id),
        ),
    )
    query = select(more.scalar_subquery() + tied_first.scalar_subquery())
    return int(await session.scalar(query) or 0)


# Prizes and claims ---------------------------------------------------------------------------


async def prize(session: AsyncSession, prize_id: int) -> Prize | None:
    return await session.get(Prize, prize_id)


async def prizes(
    session: AsyncSession, *, only_active: bool, limit: int, offset: int
) -> tuple[Sequence[Prize], int]:
    query = select(Prize)
    if only_active:
        query = query.where(Prize.active.is_(True))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(Prize.id).limit(limit).offset(offset))
    return rows.all(), int(total or 0)


async def take_stock(session: AsyncSession, prize_id: int, units: int) -> bool:
    result = await session.execute(
        update(Prize)
        .where(Prize.id == prize_id, Prize.stock >= units)
        .values(stock=Prize.stock - units)
    )
    return _rowcount(result) == 1


async def adjust_stock(session: AsyncSession, prize_id: int, delta: int) -> bool:
    """Add `delta` units (fewer when negative), only if the stock stays zero or more."""
    result = await session.execute(
        update(Prize)
        .where(Prize.id == prize_id, Prize.stock + delta >= 0)
        .values(stock=Prize.stock + delta)
        .execution_options(synchronize_session=False)
    )
    return _rowcount(result) == 1


async def return_stock(session: AsyncSession, prize_id: int, units: int) -> None:
    await session.execute(
        update(Prize).where(Prize.id == prize_id).values(stock=Prize.stock + units)
    )


async def hold_claim(session: AsyncSession, prize_id: int, user_id: int, limit: int) -> bool:
    """Count one more live claim for this person, only while under the limit."""
    await session.execute(
        sql.insert(session, PrizeClaimCounter)
        .values(prize_id=prize_id, user_id=user_id, held=0)
        .on_conflict_do_nothing(index_elements=["prize_id", "user_id"])
    )
    result = await session.execute(
        update(PrizeClaimCounter)
        .where(
            PrizeClaimCounter.prize_id == prize_id,
            PrizeClaimCounter.user_id == user_id,
            PrizeClaimCounter.held < limit,
        )
        .values(held=PrizeClaimCounter.held + 1)
    )
    return _rowcount(result) == 1


async def release_claim(session: AsyncSession, prize_id: int, user_id: int) -> None:
    await session.execute(
        update(PrizeClaimCounter)
        .where(
            PrizeClaimCounter.prize_id == prize_id,
            PrizeClaimCounter.user_id == user_id,
            PrizeClaimCounter.held > 0,
        )
        .values(held=PrizeClaimCounter.held - 1)
    )


async def claim(session: AsyncSession, claim_id: int) -> PrizeClaim | None:
    return await session.get(PrizeClaim, claim_id)


async def claim_by_code(session: AsyncSession, code: str) -> PrizeClaim | None:
    return await session.scalar(select(PrizeClaim).where(PrizeClaim.pickup_code == code))


async def claims_of_prize(
    session: AsyncSession,
    prize_id: int,
    *,
    status: ClaimStatus | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[PrizeClaim], int]:
    query = select(PrizeClaim).where(PrizeClaim.prize_id == prize_id)
    if status is not None:
        query = query.where(PrizeClaim.status == status)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = await session.scalars(query.order_by(PrizeClaim.id.desc()).limit(limit).offset(offset))
    return rows.all(), int(total or 0)


async def claims_of(session: AsyncSession, user_id: int) -> Sequence[tuple[PrizeClaim, Prize]]:
    query = (
        select(PrizeClaim, Prize)
        .join(Prize, PrizeClaim.prize_id == Prize.id)
        .where(PrizeClaim.user_id == user_id)
        .order_by(PrizeClaim.id.desc())
    )
    return [(c, p) for c, p in (await session.execute(query)).all()]


async def move_claim(
    session: AsyncSession, claim_id: int, from_status: ClaimStatus, **values: Any
) -> bool:
    result = await session.execute(
        update(PrizeClaim)
        .where(PrizeClaim.id == claim_id, PrizeClaim.status == from_status)
        .values(**values)
    )
    return _rowcount(result) == 1


# A person's own data ------------------------------------------------------------------------------


async def all_entries(session: AsyncSession, user_id: int) -> Sequence[PointsEntry]:
    query = select(PointsEntry).where(PointsEntry.user_id == user_id).order_by(PointsEntry.id)
    return (await session.scalars(query)).all()


async def drop_scores(session: AsyncSession, user_id: int) -> int:
    result = await session.execute(
        delete(LeaderboardScore).where(LeaderboardScore.user_id == user_id)
    )
    return _rowcount(result)
