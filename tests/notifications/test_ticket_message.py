"""The confirmation message carries the ticket the app shows, and that code opens the gate."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import time_machine

from openindustry.accounts.models import Role
from tests.conftest import TokenFor
from tests.notifications.conftest import MakeDispatcher
from tests.notifications.fake_apis import FakeApis
from tests.registration.conftest import MakeParticipant, MakeSlot
from tests.smtp import Inbox

TICKET = re.compile(r"OI1[A-Z2-7]+")


async def test_the_confirmation_carries_the_ticket_code_that_checks_in(
    participant: MakeParticipant,
    open_slot: MakeSlot,
    client: httpx.AsyncClient,
    token_for: TokenFor,
    dispatcher_for: MakeDispatcher,
    apis: FakeApis,
) -> None:
    slot = await open_slot(3, starts_in=timedelta(days=2))
    guest = await participant()
    booked = await guest.register(slot.id)
    assert booked.status_code == 201, booked.text
    registration_id = booked.json()["id"]
    shown = (await guest.get(f"/api/v1/registrations/{registration_id}")).json()["ticket_code"]
    assert shown == booked.json()["ticket_code"]
    assert shown.startswith("OI1")

    assert (await dispatcher_for().run_once()).sent == 1
    [message] = [c["text"] for c in apis.sent("telegram") if "Код билета" in c["text"]]
    assert TICKET.findall(message) == [shown]

    host = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}
    with time_machine.travel(slot.starts_at, tick=True):
        gate = await client.post("/api/v1/checkin", json={"ticket_code": shown}, headers=host)
    assert gate.status_code == 200, gate.text
    assert gate.json()["registration_id"] == registration_id
    assert gate.json()["already_checked_in"] is False


async def test_a_booking_by_phone_gets_the_same_code_by_email(
    open_slot: MakeSlot,
    client: httpx.AsyncClient,
    token_for: TokenFor,
    dispatcher_for: MakeDispatcher,
    inbox: Inbox,
) -> None:
    slot = await open_slot(3)
    organizer = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}
    added = await client.post(
        f"/api/v1/admin/slots/{slot.id}/registrations",
        json={
            "person": {"name": "Мария Звонкова", "email": "maria@example.org"},
            "consent_confirmed": True,
        },
        headers=organizer,
    )
    assert added.status_code == 201, added.text

    assert (await dispatcher_for().run_once()).sent == 1
    [mail] = inbox.to("maria@example.org")
    plain = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    assert TICKET.findall(plain.get_payload(decode=True).decode()) == [added.json()["ticket_code"]]
