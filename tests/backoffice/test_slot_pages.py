"""A slot's registrations for the organizer: search, cancel one (the waitlist moves), capacity,
cancel the whole slot after a confirm step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.models import Role
from openindustry.audit.models import AuditEntry
from openindustry.catalog.models import Slot, SlotStatus
from openindustry.catalog.schemas import RegistrationWindowInput
from openindustry.registration.models import Registration
from tests import factories
from tests.backoffice.conftest import SignIn, csrf_of, post_form, text_of
from tests.conftest import TokenFor


async def _open_slot(session: AsyncSession, capacity: int = 1) -> int:
    now = datetime.now(UTC)
    slot = await factories.slot(
        session,
        capacity=capacity,
        starts_at=now + timedelta(days=5),
        registration=RegistrationWindowInput(
            opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=4)
        ),
    )
    return slot.id


async def _register(client: httpx.AsyncClient, token_for: TokenFor, slot_id: int, name: str) -> int:
    auth = {"Authorization": f"Bearer {await token_for()}"}
    consent = await client.post(
        "/api/v1/me/consent", json={"version": CONSENT_VERSION}, headers=auth
    )
    assert consent.status_code == 200
    await client.patch("/api/v1/me", json={"name": name}, headers=auth)
    response = await client.post(
        f"/api/v1/slots/{slot_id}/registrations", json={"waitlist_ok": True}, headers=auth
    )
    assert response.status_code == 201, response.text
    registration_id: int = response.json()["id"]
    return registration_id


async def _status(session: AsyncSession, registration_id: int) -> str:
    row = await session.get(Registration, registration_id, populate_existing=True)
    assert row is not None
    return row.status.value


async def test_cancel_a_registration_moves_the_waitlist(
    sign_in: SignIn, token_for: TokenFor, session: AsyncSession
) -> None:
    slot_id = await _open_slot(session)
    client = await sign_in()
    first = await _register(client, token_for, slot_id, "Анна Первая")
    second = await _register(client, token_for, slot_id, "Борис Второй")
    page = f"/backoffice/slots/{slot_id}"

    opened = await client.get(page)
    text = text_of(opened)
    assert opened.status_code == 200
    assert "Анна Первая" in text
    assert "Борис Второй" in text
    assert "№1 в очереди" in text
    found = text_of(await client.get(f"{page}?q=борис"))
    assert "Борис Второй" in found
    assert "Анна Первая" not in found

    cancelled = await post_form(client, page, f"{page}/registrations/{first}/cancel", {})
    assert cancelled.status_code == 303
    assert await _status(session, first) == "cancelled"
    assert await _status(session, second) in {"offered", "confirmed"}
    assert "Запись отменена." in text_of(await client.get(page))
    actions = [e.action for e in await session.scalars(select(AuditEntry))]
    assert "registration.cancelled" in actions
    again = await post_form(client, page, f"{page}/registrations/{first}/cancel", {})
    assert again.status_code == 409


async def test_capacity_change_and_refusal(
    sign_in: SignIn, token_for: TokenFor, session: AsyncSession
) -> None:
    slot_id = await _open_slot(session, capacity=1)
    client = await sign_in()
    await _register(client, token_for, slot_id, "Анна")
    waiting = await _register(client, token_for, slot_id, "Борис")
    page = f"/backoffice/slots/{slot_id}"

    grown = await post_form(client, page, f"{page}/capacity", {"capacity": "2"})
    assert grown.status_code == 303
    assert await _status(session, waiting) in {"offered", "confirmed"}

    below = await post_form(client, page, f"{page}/capacity", {"capacity": "0"})
    assert below.status_code == 409
    assert "Мест не может быть меньше" in text_of(below)
    bad = await post_form(client, page, f"{page}/capacity", {"capacity": "много"})
    assert bad.status_code == 422
    assert 'value="много"' in bad.text
    slot = await session.get(Slot, slot_id, populate_existing=True)
    assert slot is not None
    assert slot.capacity == 2


async def test_cancel_the_slot_after_confirming(
    sign_in: SignIn, token_for: TokenFor, session: AsyncSession
) -> None:
    slot_id = await _open_slot(session, capacity=3)
    client = await sign_in()
    person = await _register(client, token_for, slot_id, "Анна")
    page = f"/backoffice/slots/{slot_id}"
    confirm = await client.get(f"{page}/cancel")
    assert confirm.status_code == 200
    assert "Отменить экскурсию?" in text_of(confirm)
    done = await client.post(f"{page}/cancel", data={"csrf_token": csrf_of(confirm)})
    assert done.status_code == 303
    slot = await session.get(Slot, slot_id, populate_existing=True)
    assert slot is not None
    assert slot.status is SlotStatus.CANCELLED
    assert await _status(session, person) == "cancelled"
    assert "Экскурсия отменена" in text_of(await client.get(page))


async def test_access_csrf_and_unknown(
    client: httpx.AsyncClient, sign_in: SignIn, session: AsyncSession
) -> None:
    slot_id = await _open_slot(session)
    page = f"/backoffice/slots/{slot_id}"
    assert (await client.get(page)).status_code == 303
    plant = await factories.enterprise(session)
    host = await sign_in(Role.HOST, [plant.id])
    assert (await host.get(page)).status_code == 403
    organizer = await sign_in()
    assert (await organizer.post(f"{page}/cancel", data={})).status_code == 403
    assert (await organizer.get("/backoffice/slots/999999")).status_code == 404
    assert (await organizer.get("/backoffice/slots/abc")).status_code in {404, 422}
    other = await _open_slot(session)
    wrong = await post_form(
        organizer, page, f"/backoffice/slots/{other}/registrations/1/cancel", {}
    )
    assert wrong.status_code == 404
