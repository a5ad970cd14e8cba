"""What a rush needs before the clock starts: a fresh series and signed-in participants.

The catalog is made through the catalog service, as an organizer's scheduling would make it.
Participants are made in bulk — accounts with the current consent and one API token each, the
token hashed by the same `kit.crypto` the accounts service uses — because signing in 5,000
people one by one would take longer than the rush itself; what the app later reads of them
(the token's row, the profile) is exactly what a real sign-in leaves behind.
"""

from __future__ import annotations

import os
import random
import uuid
from dataclasses import dataclass
from datetime import time, timedelta

from sqlalchemy import insert, select

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.models import AccessToken, Role, TokenKind, User
from openindustry.catalog.models import AllocationMode, ProgramFormat, Slot
from openindustry.catalog.schemas import (
    EnterpriseCreate,
    IndustryCreate,
    ProgramCreate,
    RegistrationWindowInput,
    SeriesCreate,
    SlotCreate,
)
from openindustry.catalog.service import CatalogService
from openindustry.config import Settings
from openindustry.kit import clock, crypto, db
from openindustry.registration.models import Registration, RegistrationStatus

SLOTS = 36
SEATS = 25
PARTICIPANTS = int(os.environ.get("BENCH_PARTICIPANTS", "5000"))
HOT_SLOTS = 3


@dataclass
class Rush:
    """One prepared rush: its slots and its participants' plan lines for the load generator."""

    series_id: int | None
    slot_ids: list[int]
    capacity: int
    plan: list[str]  # "token slot_id idempotency_key"


def plan_lines(tokens: list[str], slot_ids: list[int], *, hot: bool, seed: int) -> list[str]:
    """Everyone sends one registration to a slot chosen uniformly (of 3 hot ones, if `hot`)."""
    rng = random.Random(seed)
    targets = rng.sample(slot_ids, HOT_SLOTS) if hot else slot_ids
    return [f"{token} {rng.choice(targets)} {uuid.uuid4().hex}" for token in tokens]


async def app_rush(
    url: str, settings: Settings, *, run: int, hot: bool, participants: int = PARTICIPANTS
) -> Rush:
    """A fresh series of 36 slots × 25 seats opening now (fcfs), and fresh participants."""
    engine = db.create_engine(url)
    try:
        async with db.create_sessionmaker(engine)() as session:
            slot_ids, series_id = await _series(CatalogService(session, settings.tz), run)
        async with db.create_sessionmaker(engine)() as session, session.begin():
            tokens = await _participants(session, participants, run)
    finally:
        await engine.dispose()
    return Rush(series_id, slot_ids, SEATS, plan_lines(tokens, slot_ids, hot=hot, seed=run))


async def _series(catalog: CatalogService, run: int) -> tuple[list[int], int]:
    now = clock.now()
    tag = f"bench-{run}-{uuid.uuid4().hex[:6]}"
    await catalog.create_industry(IndustryCreate(slug=tag, name="Отрасль", name_en="Industry"))
    enterprise = await catalog.create_enterprise(
        EnterpriseCreate(
            slug=tag,
            name=f"Завод {run}",
            industry=tag,
            short_description="Предприятие для нагрузочного теста.",
            address="Москва",
        )
    )
    program = await catalog.create_program(
        ProgramCreate(
            enterprise_id=enterprise.id,
            title=f"Экскурсия {run}",
            format=ProgramFormat.EXCURSION,
            duration_minutes=90,
        )
    )
    # Each run's tours lie in their own weeks, so no run's bookings touch another's.
    first = (now + timedelta(days=7 + 14 * run)).replace(hour=8, minute=0, second=0, microsecond=0)
    series = await catalog.create_series(
        SeriesCreate(
            title=f"Серия {run}",
            starts_on=first.date(),
            ends_on=(first + timedelta(days=SLOTS)).date(),
            opens_at_time=time(10, 0),
            allocation_mode=AllocationMode.FCFS,
        )
    )
    slot_ids = []
    for n in range(SLOTS):
        starts_at = first + timedelta(days=n // 4, hours=3 * (n % 4))
        slot = await catalog.create_slot(
            SlotCreate(
                program_id=program.id,
                series_id=series.id,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(minutes=90),
                capacity=SEATS,
                registration=RegistrationWindowInput(
                    mode=AllocationMode.FCFS,
                    opens_at=now - timedelta(minutes=1),
                    closes_at=starts_at - timedelta(hours=1),
                ),
            )
        )
        slot_ids.append(slot.id)
    return slot_ids, series.id


async def _participants(session: object, count: int, run: int) -> list[str]:
    now = clock.now()
    users = [
        {
            "name": f"Участник {run}-{n}",
            "role": Role.PARTICIPANT,
            "locale": "ru",
            "notification_channels": ["telegram"],
            "consent_version": CONSENT_VERSION,
            "consent_at": now,
            "created_at": now,
        }
        for n in range(count)
    ]
    ids = (
        await session.scalars(  # type: ignore[attr-defined]
            insert(User).returning(User.id, sort_by_parameter_order=True), users
        )
    ).all()
    tokens = [crypto.new_token() for _ in ids]
    await session.execute(  # type: ignore[attr-defined]
        insert(AccessToken),
        [
            {
                "user_id": user_id,
                "token_hash": crypto.token_digest(token),
                "kind": TokenKind.API,
                "created_at": now,
                "expires_at": now + timedelta(days=1),
            }
            for user_id, token in zip(ids, tokens, strict=True)
        ],
    )
    return tokens


@dataclass
class Outcome:
    """What the database holds after a rush, to check the answers against."""

    confirmed_people: dict[int, int]  # slot id -> people in confirmed registrations
    seats_taken: dict[int, int]  # slot id -> the slot's own seat counter
    confirmed_at: dict[int, float]  # confirmed registration id -> when (epoch seconds)


async def app_outcome(url: str, slot_ids: list[int]) -> Outcome:
    engine = db.create_engine(url)
    try:
        async with engine.connect() as connection:
            counters = (
                await connection.execute(
                    select(Slot.id, Slot.seats_taken).where(Slot.id.in_(slot_ids))
                )
            ).all()
            rows = (
                await connection.execute(
                    select(
                        Registration.id,
                        Registration.slot_id,
                        Registration.party_size,
                        Registration.confirmed_at,
                    ).where(
                        Registration.slot_id.in_(slot_ids),
                        Registration.status == RegistrationStatus.CONFIRMED,
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    per_slot: dict[int, int] = dict.fromkeys(slot_ids, 0)
    confirmed: dict[int, float] = {}
    for registration_id, slot_id, party_size, confirmed_at in rows:
        per_slot[slot_id] += party_size
        confirmed[registration_id] = confirmed_at.timestamp()
    return Outcome(per_slot, dict(counters), confirmed)
