"""The outbox state machine: pending → sending (leased) → sent | pending (retry) | dead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.providers.base import Provider
from openindustry.kit.tx import transaction
from openindustry.notifications.models import Notification, NotificationStatus
from openindustry.notifications.schemas import URGENT, NotificationCreate
from openindustry.notifications.service import NotificationsService
from tests.notifications.conftest import MakeDispatcher, MakePerson
from tests.notifications.fake_apis import Answer, FakeApis

PAYLOAD = {"registration_id": 7, "title": "Завод «Кристалл»", "when": "11 декабря, 10:00"}


def message(user_id: int, text: str, priority: int = 0) -> NotificationCreate:
    return NotificationCreate(
        user_id=user_id,
        kind="organizer.message",
        payload=PAYLOAD | {"text": text},
        priority=priority,
    )


async def enqueue(session: AsyncSession, *messages: NotificationCreate) -> None:
    async with transaction(session):
        await NotificationsService(session).enqueue(messages)


async def the_row(session: AsyncSession) -> Notification:
    session.expire_all()
    return (await session.scalars(select(Notification))).one()


async def test_a_dispatcher_that_outlived_its_lease_cannot_undo_a_delivery(
    session: AsyncSession, person: MakePerson, dispatcher_for: MakeDispatcher, apis: FakeApis
) -> None:
    user = await person((Provider.TELEGRAM, "801"))
    await enqueue(session, message(user.id, "один раз"))
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        slow = dispatcher_for()
        [stale] = await slow.claim()  # …and stalls past its lease
        traveller.shift(timedelta(seconds=61))
        assert (await dispatcher_for().run_once()).sent == 1
        apis.then("telegram", Answer(502, {}))
        # The stalled dispatcher wakes up, fails, and would schedule a retry of a sent row.
        assert await slow.deliver(stale) == "retry"
    row = await the_row(session)
    assert row.status is NotificationStatus.SENT  # the newer claim's outcome stands
    assert row.attempts == 2
    assert row.last_error is None


async def test_a_row_that_keeps_killing_its_dispatcher_is_dead_lettered(
    session: AsyncSession, person: MakePerson, dispatcher_for: MakeDispatcher, apis: FakeApis
) -> None:
    user = await person((Provider.TELEGRAM, "802"))
    await enqueue(session, message(user.id, "яд"))
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        for _ in range(3):  # notification_max_attempts in the tests' settings
            assert len(await dispatcher_for().claim()) == 1  # the process dies each time
            traveller.shift(timedelta(seconds=61))
        assert (await dispatcher_for().run_once()).claimed == 0
    row = await the_row(session)
    assert row.status is NotificationStatus.DEAD
    assert row.attempts == 3
    assert "abandoned" in (row.last_error or "")
    assert apis.sent("telegram") == []


async def test_urgent_rows_jump_the_queue(
    session: AsyncSession, person: MakePerson, dispatcher_for: MakeDispatcher, apis: FakeApis
) -> None:
    user = await person((Provider.TELEGRAM, "803"))
    await enqueue(session, *(message(user.id, f"обычное {i}") for i in range(3)))
    await enqueue(session, message(user.id, "срочное", priority=URGENT))
    one_by_one = dispatcher_for(notification_batch_size=1)
    [first] = await one_by_one.claim()
    assert first.payload["text"] == "срочное"
    assert await one_by_one.deliver(first) == "sent"
    while (await one_by_one.run_once()).claimed:
        pass
    texts = [c["text"].split("\n")[2] for c in apis.sent("telegram")]
    assert texts == ["срочное", "обычное 0", "обычное 1", "обычное 2"]
