"""The points ledger: pays once, never below zero, the balance is the sum of the entries."""

from __future__ import annotations

import asyncio
import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from openindustry.config import Settings
from openindustry.kit import db
from openindustry.kit.tx import transaction
from openindustry.rewards.errors import InsufficientPoints, InvalidPoints
from openindustry.rewards.models import PointsEntry
from openindustry.rewards.service import RewardsService
from tests.rewards.conftest import MakeUser, ledger_state


async def test_a_task_pays_once(rewards: RewardsService, make_user: MakeUser) -> None:
    user = await make_user()
    assert await rewards.award(user, 30, reason="task", ref_type="task", ref_id=7)
    assert not await rewards.award(user, 30, reason="task", ref_type="task", ref_id=7)
    # Another task, or the same task id for another reason, is another payment.
    assert await rewards.award(user, 5, reason="task", ref_type="task", ref_id=8)
    assert await rewards.award(user, 1, reason="feedback", ref_type="task", ref_id=7)
    points = await rewards.points(user)
    assert (points.balance, points.earned_total, points.total) == (36, 36, 3)
    assert [e.amount for e in points.entries] == [1, 5, 30]  # newest first


async def test_award_joins_the_callers_transaction(
    session: AsyncSession, rewards: RewardsService, make_user: MakeUser
) -> None:
    user = await make_user()
    with pytest.raises(RuntimeError):
        async with transaction(session):
            assert await rewards.award(user, 10, reason="task", ref_type="task", ref_id=1)
            raise RuntimeError("the caller's use case fails after awarding")
    assert (await rewards.points(user)).balance == 0
    # A repeated award inside a caller's transaction does not abort it either.
    async with transaction(session):
        assert await rewards.award(user, 10, reason="task", ref_type="task", ref_id=1)
        assert not await rewards.award(user, 10, reason="task", ref_type="task", ref_id=1)
        assert await rewards.award(user, 2, reason="attendance", ref_type="slot", ref_id=1)
    assert (await rewards.points(user)).balance == 12


async def test_award_pays_once_when_completed_twice_at_the_same_moment(
    engine: AsyncEngine,
    other_engine: AsyncEngine,
    settings: Settings,
    make_user: MakeUser,
) -> None:
    users = [await make_user() for _ in range(5)]

    async def award(engine: AsyncEngine, user: int) -> bool:
        async with db.create_sessionmaker(engine)() as session:
            return await RewardsService(session, settings).award(
                user, 25, reason="task", ref_type="task", ref_id=99, series_id=3
            )

    # Two "app processes" (engines) and two sessions of each, all at once, per person.
    outcomes = await asyncio.gather(
        *(award(e, u) for u in users for e in (engine, other_engine, engine, other_engine))
    )
    for n, user in enumerate(users):
        assert sum(outcomes[4 * n : 4 * n + 4]) == 1
        assert await ledger_state(engine, user) == (25, 25)
    async with db.create_sessionmaker(engine)() as session:
        count = await session.scalar(select(func.count()).select_from(PointsEntry))
        board = await RewardsService(session, settings).leaderboard(series_id=3)
    assert count == len(users)
    assert [i.points for i in board.items] == [25] * len(users)


async def test_concurrent_spending_never_goes_below_zero(
    sessions: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    settings: Settings,
    make_user: MakeUser,
) -> None:
    user = await make_user(points=50)

    async def spend(n: int) -> bool:
        async with sessions() as session:
            try:
                return await RewardsService(session, settings).spend(
                    user, 10, ref_type="test", ref_id=n
                )
            except InsufficientPoints:
                return False

    outcomes = await asyncio.gather(*(spend(n) for n in range(20)))
    assert sum(outcomes) == 5
    assert await ledger_state(engine, user) == (0, 0)


async def test_penalties_take_at_most_what_is_there(
    rewards: RewardsService, make_user: MakeUser, engine: AsyncEngine
) -> None:
    user = await make_user()
    await rewards.award(user, 30, reason="task", ref_type="task", ref_id=1, series_id=2)
    await rewards.spend(user, 20, ref_type="test", ref_id=1)
    assert await rewards.penalize(user, 25, ref_type="registration", ref_id=5, series_id=2) == 10
    assert await rewards.penalize(user, 25, ref_type="registration", ref_id=5) == 0  # once
    # Leaderboards: spending kept the 30, the penalty took its full 25.
    for series_id in (None, 2):
        me = (await rewards.leaderboard(series_id=series_id, user_id=user)).me
        assert me is not None
        assert (me.place, me.points) == (1, 5)
    assert await rewards.penalize(user, 50, ref_type="registration", ref_id=6) == 0  # empty
    points = await rewards.points(user)
    assert (points.balance, points.earned_total) == (0, 30)
    assert await ledger_state(engine, user) == (0, 0)
    me = (await rewards.leaderboard(user_id=user)).me
    assert me is not None
    assert (me.place, me.points) == (None, 0)  # never below zero


async def test_nonsense_is_refused(rewards: RewardsService, make_user: MakeUser) -> None:
    user = await make_user()
    with pytest.raises(InvalidPoints):
        await rewards.award(user, -5, reason="task", ref_type="task", ref_id=1)
    with pytest.raises(InvalidPoints) as refused:
        await rewards.award(user, 5, reason="bribe", ref_type="task", ref_id=1)
    assert refused.value.code == "invalid_reason"
    with pytest.raises(InsufficientPoints):
        await rewards.spend(user, 1, ref_type="test", ref_id=1)


_refs = itertools.count(1)
operation = st.tuples(st.sampled_from(["award", "spend", "penalize"]), st.integers(0, 40))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(operations=st.lists(operation, max_size=12), repeat_ref=st.booleans())
async def test_the_balance_is_always_the_sum_of_the_ledger(
    rewards: RewardsService,
    make_user: MakeUser,
    engine: AsyncEngine,
    operations: list[tuple[str, int]],
    repeat_ref: bool,
) -> None:
    user = await make_user()
    expected = 0
    for name, points in operations:
        # Sometimes the same reference again: it must change nothing.
        ref = 1 if repeat_ref else next(_refs)
        if name == "award":
            paid = await rewards.award(user, points, reason="task", ref_type="t", ref_id=ref)
            expected += points if paid else 0
        elif name == "spend":
            try:
                spent = await rewards.spend(user, points, ref_type="t", ref_id=ref)
            except InsufficientPoints:
                assert points > expected
            else:
                expected -= points if spent else 0
        else:
            expected -= await rewards.penalize(user, points, ref_type="t", ref_id=ref)
        balance, total = await ledger_state(engine, user)
        assert balance == total == expected >= 0
