"""Organizers write to everyone registered for a slot or a series, through the outbox, and see
the dead letters."""

from __future__ import annotations

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from tests import factories
from tests.conftest import TokenFor
from tests.registration.conftest import MakeParticipant, MakeSlot


async def test_a_message_reaches_every_registrant_of_the_slot_once(
    client: httpx.AsyncClient,
    participant: MakeParticipant,
    open_slot: MakeSlot,
    token_for: TokenFor,
    session: AsyncSession,
) -> None:
    slot = await open_slot(1)
    other = await open_slot(5)
    booked, waiting, elsewhere = await participant(), await participant(), await participant()
    await booked.register(slot.id)
    await waiting.register(slot.id, waitlist_ok=True)
    await elsewhere.register(other.id)
    organizer = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}

    sent = await client.post(
        f"/api/v1/admin/slots/{slot.id}/messages",
        json={"text": "Сбор у проходной №2."},
        headers=organizer,
    )
    assert sent.status_code == 200, sent.text
    assert sent.json() == {"recipients": 2}
    rows = (
        await session.execute(
            text("SELECT COUNT(*) FROM notification WHERE kind = 'organizer.message'")
        )
    ).scalar_one()
    assert rows == 2
    audit = (
        await session.execute(
            text("SELECT COUNT(*) FROM audit_entry WHERE action = 'slot.messaged'")
        )
    ).scalar_one()
    assert audit == 1

    unknown = await client.post(
        "/api/v1/admin/slots/424242/messages", json={"text": "x"}, headers=organizer
    )
    assert unknown.status_code == 404
    empty = await client.post(
        f"/api/v1/admin/slots/{slot.id}/messages", json={"text": ""}, headers=organizer
    )
    assert empty.status_code == 422


async def test_a_series_message_and_the_dead_letters(
    client: httpx.AsyncClient,
    participant: MakeParticipant,
    token_for: TokenFor,
    session: AsyncSession,
) -> None:
    series = await factories.series(session)
    organizer = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}
    sent = await client.post(
        f"/api/v1/admin/series/{series.id}/messages", json={"text": "Расписание обновлено."},
        headers=organizer,
    )  # fmt: skip
    assert sent.json() == {"recipients": 0}
    dead = await client.get("/api/v1/admin/notifications?status=dead", headers=organizer)
    assert dead.status_code == 200
    assert dead.json()["items"] == []
    assert dead.json()["total"] == 0
    bad = await client.get("/api/v1/admin/notifications?status=lost", headers=organizer)
    assert bad.status_code == 422
    person = await participant()
    assert (await person.get("/api/v1/admin/notifications")).status_code == 403


async def test_a_new_time_is_told_to_everyone_registered(
    client: httpx.AsyncClient,
    participant: MakeParticipant,
    open_slot: MakeSlot,
    token_for: TokenFor,
    session: AsyncSession,
) -> None:
    slot = await open_slot(5)
    for _ in range(2):
        await (await participant()).register(slot.id)
    organizer = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}

    async def told() -> int:
        query = "SELECT COUNT(*) FROM notification WHERE kind = 'registration.slot_changed'"
        return int((await session.execute(text(query))).scalar_one())

    bigger = await client.patch(
        f"/api/v1/admin/slots/{slot.id}", json={"capacity": 6}, headers=organizer
    )
    assert bigger.status_code == 200
    assert await told() == 0  # more seats: nothing to tell the registered
    later = slot.starts_at.isoformat().replace("+00:00", "Z")
    moved = await client.patch(
        f"/api/v1/admin/slots/{slot.id}",
        json={"meeting_point": "Проходная №2", "starts_at": later},
        headers=organizer,
    )
    assert moved.status_code == 200, moved.text
    assert await told() == 2
