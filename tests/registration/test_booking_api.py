"""Booking over the JSON API: every refusal with its code, the waitlist, offers, cancellations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.registration.service import RegistrationService
from tests import factories
from tests.registration.conftest import MakeParticipant, MakeSlot


def code(response: httpx.Response) -> str:
    return response.json()["error"]["code"]


async def seats_left(client: httpx.AsyncClient, slot_id: int) -> int:
    return (await client.get(f"/api/v1/slots/{slot_id}")).json()["seats_left"]


async def test_a_party_books_all_or_nothing_and_gets_a_ticket(
    client: httpx.AsyncClient, participant: MakeParticipant, open_slot: MakeSlot
) -> None:
    slot = await open_slot(3)
    mum = await participant()
    kids = await mum.companions(("Маша", "2016-04-01"), ("Ваня", "2018-07-15"))

    booked = await mum.register(slot.id, companions=kids)
    assert booked.status_code == 201, booked.text
    body = booked.json()
    assert body["status"] == "confirmed"
    assert body["party_size"] == 3
    assert body["ticket_code"].startswith("OI1")
    assert [c["name"] for c in body["companions"]] == ["Маша", "Ваня"]
    assert await seats_left(client, slot.id) == 0

    # A party of two does not fit into zero seats, and nobody is split.
    other = await participant()
    friend = await other.companions(("Друг", "1990-01-01"))
    refused = await other.register(slot.id, companions=friend)
    assert refused.status_code == 409
    assert code(refused) == "sold_out"

    svg = await mum.get(f"/api/v1/registrations/{body['id']}/ticket.svg")
    assert svg.status_code == 200
    assert svg.headers["content-type"].startswith("image/svg+xml")
    ics = await mum.get(f"/api/v1/registrations/{body['id']}/ticket.ics")
    assert ics.status_code == 200
    assert b"BEGIN:VEVENT" in ics.content
    assert b"BEGIN:VALARM" in ics.content


async def test_idempotency_key_returns_the_first_outcome(
    participant: MakeParticipant, open_slot: MakeSlot
) -> None:
    slot = await open_slot(5)
    person = await participant()
    first = await person.register(slot.id, key="k-1")
    again = await person.register(slot.id, key="k-1")
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    mine = (await person.get("/api/v1/me/registrations")).json()
    assert mine["total"] == 1
    # Without the key, a second booking is refused, not doubled.
    twice = await person.register(slot.id)
    assert twice.status_code == 409
    assert code(twice) == "already_registered"


async def test_waitlist_then_offer_then_accept(
    client: httpx.AsyncClient, participant: MakeParticipant, open_slot: MakeSlot
) -> None:
    slot = await open_slot(1)
    first, second, third = [await participant() for _ in range(3)]
    booked = (await first.register(slot.id)).json()
    full = await second.register(slot.id)
    assert code(full) == "sold_out"
    waiting = await second.register(slot.id, waitlist_ok=True)
    assert waiting.status_code == 201
    assert waiting.json()["status"] == "waitlisted"
    assert waiting.json()["waitlist_position"] == 1
    third_waiting = (await third.register(slot.id, waitlist_ok=True)).json()
    assert third_waiting["waitlist_position"] == 2

    cancelled = await first.post(f"/api/v1/registrations/{booked['id']}/cancel")
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    offered = (await second.get(f"/api/v1/registrations/{waiting.json()['id']}")).json()
    assert offered["status"] == "offered"
    assert offered["offer_expires_at"] is not None
    assert await seats_left(client, slot.id) == 0  # held for the offer
    assert (await third.get(f"/api/v1/registrations/{third_waiting['id']}")).json()[
        "waitlist_position"
    ] == 1

    accepted = await second.post(f"/api/v1/registrations/{offered['id']}/accept-offer")
    assert accepted.status_code == 200
    assert accepted.json()["status"] == "confirmed"
    assert accepted.json()["ticket_code"]
    again = await second.post(f"/api/v1/registrations/{offered['id']}/accept-offer")
    assert code(again) == "no_offer"


async def test_an_expired_offer_passes_on(
    participant: MakeParticipant,
    open_slot: MakeSlot,
    session: AsyncSession,
    settings: Settings,
) -> None:
    slot = await open_slot(1, starts_in=timedelta(days=5))
    holder, late, next_one = [await participant() for _ in range(3)]
    booked = (await holder.register(slot.id)).json()
    slow = (await late.register(slot.id, waitlist_ok=True)).json()
    quick = (await next_one.register(slot.id, waitlist_ok=True)).json()
    await holder.post(f"/api/v1/registrations/{booked['id']}/cancel")

    later = datetime.now(UTC) + timedelta(hours=settings.offer_hours, minutes=1)
    with time_machine.travel(later, tick=False):
        assert await RegistrationService(session, settings).expire_offers() == 1
        refused = await late.post(f"/api/v1/registrations/{slow['id']}/accept-offer")
        assert code(refused) == "no_offer"
        assert (await late.get(f"/api/v1/registrations/{slow['id']}")).json()["status"] == "expired"
        now_offered = (await next_one.get(f"/api/v1/registrations/{quick['id']}")).json()
        assert now_offered["status"] == "offered"


async def test_a_big_party_waiting_does_not_block_a_single_person(
    participant: MakeParticipant, open_slot: MakeSlot
) -> None:
    slot = await open_slot(2)
    a, family, single = [await participant() for _ in range(3)]
    kids = await family.companions(("Сын", "2015-01-01"), ("Дочь", "2016-01-01"))
    first = (
        await a.register(slot.id, companions=[(await a.companions(("Муж", "1980-01-01")))[0]])
    ).json()
    family_waiting = (await family.register(slot.id, companions=kids, waitlist_ok=True)).json()
    single_waiting = (await single.register(slot.id, waitlist_ok=True)).json()
    assert first["party_size"] == 2
    # A party of two cancels… no: only one seat frees up when the holder drops a companion?
    # Free exactly one seat by cancelling and re-booking alone.
    await a.post(f"/api/v1/registrations/{first['id']}/cancel")
    # Two seats freed: the family of three still does not fit, the single person is offered.
    assert (await family.get(f"/api/v1/registrations/{family_waiting['id']}")).json()[
        "status"
    ] == "waitlisted"
    assert (await single.get(f"/api/v1/registrations/{single_waiting['id']}")).json()[
        "status"
    ] == "offered"


async def test_capacity_increase_moves_the_waitlist_and_slot_cancel_cancels_all(
    client: httpx.AsyncClient,
    participant: MakeParticipant,
    open_slot: MakeSlot,
    token_for,
) -> None:
    from openindustry.accounts.models import Role

    slot = await open_slot(1)
    a, b = await participant(), await participant()
    (await a.register(slot.id)).json()
    waiting = (await b.register(slot.id, waitlist_ok=True)).json()
    organizer = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}

    smaller = await client.patch(
        f"/api/v1/admin/slots/{slot.id}", json={"capacity": 0}, headers=organizer
    )
    assert smaller.status_code == 409
    assert code(smaller) == "capacity_below_taken"
    bigger = await client.patch(
        f"/api/v1/admin/slots/{slot.id}", json={"capacity": 2}, headers=organizer
    )
    assert bigger.status_code == 200, bigger.text
    assert (await b.get(f"/api/v1/registrations/{waiting['id']}")).json()["status"] == "offered"

    cancelled = await client.patch(
        f"/api/v1/admin/slots/{slot.id}", json={"status": "cancelled"}, headers=organizer
    )
    assert cancelled.status_code == 200
    assert cancelled.json()["seats_left"] == 0 or cancelled.json()["status"] == "cancelled"
    for person in (a, b):
        items = (await person.get("/api/v1/me/registrations")).json()["items"]
        assert [r["status"] for r in items] == ["cancelled"]


async def test_refusals_each_have_their_code(
    client: httpx.AsyncClient,
    participant: MakeParticipant,
    open_slot: MakeSlot,
    session: AsyncSession,
) -> None:
    slot = await open_slot(10)
    no_consent = await participant(consent=False)
    assert code(await no_consent.register(slot.id)) == "consent_required"

    person = await participant()
    assert (await person.register(424242)).status_code == 404
    bad = await person.register(slot.id, companions=[999999])
    assert bad.status_code == 422
    assert code(bad) == "invalid_companions"
    dup = await person.register(slot.id, companions=[1, 1])
    assert dup.status_code == 422
    too_many = await person.register(slot.id, companions=[1, 2, 3, 4, 5])
    assert too_many.status_code == 422

    secure = await factories.enterprise(session, requires_id_document=True)
    secure_slot = await open_slot(10, enterprise_id=secure.id)
    assert code(await person.register(secure_slot.id)) == "id_document_required"

    adults = await open_slot(10, age_rating=18)
    assert code(await person.register(adults.id)) == "age_restricted"  # no birth date known
    grown = await participant(birth_date="1990-01-01")
    assert (await grown.register(adults.id)).status_code == 201
    teens = await open_slot(10, age_rating=12)
    young = await grown.companions(("Малыш", "2022-01-01"))
    assert code(await grown.register(teens.id, companions=young)) == "age_restricted"

    # Overlapping times: the teens slot and the 18+ slot start at the same moment.
    assert code(await grown.register(teens.id)) == "time_conflict"


async def test_window_and_series_limits(
    client: httpx.AsyncClient, participant: MakeParticipant, session: AsyncSession
) -> None:
    from openindustry.catalog.schemas import RegistrationWindowInput

    person = await participant()
    later = await factories.slot(session, starts_at=datetime.now(UTC) + timedelta(days=30))
    refused = await person.register(later.id)
    assert code(refused) == "registration_closed"
    assert "opens_at" in refused.json()["error"]["details"]

    series = await factories.series(session, max_active_registrations=1)
    now = datetime.now(UTC)
    window = RegistrationWindowInput(opens_at=now - timedelta(hours=1))
    one = await factories.slot(
        session, series_id=series.id, starts_at=now + timedelta(days=3), registration=window
    )
    two = await factories.slot(
        session, series_id=series.id, starts_at=now + timedelta(days=4), registration=window
    )
    assert (await person.register(one.id)).status_code == 201
    assert code(await person.register(two.id)) == "limit_reached"


async def test_nobody_touches_someone_elses_registration(
    participant: MakeParticipant, open_slot: MakeSlot
) -> None:
    slot = await open_slot(5)
    owner, stranger = await participant(), await participant()
    booked = (await owner.register(slot.id)).json()
    for path in ("", "/ticket.svg", "/ticket.ics"):
        response = await stranger.get(f"/api/v1/registrations/{booked['id']}{path}")
        assert response.status_code == 404
    for action in ("cancel", "accept-offer"):
        response = await stranger.post(f"/api/v1/registrations/{booked['id']}/{action}")
        assert response.status_code == 404
    assert (await owner.get(f"/api/v1/registrations/{booked['id']}")).json()[
        "status"
    ] == "confirmed"
    cancelled = await owner.post(f"/api/v1/registrations/{booked['id']}/cancel")
    assert cancelled.status_code == 200
    twice = await owner.post(f"/api/v1/registrations/{booked['id']}/cancel")
    assert code(twice) == "not_cancellable"


async def test_a_slot_that_requires_tasks_refuses_with_the_missing_ones(
    client: httpx.AsyncClient, participant: MakeParticipant, session: AsyncSession
) -> None:
    from openindustry.catalog.schemas import RegistrationWindowInput

    now = datetime.now(UTC)
    series = await factories.series(session, required_tasks=[7])
    slot = await factories.slot(
        session,
        series_id=series.id,
        starts_at=now + timedelta(days=3),
        registration=RegistrationWindowInput(opens_at=now - timedelta(hours=1)),
        required_tasks=[9, 7],
    )
    shown = (await client.get(f"/api/v1/slots/{slot.id}")).json()
    assert shown["required_tasks"] == [7, 9]  # the series' first, each once
    refused = await (await participant()).register(slot.id)
    assert refused.status_code == 409
    assert code(refused) == "tasks_required"
    assert refused.json()["error"]["details"]["missing_tasks"] == [7, 9]


async def test_completed_tasks_open_registration(
    participant: MakeParticipant, session: AsyncSession, settings: Settings
) -> None:
    from openindustry.catalog.schemas import RegistrationWindowInput
    from openindustry.registration.schemas import RegistrationCreate

    class QuizPassed:
        async def completed(self, user_id: int, task_ids: object) -> set[int]:
            return {7}

    now = datetime.now(UTC)
    slot = await factories.slot(
        session,
        starts_at=now + timedelta(days=3),
        registration=RegistrationWindowInput(opens_at=now - timedelta(hours=1)),
        required_tasks=[7],
    )
    person = await participant()
    me = (await person.get("/api/v1/me")).json()
    service = RegistrationService(session, settings, tasks=QuizPassed())
    registration, created = await service.register(me["id"], slot.id, RegistrationCreate())
    assert created
    assert registration.status == "confirmed"


async def test_id_data_is_kept_until_some_days_after_the_secure_visit(
    participant: MakeParticipant, open_slot: MakeSlot, session: AsyncSession, settings: Settings
) -> None:
    from openindustry.accounts.service import AccountsService

    secure = await factories.enterprise(session, requires_id_document=True)
    slot = await open_slot(10, enterprise_id=secure.id, starts_in=timedelta(days=60))
    person = await participant()
    await person.put(
        "/api/v1/me/id-document",
        json={"document_type": "passport_rf", "number": "4510 123456", "full_name": "Иван"},
    )
    assert (await person.register(slot.id)).status_code == 201
    me = (await person.get("/api/v1/me")).json()
    delete_after = datetime.fromisoformat(me["id_document"]["delete_after"])
    expected = slot.ends_at + timedelta(days=settings.id_data_retention_days)
    assert abs(delete_after - expected) < timedelta(seconds=1)

    accounts = AccountsService(session, settings)
    with time_machine.travel(slot.starts_at, tick=False):  # still needed on the day
        assert (await accounts.purge())["id_documents"] == 0
    with time_machine.travel(expected + timedelta(minutes=1), tick=False):
        assert (await accounts.purge())["id_documents"] == 1
