"""Organizers acting on other people's registrations through the JSON API: add by hand, move a
party, cancel one, search a slot's roster. Seats, the waitlist, tickets, the outbox and the audit
log are read back from the database."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Identity, Role, User
from openindustry.audit.models import AuditEntry
from openindustry.catalog.models import Slot
from openindustry.catalog.schemas import RegistrationWindowInput, SlotRead
from openindustry.notifications.models import Notification
from openindustry.registration.models import Registration, RegistrationStatus
from tests import factories
from tests.conftest import TokenFor
from tests.registration.conftest import MakeParticipant, Participant

API = "/api/v1/admin"


@pytest.fixture
async def organizer(client: httpx.AsyncClient, token_for: TokenFor) -> Participant:
    return Participant(await token_for(Role.ORGANIZER), client)


async def _slots(
    session: AsyncSession, *capacities: int, enterprise_id: int | None = None
) -> list[SlotRead]:
    """Open slots of one new program, a day apart."""
    now = datetime.now(UTC)
    owner = {"enterprise_id": enterprise_id} if enterprise_id else {}
    program = await factories.program(session, **owner)
    window = RegistrationWindowInput(
        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=4)
    )
    return [
        await factories.slot(
            session,
            program_id=program.id,
            capacity=capacity,
            starts_at=now + timedelta(days=5 + n),
            registration=window,
        )
        for n, capacity in enumerate(capacities)
    ]


async def _booked(person: Participant, slot_id: int, **body: Any) -> dict[str, Any]:
    response = await person.register(slot_id, **body)
    assert response.status_code == 201, response.text
    found: dict[str, Any] = response.json()
    return found


async def _row(session: AsyncSession, registration_id: int) -> Registration:
    row = await session.get(Registration, registration_id, populate_existing=True)
    assert row is not None
    return row


async def _taken(session: AsyncSession, slot_id: int) -> int:
    slot = await session.get(Slot, slot_id, populate_existing=True)
    assert slot is not None
    return slot.seats_taken


async def _outbox(session: AsyncSession, kind: str) -> list[Notification]:
    rows = await session.scalars(
        select(Notification).where(Notification.kind == kind).order_by(Notification.id)
    )
    return list(rows)


async def _audit(session: AsyncSession, action: str) -> list[AuditEntry]:
    rows = await session.scalars(
        select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    )
    return list(rows)


def _code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


async def test_add_by_hand_finds_or_creates_the_person_and_books_like_self_service(
    organizer: Participant, participant: MakeParticipant, session: AsyncSession
) -> None:
    [slot] = await _slots(session, 3)
    url = f"{API}/slots/{slot.id}/registrations"
    maria = {
        "person": {"name": "Мария Звонкова", "email": "Maria@Example.org"},
        "companions": [{"name": "Петя", "birth_date": "2016-05-01"}],
        "consent_confirmed": True,
    }

    added = await organizer.post(url, json=maria)

    assert added.status_code == 201, added.text
    body = added.json()
    assert (body["status"], body["party_size"], body["account_created"]) == ("confirmed", 2, True)
    assert body["ticket_code"].startswith("OI1")
    assert [c["name"] for c in body["companions"]] == ["Петя"]
    user = await session.get(User, body["user_id"])
    assert user is not None
    assert user.email == "maria@example.org"
    # The e-mail is a door: the person can later sign in with a code and see the ticket.
    door = await session.scalar(select(Identity).where(Identity.user_id == user.id))
    assert door is not None
    assert door.subject == "maria@example.org"
    [told] = await _outbox(session, "registration.confirmed")
    assert (told.user_id, told.essential, told.payload["registration_id"]) == (
        user.id,
        True,
        body["id"],
    )
    [entry] = await _audit(session, "registration.added")
    assert entry.subject_id == body["id"]
    assert entry.after is not None
    assert entry.after["account_created"] is True
    assert entry.after["consent"] == "confirmed_by_staff"
    assert await _taken(session, slot.id) == 2

    twice = await organizer.post(url, json=maria)
    assert (twice.status_code, _code(twice)) == (409, "already_registered")

    # A participant known by phone is found, whatever the notation.
    ivan = await participant()
    await ivan.patch("/api/v1/me", json={"name": "Иван", "phone": "+7 916 123-45-67"})
    ivan_id = (await ivan.get("/api/v1/me")).json()["id"]
    by_phone = await organizer.post(
        url,
        json={"person": {"name": "Иван", "phone": "8 (916) 123-45-67"}, "consent_confirmed": True},
    )
    assert by_phone.status_code == 201, by_phone.text
    assert (by_phone.json()["user_id"], by_phone.json()["account_created"]) == (ivan_id, False)
    assert await _taken(session, slot.id) == 3

    # Full: refused unless a waitlist place will do; never past capacity.
    olga = {"person": {"name": "Ольга", "email": "olga@example.org"}, "consent_confirmed": True}
    full = await organizer.post(url, json=olga)
    assert (full.status_code, _code(full)) == (409, "sold_out")
    waiting = await organizer.post(url, json=olga | {"waitlist_ok": True})
    assert waiting.status_code == 201
    assert waiting.json()["status"] == "waitlisted"
    assert len(await _outbox(session, "registration.waitlisted")) == 1
    assert await _taken(session, slot.id) == 3

    no_consent = await organizer.post(url, json=olga | {"consent_confirmed": False})
    assert (no_consent.status_code, _code(no_consent)) == (409, "consent_required")
    nobody = await organizer.post(url, json={"person": {"name": "Аноним"}})
    assert nobody.status_code == 422
    bad_email = {"person": {"name": "Пётр", "email": "не почта"}, "consent_confirmed": True}
    refused_email = await organizer.post(url, json=bad_email)
    assert (refused_email.status_code, _code(refused_email)) == (422, "invalid_email")
    assert (await organizer.post(f"{API}/slots/999999/registrations", json=olga)).status_code == 404


async def test_add_by_hand_keeps_the_factory_rules(
    organizer: Participant, session: AsyncSession
) -> None:
    adults = await factories.program(session, age_rating=18)
    now = datetime.now(UTC)
    slot = await factories.slot(session, program_id=adults.id, starts_at=now + timedelta(days=3))
    child = {
        "person": {"name": "Анна", "email": "anna@example.org", "birth_date": "1990-01-01"},
        "companions": [{"name": "Даша", "birth_date": "2015-01-01"}],
        "consent_confirmed": True,
    }
    refused = await organizer.post(f"{API}/slots/{slot.id}/registrations", json=child)
    assert (refused.status_code, _code(refused)) == (409, "age_restricted")
    # Nothing of the refused attempt stays: no seats, no registration, no message.
    assert await _taken(session, slot.id) == 0
    assert await session.scalar(select(Registration.id)) is None
    assert await _outbox(session, "registration.confirmed") == []


async def test_move_a_party_to_another_date(
    organizer: Participant,
    participant: MakeParticipant,
    session: AsyncSession,
    token_for: TokenFor,
    client: httpx.AsyncClient,
) -> None:
    source, target = await _slots(session, 2, 2)
    first, second, waiting = await participant(), await participant(), await participant()
    moved = await _booked(first, source.id)
    await _booked(second, source.id)
    queued = await _booked(waiting, source.id, waitlist_ok=True)
    assert queued["status"] == "waitlisted"

    answer = await organizer.post(
        f"{API}/registrations/{moved['id']}/move", json={"slot_id": target.id}
    )

    assert answer.status_code == 200, answer.text
    new = answer.json()
    assert (new["slot_id"], new["status"]) == (target.id, "confirmed")
    assert new["moved_from"] == moved["id"]
    assert new["ticket_code"] != moved["ticket_code"]
    old = await _row(session, moved["id"])
    assert (old.status, old.cancel_reason) == (RegistrationStatus.CANCELLED, "moved")
    # The seat freed in the source went to the waitlist by itself; the target took one.
    assert (await _row(session, queued["id"])).status in {
        RegistrationStatus.OFFERED,
        RegistrationStatus.CONFIRMED,
    }
    assert (await _taken(session, source.id), await _taken(session, target.id)) == (2, 1)
    [told] = await _outbox(session, "registration.moved")
    assert (told.essential, told.payload) == (
        True,
        {"registration_id": new["id"], "slot_id": target.id},
    )
    [entry] = await _audit(session, "registration.moved")
    assert entry.before is not None
    assert entry.after is not None
    assert (entry.before["slot_id"], entry.after["slot_id"]) == (source.id, target.id)
    assert (entry.before["registration_id"], entry.after["registration_id"]) == (
        moved["id"],
        new["id"],
    )
    mine = (await first.get("/api/v1/me/registrations")).json()["items"]
    assert {(r["slot_id"], r["status"]) for r in mine} == {
        (target.id, "confirmed"),
        (source.id, "cancelled"),
    }
    # The old ticket is revoked: refused at the gate, listed for offline phones.
    host = Participant(await token_for(Role.HOST, [source.enterprise_id]), client)
    gate = await host.post("/api/v1/checkin", json={"ticket_code": moved["ticket_code"]})
    assert (gate.status_code, _code(gate)) == (409, "cancelled")
    kit = (await host.get(f"{API}/slots/{source.id}/checkin-kit")).json()
    assert moved["id"] in kit["revoked"]


async def test_move_refusals_leave_everything_as_it_was(
    organizer: Participant, participant: MakeParticipant, session: AsyncSession
) -> None:
    source, target = await _slots(session, 2, 2)
    first, second = await participant(), await participant()
    moved = await _booked(first, source.id)
    stays = await _booked(second, source.id)
    assert (
        await organizer.post(f"{API}/registrations/{moved['id']}/move", json={"slot_id": target.id})
    ).status_code == 200
    filler = await participant()
    await _booked(filler, target.id)
    full = await organizer.post(
        f"{API}/registrations/{stays['id']}/move", json={"slot_id": target.id}
    )
    assert (full.status_code, _code(full)) == (409, "sold_out")
    assert (await _row(session, stays["id"])).status is RegistrationStatus.CONFIRMED
    assert (await _taken(session, source.id), await _taken(session, target.id)) == (1, 2)
    same = await organizer.post(
        f"{API}/registrations/{stays['id']}/move", json={"slot_id": source.id}
    )
    assert (same.status_code, _code(same)) == (409, "same_slot")
    [elsewhere] = await _slots(session, 5)
    other = await organizer.post(
        f"{API}/registrations/{stays['id']}/move", json={"slot_id": elsewhere.id}
    )
    assert (other.status_code, _code(other)) == (409, "move_not_allowed")
    again = await organizer.post(
        f"{API}/registrations/{moved['id']}/move", json={"slot_id": target.id}
    )
    assert (again.status_code, _code(again)) == (409, "not_movable")
    unknown = await organizer.post(f"{API}/registrations/999999/move", json={"slot_id": target.id})
    assert (unknown.status_code, _code(unknown)) == (404, "registration_not_found")
    nowhere = await organizer.post(
        f"{API}/registrations/{stays['id']}/move", json={"slot_id": 999999}
    )
    assert (nowhere.status_code, _code(nowhere)) == (404, "slot_not_found")
    # The second participant waits for the target too: moving there would make two places.
    await _booked(second, target.id, waitlist_ok=True)
    twice = await organizer.post(
        f"{API}/registrations/{stays['id']}/move",
        json={"slot_id": target.id, "waitlist_ok": True},
    )
    assert (twice.status_code, _code(twice)) == (409, "already_registered")
    assert len(await _outbox(session, "registration.moved")) == 1


async def test_a_move_never_oversells_against_bookings_at_the_same_moment(
    organizer: Participant, participant: MakeParticipant, session: AsyncSession
) -> None:
    for _ in range(3):
        source, target = await _slots(session, 3, 1)
        mover, rival = await participant(), await participant()
        party = await _booked(mover, source.id)

        move, booking = await asyncio.gather(
            organizer.post(f"{API}/registrations/{party['id']}/move", json={"slot_id": target.id}),
            rival.register(target.id),
        )

        assert sorted([move.status_code, booking.status_code]) in ([200, 409], [201, 409])
        loser = move if move.status_code == 409 else booking
        assert _code(loser) == "sold_out"
        confirmed = await session.scalars(
            select(Registration).where(
                Registration.slot_id == target.id,
                Registration.status == RegistrationStatus.CONFIRMED,
            )
        )
        assert sum(r.party_size for r in confirmed) == await _taken(session, target.id) == 1
        # A refused move left the party where it was, seat included.
        expected_source = 0 if move.status_code == 200 else 1
        assert await _taken(session, source.id) == expected_source


async def test_staff_cancel_tells_the_participant_in_the_same_transaction(
    organizer: Participant, participant: MakeParticipant, session: AsyncSession
) -> None:
    [slot] = await _slots(session, 1)
    person = await participant()
    booked = await _booked(person, slot.id)

    cancelled = await organizer.post(f"{API}/registrations/{booked['id']}/cancel")

    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    [told] = await _outbox(session, "registration.cancelled_by_organizer")
    assert (told.essential, told.payload["registration_id"]) == (True, booked["id"])
    assert len(await _audit(session, "registration.cancelled")) == 1
    assert await _taken(session, slot.id) == 0
    refused = await organizer.post(f"{API}/registrations/{booked['id']}/cancel")
    assert (refused.status_code, _code(refused)) == (409, "not_cancellable")
    # The refusal rolled back whole: no second message.
    assert len(await _outbox(session, "registration.cancelled_by_organizer")) == 1


async def test_roster_search_by_name_email_phone_and_ticket_code(
    organizer: Participant, participant: MakeParticipant, session: AsyncSession
) -> None:
    slot, other = await _slots(session, 5, 5)
    url = f"{API}/slots/{slot.id}/registrations"
    people = {
        "Ёлкина Анна": ("anna@example.org", "+7 903 111-22-33"),
        "Борис Петров": ("boris@example.org", "+7 926 444-55-66"),
    }
    tickets = {}
    for name, (email, phone) in people.items():
        added = await organizer.post(
            url,
            json={
                "person": {"name": name, "email": email, "phone": phone},
                "consent_confirmed": True,
            },
        )
        assert added.status_code == 201, added.text
        tickets[name] = added.json()["ticket_code"]
    someone_else = await _booked(await participant(), other.id)

    async def names(q: str) -> list[str]:
        found = await organizer.get(url, params={"q": q})
        assert found.status_code == 200, found.text
        return [item["name"] for item in found.json()["items"]]

    assert await names("") == list(people)
    assert await names("елкина") == ["Ёлкина Анна"]
    assert await names("BORIS@") == ["Борис Петров"]
    assert await names("926 444") == ["Борис Петров"]
    assert await names("8 903 111 22 33") == ["Ёлкина Анна"]
    assert await names(tickets["Борис Петров"]) == ["Борис Петров"]
    code = tickets["Борис Петров"]
    forged = code[:20] + ("B" if code[20] == "A" else "A") + code[21:]
    assert await names(forged) == []
    assert await names(someone_else["ticket_code"]) == []
    page = (await organizer.get(url, params={"limit": 1, "offset": 1})).json()
    assert (page["total"], [i["name"] for i in page["items"]]) == (2, ["Борис Петров"])
    assert page["items"][0]["email"] == "boris@example.org"
    assert (await organizer.get(f"{API}/slots/999999/registrations")).status_code == 404
