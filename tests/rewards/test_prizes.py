"""Prizes: no oversold stock, no overdrawn points, a per-person limit; draws; the prize desk."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from openindustry.config import Settings
from openindustry.kit import db
from openindustry.kit.errors import AppError
from openindustry.notifications.models import Notification
from openindustry.rewards import rules
from openindustry.rewards.errors import ClaimCancelled
from openindustry.rewards.models import ClaimHow, ClaimStatus, Prize, PrizeClaim
from openindustry.rewards.service import RewardsService
from tests.rewards.conftest import MakePrize, MakeUser, ledger_state


async def _claim_all(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    calls: list[tuple[int, int]],
) -> Counter[str]:
    """Every (user, prize) claim at once, each on its own session; outcome codes counted."""

    async def claim(user_id: int, prize_id: int) -> str:
        async with sessions() as session:
            try:
                await RewardsService(session, settings).claim(user_id, prize_id)
            except AppError as refusal:
                return refusal.code
            return "ok"

    return Counter(await asyncio.gather(*(claim(u, p) for u, p in calls)))


async def _rows(engine: AsyncEngine, prize_id: int) -> tuple[int, int]:
    async with db.create_sessionmaker(engine)() as session:
        stock = await session.scalar(select(Prize.stock).where(Prize.id == prize_id))
        claims = await session.scalar(select(func.count()).where(PrizeClaim.prize_id == prize_id))
    return int(stock or 0), int(claims or 0)


async def test_concurrent_claims_never_oversell(
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    settings: Settings,
    make_user: MakeUser,
    make_prize: MakePrize,
) -> None:
    prize = await make_prize(stock=3, price_points=10)
    users = [await make_user(points=10) for _ in range(12)]
    outcomes = await _claim_all(sessions, settings, [(u, prize.id) for u in users])
    assert outcomes == Counter({"ok": 3, "out_of_stock": 9})
    assert await _rows(engine, prize.id) == (0, 3)
    balances = [await ledger_state(engine, u) for u in users]
    assert all(balance == total for balance, total in balances)
    assert sorted(balance for balance, _ in balances) == [0] * 3 + [10] * 9


async def test_concurrent_claims_never_overdraw(
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    settings: Settings,
    make_user: MakeUser,
    make_prize: MakePrize,
) -> None:
    prizes = [await make_prize(stock=100, price_points=10, per_person_limit=100) for _ in range(2)]
    user = await make_user(points=50)
    calls = [(user, prizes[n % 2].id) for n in range(20)]
    outcomes = await _claim_all(sessions, settings, calls)
    assert outcomes == Counter({"ok": 5, "insufficient_points": 15})
    assert await ledger_state(engine, user) == (0, 0)
    stocks = [await _rows(engine, p.id) for p in prizes]
    assert sum(stock for stock, _ in stocks) == 195
    assert sum(claims for _, claims in stocks) == 5


async def test_per_person_limit_under_concurrency(
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    settings: Settings,
    make_user: MakeUser,
    make_prize: MakePrize,
) -> None:
    prize = await make_prize(stock=50, price_points=1, per_person_limit=2)
    user = await make_user(points=100)
    outcomes = await _claim_all(sessions, settings, [(user, prize.id)] * 10)
    assert outcomes == Counter({"ok": 2, "claim_limit_reached": 8})
    assert await _rows(engine, prize.id) == (48, 2)
    assert await ledger_state(engine, user) == (98, 98)


async def test_refusals_change_nothing(
    rewards: RewardsService, make_user: MakeUser, make_prize: MakePrize, engine: AsyncEngine
) -> None:
    user = await make_user(points=5)
    prize = await make_prize(stock=2, price_points=10)
    with pytest.raises(AppError) as refused:
        await rewards.claim(user, prize.id)
    assert refused.value.code == "insufficient_points"
    assert await _rows(engine, prize.id) == (2, 0)
    draw_only = await make_prize(price_points=None)
    with pytest.raises(AppError) as refused:
        await rewards.claim(user, draw_only.id)
    assert refused.value.code == "draw_only"
    with pytest.raises(AppError) as refused:
        await rewards.claim(user, 999_999)
    assert refused.value.code == "prize_not_found"
    assert await ledger_state(engine, user) == (5, 5)


async def test_hand_over_and_cancel(
    rewards: RewardsService, make_user: MakeUser, make_prize: MakePrize, engine: AsyncEngine
) -> None:
    user = await make_user(points=30)
    prize = await make_prize(stock=5, price_points=10, per_person_limit=1)
    claim = await rewards.claim(user, prize.id)
    assert rules.is_pickup_code(claim.pickup_code)
    assert (claim.status, claim.how, claim.points_spent) == (
        ClaimStatus.RESERVED,
        ClaimHow.POINTS,
        10,
    )
    typed = claim.pickup_code[:4].lower() + "-" + claim.pickup_code[4:]
    handed = await rewards.hand_over(typed)
    again = await rewards.hand_over(claim.pickup_code)
    assert handed.status is again.status is ClaimStatus.HANDED_OVER
    assert handed.handed_over_at == again.handed_over_at

    second = await make_prize(stock=1, price_points=10)
    reserved = await rewards.claim(user, second.id)
    cancelled = await rewards.cancel_claim(reserved.pickup_code)
    assert cancelled.status is ClaimStatus.CANCELLED
    assert await _rows(engine, second.id) == (1, 1)
    assert await ledger_state(engine, user) == (20, 20)  # the points came back
    with pytest.raises(ClaimCancelled):
        await rewards.hand_over(reserved.pickup_code)
    # The limit counts live claims: after the cancellation the prize can be claimed again.
    await rewards.claim(user, second.id)


async def test_prize_draw(
    rewards: RewardsService,
    make_user: MakeUser,
    make_prize: MakePrize,
    engine: AsyncEngine,
    session: AsyncSession,
) -> None:
    prize = await make_prize(title="Умная колонка", stock=3, price_points=None)
    announced = await rewards.announce_prize_draw(prize.id)
    assert announced.seed is None
    assert len(announced.commitment) == 64
    entrants = [await make_user() for _ in range(8)]
    draw = await rewards.run_prize_draw(prize.id, [*entrants, entrants[0]], winners=5)
    assert draw.id == announced.id
    assert draw.commitment == announced.commitment
    assert draw.seed is not None
    assert draw.entrants_count == 8
    assert len(draw.winners) == 3  # never more than the stock
    assert (await rewards.draws.verify(draw.id)).ok
    assert await _rows(engine, prize.id) == (0, 3)
    claims = (await session.scalars(select(PrizeClaim))).all()
    assert {c.how for c in claims} == {ClaimHow.DRAW}
    assert {c.points_spent for c in claims} == {0}
    assert {c.user_id for c in claims} <= set(entrants)
    told = (
        await session.scalars(select(Notification).where(Notification.kind == "prize.won"))
    ).all()
    assert sorted(n.user_id for n in told) == sorted(c.user_id for c in claims)
    with pytest.raises(AppError) as refused:
        await rewards.run_prize_draw(prize.id, entrants, winners=1)
    assert refused.value.code == "already_drawn"


async def test_a_draw_with_few_entrants_gives_back_the_rest(
    rewards: RewardsService, make_user: MakeUser, make_prize: MakePrize, engine: AsyncEngine
) -> None:
    prize = await make_prize(stock=10, price_points=None)
    entrants = [await make_user() for _ in range(2)]
    await rewards.announce_prize_draw(prize.id)
    draw = await rewards.run_prize_draw(prize.id, entrants, winners=5)
    assert len(draw.winners) == 2
    assert await _rows(engine, prize.id) == (8, 2)
    assert (await rewards.draws.verify(draw.id)).ok
