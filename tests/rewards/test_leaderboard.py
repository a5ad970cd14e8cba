"""Leaderboards: more points first, ties to whoever reached the total first; my place anywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from openindustry.rewards import rules
from openindustry.rewards.service import RewardsService
from tests.rewards.conftest import MakeUser

T0 = datetime(2030, 12, 11, 10, 0, tzinfo=UTC)


async def test_order_and_ties(rewards: RewardsService, make_user: MakeUser) -> None:
    anna, boris, vera, gleb = [await make_user(name=n) for n in ("Анна", "Борис", "Вера", "Глеб")]
    with time_machine.travel(T0, tick=False) as clock:
        await rewards.award(vera, 20, reason="task", ref_type="task", ref_id=1, series_id=5)
        clock.shift(timedelta(minutes=1))
        await rewards.award(anna, 10, reason="task", ref_type="task", ref_id=1, series_id=5)
        clock.shift(timedelta(minutes=1))
        await rewards.award(boris, 30, reason="task", ref_type="task", ref_id=1)
        clock.shift(timedelta(minutes=1))
        # Anna reaches 20 after Vera did: Vera stays ahead of her.
        await rewards.award(anna, 10, reason="task", ref_type="task", ref_id=2, series_id=5)
        clock.shift(timedelta(minutes=1))
        await rewards.award(gleb, 5, reason="attendance", ref_type="slot", ref_id=1)
    board = await rewards.leaderboard()
    assert [(i.place, i.user_id, i.points) for i in board.items] == [
        (1, boris, 30),
        (2, vera, 20),
        (3, anna, 20),
        (4, gleb, 5),
    ]
    assert board.items[0].name == "Борис"
    series = await rewards.leaderboard(series_id=5, user_id=boris)
    assert [(i.user_id, i.points) for i in series.items] == [(vera, 20), (anna, 20)]
    assert series.me is not None
    assert (series.me.place, series.me.points) == (None, 0)  # no points in this series


async def test_spending_keeps_the_place(rewards: RewardsService, make_user: MakeUser) -> None:
    rich, other = await make_user(points=50), await make_user(points=40)
    await rewards.spend(rich, 50, ref_type="test", ref_id=1)
    assert [i.user_id for i in (await rewards.leaderboard()).items] == [rich, other]


async def test_my_place_outside_the_top(rewards: RewardsService, make_user: MakeUser) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        people = []
        for n in range(12):
            people.append(await make_user(points=100 - n))
            clock.shift(timedelta(seconds=1))
        # Last, and tied with the one before: they reached 89 earlier.
        late = await make_user(points=89)
    board = await rewards.leaderboard(limit=5, user_id=late)
    assert [i.user_id for i in board.items] == people[:5]
    assert board.me is not None
    assert (board.me.place, board.me.points) == (13, 89)
    tied = await rewards.leaderboard(limit=5, user_id=people[11])
    assert tied.me is not None
    assert tied.me.place == 12
    first = await rewards.leaderboard(limit=5, user_id=people[0])
    assert first.me is not None
    assert first.me.place == 1


def test_public_names_hide_surnames() -> None:
    assert rules.public_name(7, "Анна Каренина") == "Анна К."
    assert rules.public_name(7, "Анна") == "Анна"
    assert rules.public_name(7, "  ") == "Участник №7"
