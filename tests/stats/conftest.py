"""A small program built by hand, with every figure the dashboard shows computed by hand.

Times are Moscow (UTC+3). Series «Декабрь» (S1) has three live slots and one cancelled one:
  A  «Объединённые кондитеры» excursion, 12.12 10:00, capacity 10
  B  «Эстет» master class, 13.12 01:30 (12.12 22:30 UTC: a Moscow-day edge), capacity 5
  C  ПАО «Ил» excursion, 14.12 11:00, capacity 4, lottery
  D  «Объединённые кондитеры», 14.12, capacity 20, cancelled
Series «Весна» (S2) has slot E (ПАО «Ил», 05.03.2025, capacity 8); slot F (no series) is upcoming.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role, SignInDay, User
from openindustry.catalog.models import (
    AllocationMode,
    Enterprise,
    Industry,
    Program,
    ProgramFormat,
    Series,
    Slot,
    SlotStatus,
)
from openindustry.quests.models import Attempt, Task, TaskKind
from openindustry.registration.models import Registration, RegistrationStatus
from openindustry.rewards.models import (
    ClaimHow,
    ClaimStatus,
    PointsEntry,
    PointsReason,
    Prize,
    PrizeClaim,
)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class Fixture:
    s1: int
    s2: int
    slots: dict[str, int]


@pytest.fixture
async def program_data(session: AsyncSession) -> Fixture:
    add = session.add_all
    food = Industry(slug="confectionery", name="Кондитерская", name_en="Confectionery")
    air = Industry(slug="aviation", name="Авиация", name_en="Aviation")
    add([food, air])
    await session.flush()

    def enterprise(slug: str, name: str, industry: Industry) -> Enterprise:
        return Enterprise(
            slug=slug, name=name, industry_id=industry.id, short_description="—", address="Москва"
        )

    e1 = enterprise("konditery", "«Объединённые кондитеры»", food)
    e2 = enterprise("estet", "«Эстет»", food)
    e3 = enterprise("il", "ПАО «Ил»", air)
    add([e1, e2, e3])
    await session.flush()
    p1 = Program(
        enterprise_id=e1.id,
        title="Как делают шоколад",
        format=ProgramFormat.EXCURSION,
        duration_minutes=90,
    )
    p2 = Program(
        enterprise_id=e2.id,
        title="Ювелирная мастерская",
        format=ProgramFormat.MASTER_CLASS,
        duration_minutes=90,
    )
    p3 = Program(
        enterprise_id=e3.id,
        title="Сборка самолёта",
        format=ProgramFormat.EXCURSION,
        duration_minutes=90,
    )
    s1 = Series(title="Декабрь", starts_on=date(2024, 12, 11), ends_on=date(2024, 12, 22))
    s2 = Series(title="Весна", starts_on=date(2025, 3, 1), ends_on=date(2025, 3, 10))
    add([p1, p2, p3, s1, s2])
    await session.flush()

    def slot(
        program: Program, series: Series | None, starts: datetime, capacity: int, **extra: Any
    ) -> Slot:
        return Slot(
            program_id=program.id,
            series_id=series.id if series else None,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
            capacity=capacity,
            **extra,
        )

    upcoming = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    slots = {
        "A": slot(p1, s1, utc(2024, 12, 12, 7), 10),
        "B": slot(p2, s1, utc(2024, 12, 12, 22, 30), 5),
        "C": slot(p3, s1, utc(2024, 12, 14, 8), 4, registration_mode=AllocationMode.LOTTERY),
        "D": slot(p1, s1, utc(2024, 12, 14, 9), 20, status=SlotStatus.CANCELLED),
        "E": slot(p3, s2, utc(2025, 3, 5, 7), 8),
        "F": slot(p1, None, upcoming, 25),
    }
    add(slots.values())

    births = {
        1: date(1985, 5, 1),
        2: date(2000, 6, 1),
        3: date(1995, 1, 1),
        4: date(1990, 2, 1),
        5: None,
        6: date(2008, 12, 13),  # 16 on the Moscow day of slot B, still 15 on its UTC day
        7: date(1960, 1, 1),
        8: date(1980, 1, 1),
    }
    users = {
        n: User(
            name=f"Гость {n}",
            birth_date=b,
            role=Role.PARTICIPANT,
            created_at=utc(2025, 3, 1) if n >= 7 else utc(2024, 12, 1),
        )
        for n, b in births.items()
    }
    add(users.values())
    await session.flush()

    def kid(*born: date) -> list[dict[str, Any]]:
        return [
            {"companion_id": i, "name": f"Спутник {i}", "birth_date": b.isoformat()}
            for i, b in enumerate(born, 1)
        ]

    s = RegistrationStatus

    def reg(
        user: int,
        name: str,
        status: RegistrationStatus,
        created: datetime,
        companions: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> Registration:
        at = slots[name]
        companions = companions or []
        return Registration(
            slot_id=at.id,
            user_id=users[user].id,
            status=status,
            party_size=extra.pop("party", 1 + len(companions)),
            series_id=at.series_id,
            slot_starts_at=at.starts_at,
            slot_ends_at=at.ends_at,
            companions=companions,
            created_at=created,
            **extra,
        )

    add(
        [
            # Slot A: confirmed 3 + 2 people; one party came, one did not.
            reg(
                1,
                "A",
                s.CONFIRMED,
                utc(2024, 12, 9, 7),
                kid(date(2018, 1, 10), date(2012, 12, 12)),
                attended_at=utc(2024, 12, 12, 7, 5),
            ),
            reg(2, "A", s.CONFIRMED, utc(2024, 12, 9, 22, 30), kid(date(1950, 1, 1)), no_show=True),
            reg(3, "A", s.CANCELLED, utc(2024, 12, 10, 8)),
            reg(4, "A", s.WAITLISTED, utc(2024, 12, 10, 9), kid(date(2010, 1, 1))),
            # Slot B: confirmed 1 + 2 people; the first came.
            reg(5, "B", s.CONFIRMED, utc(2024, 12, 10, 10), attended_at=utc(2024, 12, 12, 22, 31)),
            reg(6, "B", s.CONFIRMED, utc(2024, 12, 11, 10), kid(date(1970, 1, 1))),
            # Slot C (lottery): 6 applications of 10 people; the drawn party of 2 came.
            reg(1, "C", s.APPLIED, utc(2024, 12, 11, 12)),
            reg(
                2, "C", s.APPLIED, utc(2024, 12, 11, 12, 1), kid(date(1999, 1, 1), date(2001, 1, 1))
            ),
            reg(3, "C", s.APPLIED, utc(2024, 12, 11, 12, 2), kid(date(1996, 1, 1))),
            reg(
                4,
                "C",
                s.CONFIRMED,
                utc(2024, 12, 11, 12, 3),
                kid(date(2015, 3, 3)),
                attended_at=utc(2024, 12, 14, 8, 2),
            ),
            reg(5, "C", s.WAITLISTED, utc(2024, 12, 11, 12, 4)),
            reg(6, "C", s.CANCELLED, utc(2024, 12, 11, 12, 5)),
            # Slot D was cancelled with its registration.
            reg(7, "D", s.CANCELLED, utc(2024, 12, 11, 13)),
            # Series S2 and the upcoming slot.
            reg(7, "E", s.CONFIRMED, utc(2025, 3, 2, 7), attended_at=utc(2025, 3, 5, 7, 1)),
            reg(8, "F", s.CONFIRMED, datetime.now(UTC)),
        ]
    )

    def points(
        user: int,
        amount: int,
        reason: PointsReason,
        ref: int,
        created: datetime,
        series: Series = s1,
    ) -> PointsEntry:
        return PointsEntry(
            user_id=users[user].id,
            amount=amount,
            reason=reason,
            ref_type="t",
            ref_id=ref,
            series_id=series.id,
            created_at=created,
        )

    add(
        [
            points(1, 50, PointsReason.TASK, 1, utc(2024, 12, 9)),
            points(1, 100, PointsReason.ATTENDANCE, 2, utc(2024, 12, 12, 8)),
            points(2, 50, PointsReason.TASK, 1, utc(2024, 12, 9)),
            points(1, -120, PointsReason.PRIZE, 3, utc(2024, 12, 15)),
            points(2, -10, PointsReason.PENALTY, 4, utc(2024, 12, 13)),
            points(7, 30, PointsReason.TASK, 5, utc(2025, 3, 5), s2),
        ]
    )
    thermos = Prize(title="Термос «Моспром»", stock=3, price_points=120)
    powerbank = Prize(title="Пауэрбанк", stock=0, price_points=300)
    quiz = Task(kind=TaskKind.QUIZ, title="Викторина", series_id=s1.id)
    code = Task(kind=TaskKind.CODE_WORD, title="Кодовое слово", series_id=s1.id)
    add([thermos, powerbank, quiz, code])
    await session.flush()

    def claim(user: int, status: ClaimStatus, code_: str) -> PrizeClaim:
        return PrizeClaim(
            prize_id=thermos.id,
            user_id=users[user].id,
            status=status,
            how=ClaimHow.POINTS,
            pickup_code=code_,
            points_spent=120,
        )

    def attempt(task: Task, user: int, number: int) -> Attempt:
        return Attempt(
            task_id=task.id,
            user_id=users[user].id,
            number=number,
            started_at=utc(2024, 12, 8, 10, number),
        )

    def signed_in(user: int, at: datetime) -> SignInDay:
        return SignInDay(user_id=users[user].id, day=at.date(), first_at=at)

    add(
        [
            claim(1, ClaimStatus.HANDED_OVER, "AAAA1111"),
            claim(2, ClaimStatus.RESERVED, "BBBB2222"),
            claim(3, ClaimStatus.CANCELLED, "CCCC3333"),
            attempt(quiz, 1, 1),
            attempt(quiz, 1, 2),
            attempt(quiz, 2, 1),
            attempt(code, 3, 1),
            signed_in(1, utc(2024, 12, 5)),
            signed_in(1, utc(2024, 12, 6)),
            signed_in(2, utc(2024, 12, 5)),
            signed_in(7, utc(2025, 3, 1)),
        ]
    )
    await session.commit()
    return Fixture(s1=s1.id, s2=s2.id, slots={k: v.id for k, v in slots.items()})
