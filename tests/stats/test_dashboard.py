"""Every dashboard figure against numbers computed by hand from tests/stats/conftest.py."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import AccessToken, SignInDay
from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.service import AccountsService
from openindustry.config import Settings
from openindustry.stats.errors import InvalidDateRange, UnknownSeries
from openindustry.stats.schemas import FillRow, StatsFilter
from openindustry.stats.service import StatsService
from tests.stats.conftest import Fixture

DECEMBER = (date(2024, 12, 1), date(2024, 12, 31))


def fill(row: FillRow) -> tuple[object, ...]:
    return (
        row.slots,
        row.capacity,
        row.confirmed_parties,
        row.confirmed_people,
        row.fill_rate,
        row.attended_parties,
        row.attended_people,
        row.attendance_rate,
        row.no_show_parties,
        row.no_show_people,
        row.no_show_rate,
    )


async def test_series_dashboard(
    session: AsyncSession, settings: Settings, program_data: Fixture
) -> None:
    stats = StatsService(session, settings)
    board = await stats.dashboard(StatsFilter(series_id=program_data.s1))

    days = {
        r.day: (r.slots, r.seats_offered, r.registrations, r.confirmed, r.applied)
        for r in board.by_day
    }
    assert days == {
        date(2024, 12, 9): (0, 0, 1, 1, 0),
        # 22:30 UTC on the 9th is 01:30 on the 10th in Moscow.
        date(2024, 12, 10): (0, 0, 4, 2, 0),
        date(2024, 12, 11): (0, 0, 8, 2, 3),
        date(2024, 12, 12): (1, 10, 0, 0, 0),
        date(2024, 12, 13): (1, 5, 0, 0, 0),  # slot B: 22:30 UTC on the 12th
        date(2024, 12, 14): (1, 4, 0, 0, 0),  # slot D is cancelled: not offered
    }
    eleventh = next(r for r in board.by_day if r.day == date(2024, 12, 11))
    assert (eleventh.waitlisted, eleventh.cancelled, eleventh.offered) == (1, 2, 0)

    enterprises = {r.name: fill(r) for r in board.by_enterprise}
    assert enterprises == {
        "«Объединённые кондитеры»": (1, 10, 2, 5, 0.5, 1, 3, 0.6, 1, 2, 0.4),
        "«Эстет»": (1, 5, 2, 3, 0.6, 1, 1, 0.3333, 0, 0, 0.0),
        "ПАО «Ил»": (1, 4, 1, 2, 0.5, 1, 2, 1.0, 0, 0, 0.0),
    }
    assert {r.name: r.industry for r in board.by_enterprise}["«Эстет»"] == "Кондитерская"
    industries = {r.name: fill(r) for r in board.by_industry}
    assert industries == {
        "Кондитерская": (2, 15, 4, 8, 0.5333, 2, 4, 0.5, 1, 2, 0.25),
        "Авиация": (1, 4, 1, 2, 0.5, 1, 2, 1.0, 0, 0, 0.0),
    }

    [lottery] = board.lottery
    assert lottery.slot_id == program_data.slots["C"]
    assert (lottery.capacity, lottery.applicant_parties, lottery.applicant_people) == (4, 6, 10)
    assert (lottery.parties_per_seat, lottery.people_per_seat) == (1.5, 2.5)

    ages = {r.group: (r.participants, r.companions, r.people) for r in board.ages}
    assert ages == {
        "0–6": (0, 1, 1),
        "7–11": (0, 1, 1),
        "12–15": (0, 1, 1),  # 12 exactly on the slot day
        "16–17": (1, 0, 1),  # 16 on the Moscow day of slot B
        "18–35": (2, 0, 2),
        "36–59": (1, 1, 2),
        "60+": (0, 1, 1),
        "unknown": (1, 0, 1),
    }
    assert list(ages) == ["0–6", "7–11", "12–15", "16–17", "18–35", "36–59", "60+", "unknown"]

    assert [(p.reason, p.issued, p.spent) for p in board.points] == [
        ("attendance", 100, 0),
        ("penalty", 0, 10),
        ("prize", 0, 120),
        ("task", 100, 0),
    ]
    assert [(p.title, p.stock, p.claimed, p.handed_over) for p in board.prizes] == [
        ("Термос «Моспром»", 3, 2, 1),
        ("Пауэрбанк", 0, 0, 0),
    ]
    attendance = board.attendance
    assert (attendance.people, attendance.parties, attendance.participants) == (6, 3, 3)
    assert attendance.companions == 3
    assert "Посещаемость" in attendance.label
    assert "Охват" in board.reach.label


async def test_reach_is_apart_from_attendance(
    session: AsyncSession, settings: Settings, program_data: Fixture
) -> None:
    stats = StatsService(session, settings)
    board = await stats.dashboard(StatsFilter(date_from=DECEMBER[0], date_to=DECEMBER[1]))
    reach = board.reach
    assert (reach.signed_in_people, reach.new_accounts) == (2, 6)
    assert (reach.quiz_people, reach.quiz_attempts) == (2, 3)  # the code word is no quiz
    # Six people came in December; eight accounts exist: the two figures are not mixed.
    assert board.attendance.people == 6


async def test_reach_outlives_the_tokens_the_purge_deletes(
    session: AsyncSession, settings: Settings
) -> None:
    accounts = AccountsService(session, settings)
    january = (date(2025, 1, 1), date(2025, 1, 31))
    ann, bob = (VerifiedIdentity(Provider.TELEGRAM, s) for s in ("4001", "4002"))
    with time_machine.travel(datetime(2025, 1, 10, 9, tzinfo=UTC), tick=False):
        first = await accounts.sign_in(ann)
        await accounts.sign_in(ann)  # opened twice that day: one person, one row
        await accounts.sign_in(bob)
    with time_machine.travel(datetime(2025, 1, 12, 9, tzinfo=UTC), tick=False):
        await accounts.sign_in(ann)
    stats = StatsService(session, settings)
    before = (await stats.dashboard(StatsFilter(date_from=january[0], date_to=january[1]))).reach
    assert before.signed_in_people == 2
    days = await session.scalars(select(SignInDay.day).where(SignInDay.user_id == first.user.id))
    assert sorted(days) == [date(2025, 1, 10), date(2025, 1, 12)]

    deleted = await accounts.purge()  # today: every token above expired long ago
    assert deleted["tokens"] >= 4, deleted
    assert await session.scalar(select(func.count()).select_from(AccessToken)) == 0
    after = (await stats.dashboard(StatsFilter(date_from=january[0], date_to=january[1]))).reach
    assert after == before


async def test_date_filter(
    session: AsyncSession, settings: Settings, program_data: Fixture
) -> None:
    stats = StatsService(session, settings)
    board = await stats.dashboard(
        StatsFilter(
            series_id=program_data.s1, date_from=date(2024, 12, 12), date_to=date(2024, 12, 13)
        )
    )
    assert [(r.day, r.slots, r.seats_offered, r.registrations) for r in board.by_day] == [
        (date(2024, 12, 12), 1, 10, 0),
        (date(2024, 12, 13), 1, 5, 0),
    ]
    assert sorted(r.name for r in board.by_enterprise) == ["«Объединённые кондитеры»", "«Эстет»"]
    assert board.lottery == []
    assert [(p.reason, p.issued, p.spent) for p in board.points] == [
        ("attendance", 100, 0),
        ("penalty", 0, 10),
    ]
    # Registrations created on the 10th (Moscow) only: R2 (22:30 UTC on the 9th) and three more.
    tenth = await stats.dashboard(
        StatsFilter(date_from=date(2024, 12, 10), date_to=date(2024, 12, 10))
    )
    assert [(r.day, r.registrations) for r in tenth.by_day] == [(date(2024, 12, 10), 4)]


async def test_other_series_and_everything(
    session: AsyncSession, settings: Settings, program_data: Fixture
) -> None:
    stats = StatsService(session, settings)
    spring = await stats.dashboard(StatsFilter(series_id=program_data.s2))
    assert [
        (r.name, r.capacity, r.confirmed_people, r.attended_people) for r in spring.by_enterprise
    ] == [("ПАО «Ил»", 8, 1, 1)]
    assert [(p.reason, p.issued) for p in spring.points] == [("task", 30)]
    assert {r.group: r.people for r in spring.ages}["60+"] == 1
    everything = await stats.dashboard(StatsFilter())
    assert sum(r.capacity for r in everything.by_industry) == 10 + 5 + 4 + 8 + 25
    assert everything.attendance.people == 7


async def test_public_counters(
    session: AsyncSession, settings: Settings, program_data: Fixture
) -> None:
    counters = await StatsService(session, settings).public_counters()
    assert counters.model_dump() == {
        "excursions_held": 3,  # A, C, E; D was cancelled, F is to come
        "master_classes_held": 1,  # B
        "visitors": 7,  # 3 + 1 + 2 (series S1) + 1 (E)
        "enterprises": 3,
        "upcoming_slots": 1,
        "seats_upcoming": 25,
    }


async def test_bad_filters(
    session: AsyncSession, settings: Settings, program_data: Fixture
) -> None:
    stats = StatsService(session, settings)
    with pytest.raises(InvalidDateRange):
        await stats.dashboard(StatsFilter(date_from=date(2024, 12, 2), date_to=date(2024, 12, 1)))
    with pytest.raises(UnknownSeries):
        await stats.dashboard(StatsFilter(series_id=program_data.s2 + 100))


async def test_empty_database(session: AsyncSession, settings: Settings) -> None:
    board = await StatsService(session, settings).dashboard(StatsFilter())
    assert board.by_day == board.by_enterprise == board.lottery == board.points == []
    assert all(r.people == 0 for r in board.ages)
    assert board.attendance.people == 0
