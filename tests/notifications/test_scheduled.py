"""Scheduled messages come from the database and the clock: reminders once, offers pass on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.kit import db
from openindustry.notifications.models import Notification
from openindustry.worker.jobs import schedule_reminders, sweep
from tests.notifications.conftest import MakeDispatcher
from tests.notifications.fake_apis import FakeApis
from tests.registration.conftest import MakeParticipant, MakeSlot


async def kinds(session: AsyncSession) -> list[tuple[str, int]]:
    session.expire_all()
    rows = await session.scalars(select(Notification).order_by(Notification.id))
    return [(r.kind, r.payload.get("registration_id", 0)) for r in rows]


async def test_reminders_fire_at_the_right_time_and_once(
    participant: MakeParticipant,
    open_slot: MakeSlot,
    session: AsyncSession,
    engine: Any,
    dispatcher_for: MakeDispatcher,
    apis: FakeApis,
) -> None:
    slot = await open_slot(3, starts_in=timedelta(days=3))
    guest = await participant()
    booked = (await guest.register(slot.id)).json()
    maker = db.create_sessionmaker(engine)
    reminders = [k for k in await kinds(session) if k[0].startswith("reminder.")]
    assert reminders == []

    async def schedule() -> int:
        async with maker() as own:
            return await schedule_reminders(own)

    with time_machine.travel(slot.starts_at - timedelta(hours=25), tick=False):
        assert await schedule() == 0
    with time_machine.travel(slot.starts_at - timedelta(hours=23), tick=False):
        assert await schedule() == 1
        assert await schedule() == 0  # a second worker, a second round: nothing new
        report = await dispatcher_for().run_once()
    assert report.sent >= 1
    assert any("Напоминаем" in c["text"] for c in apis.sent("telegram"))
    with time_machine.travel(slot.starts_at - timedelta(hours=1), tick=False):
        assert await schedule() == 1
        assert await schedule() == 0
    reminders = [k for k in await kinds(session) if k[0].startswith("reminder.")]
    assert reminders == [("reminder.24h", booked["id"]), ("reminder.2h", booked["id"])]


async def test_offer_expiry_moves_the_waitlist_and_tells_the_next_one(
    participant: MakeParticipant,
    open_slot: MakeSlot,
    session: AsyncSession,
    settings: Settings,
    engine: Any,
) -> None:
    slot = await open_slot(1, starts_in=timedelta(days=5))
    holder, late, next_one = [await participant() for _ in range(3)]
    booked = (await holder.register(slot.id)).json()
    slow = (await late.register(slot.id, waitlist_ok=True)).json()
    quick = (await next_one.register(slot.id, waitlist_ok=True)).json()
    await holder.post(f"/api/v1/registrations/{booked['id']}/cancel")
    assert ("registration.offered", slow["id"]) in await kinds(session)

    later = datetime.now(UTC) + timedelta(hours=settings.offer_hours, minutes=1)
    with time_machine.travel(later, tick=False):
        report = await sweep(db.create_sessionmaker(engine), settings)
    assert report.offers_expired == 1
    told = await kinds(session)
    assert ("registration.offer_expired", slow["id"]) in told
    assert ("registration.offered", quick["id"]) in told
