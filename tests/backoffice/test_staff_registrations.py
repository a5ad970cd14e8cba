"""The organizer's slot page: add someone by hand, move a party to another slot, search by
e-mail, phone or ticket code. Forms are posted as a browser would, with their CSRF token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.models import Role
from openindustry.catalog.schemas import RegistrationWindowInput, SlotRead
from openindustry.registration.models import Registration, RegistrationStatus
from tests import factories
from tests.backoffice.conftest import SignIn, post_form, text_of
from tests.conftest import TokenFor


async def _slots(
    session: AsyncSession, *capacities: int, enterprise_id: int | None = None
) -> list[SlotRead]:
    now = datetime.now(UTC)
    owner = {"enterprise_id": enterprise_id} if enterprise_id else {}
    program = await factories.program(session, title="Путь шоколада", **owner)
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


async def _self_booked(
    client: httpx.AsyncClient, token_for: TokenFor, slot_id: int
) -> dict[str, Any]:
    auth = {"Authorization": f"Bearer {await token_for()}"}
    await client.post("/api/v1/me/consent", json={"version": CONSENT_VERSION}, headers=auth)
    await client.patch("/api/v1/me", json={"name": "Борис Самозаписов"}, headers=auth)
    response = await client.post(f"/api/v1/slots/{slot_id}/registrations", json={}, headers=auth)
    assert response.status_code == 201, response.text
    booked: dict[str, Any] = response.json()
    return booked


async def _people(session: AsyncSession, slot_id: int) -> list[RegistrationStatus]:
    rows = await session.scalars(
        select(Registration)
        .where(Registration.slot_id == slot_id)
        .order_by(Registration.id)
        .execution_options(populate_existing=True)
    )
    return [r.status for r in rows]


MARIA = {
    "name": "Мария Звонкова",
    "email": "maria@example.org",
    "phone": "+7 916 555-44-33",
    "companion0_name": "Петя",
    "companion0_birth_date": "2016-05-01",
    "consent": "on",
}


async def test_add_someone_by_hand_then_find_them(
    sign_in: SignIn, token_for: TokenFor, session: AsyncSession
) -> None:
    [slot] = await _slots(session, 3)
    client = await sign_in()
    page, add = f"/backoffice/slots/{slot.id}", f"/backoffice/slots/{slot.id}/add"

    form = await client.get(add)
    assert form.status_code == 200
    assert "Записать вручную" in text_of(form)

    nobody = await post_form(client, add, add, {"name": "Мария", "consent": "on"})
    assert nobody.status_code == 422
    assert 'value="Мария"' in nobody.text
    assert "Укажите электронную почту или телефон" in text_of(nobody)
    half = await post_form(client, add, add, MARIA | {"companion0_birth_date": ""})
    assert half.status_code == 422
    assert 'id="companion0_birth_date-error"' in half.text
    assert 'value="Петя"' in half.text
    no_consent = await post_form(
        client, add, add, {k: v for k, v in MARIA.items() if k != "consent"}
    )
    assert no_consent.status_code == 409
    assert "Спросите согласие" in text_of(no_consent)
    assert await _people(session, slot.id) == []

    done = await post_form(client, add, add, MARIA)
    assert done.status_code == 303
    assert done.headers["location"] == page
    shown = text_of(await client.get(page))
    assert "Записали. Человек получит подтверждение с билетом." in shown
    assert "Мария Звонкова" in shown
    assert "maria@example.org" in shown
    assert await _people(session, slot.id) == [RegistrationStatus.CONFIRMED]

    # Two seats left, and a party of three asks: refused, then waitlisted when allowed.
    family = {
        "name": "Ольга",
        "email": "olga@example.org",
        "companion0_name": "Саша",
        "companion0_birth_date": "2012-01-01",
        "companion1_name": "Женя",
        "companion1_birth_date": "2014-01-01",
        "consent": "on",
    }
    full = await post_form(client, add, add, family)
    assert full.status_code == 409
    assert "Мест не хватает на всю группу" in text_of(full)
    queued = await post_form(client, add, add, family | {"waitlist_ok": "on"})
    assert queued.status_code == 303
    assert "поставили в лист ожидания" in text_of(await client.get(page))

    booked = await _self_booked(client, token_for, slot.id)
    by_phone = text_of(await client.get(page, params={"q": "916 555"}))
    assert "Мария Звонкова" in by_phone
    assert "Ольга" not in by_phone
    by_ticket = text_of(await client.get(page, params={"q": booked["ticket_code"]}))
    assert "Борис Самозаписов" in by_ticket
    assert "Мария Звонкова" not in by_ticket


async def test_move_a_party_from_the_slot_page(
    sign_in: SignIn, token_for: TokenFor, session: AsyncSession
) -> None:
    source, target, small = await _slots(session, 2, 2, 1)
    [elsewhere] = await _slots(session, 5)
    client = await sign_in()
    mover = await _self_booked(client, token_for, source.id)
    stays = await _self_booked(client, token_for, source.id)
    await _self_booked(client, token_for, small.id)
    page = f"/backoffice/slots/{source.id}"
    move = f"{page}/registrations/{mover['id']}/move"

    opened = await client.get(page)
    assert f'href="{move}"' in opened.text
    form = await client.get(move)
    assert form.status_code == 200
    assert f'value="{target.id}"' in form.text
    assert f'value="{small.id}"' in form.text
    assert f'value="{elsewhere.id}"' not in form.text  # another program: not offered

    unchosen = await post_form(client, move, move, {})
    assert unchosen.status_code == 422
    assert "Выберите экскурсию из списка." in text_of(unchosen)
    full = await post_form(client, move, move, {"slot_id": str(small.id)})
    assert full.status_code == 409
    assert "Мест не хватает" in text_of(full)
    assert await _people(session, source.id) == [RegistrationStatus.CONFIRMED] * 2

    moved = await post_form(client, move, move, {"slot_id": str(target.id)})
    assert moved.status_code == 303
    assert "Запись перенесена." in text_of(await client.get(page))
    assert await _people(session, source.id) == [
        RegistrationStatus.CANCELLED,
        RegistrationStatus.CONFIRMED,
    ]
    assert await _people(session, target.id) == [RegistrationStatus.CONFIRMED]
    # A cancelled registration offers no move; a registration of another slot is not found here.
    after = await client.get(page)
    assert f'href="{move}"' not in after.text
    assert f"/registrations/{stays['id']}/move" in after.text
    stranger = f"/backoffice/slots/{target.id}/registrations/{stays['id']}/move"
    assert (await client.get(stranger)).status_code == 404


async def test_only_organizers_add_or_move(
    client: httpx.AsyncClient, sign_in: SignIn, token_for: TokenFor, session: AsyncSession
) -> None:
    [slot] = await _slots(session, 2)
    booked = await _self_booked(client, token_for, slot.id)
    pages = [
        f"/backoffice/slots/{slot.id}/add",
        f"/backoffice/slots/{slot.id}/registrations/{booked['id']}/move",
    ]
    for url in pages:
        assert (await client.get(url)).status_code == 303  # anonymous: to the sign-in page
    host = await sign_in(Role.HOST, [slot.enterprise_id])
    for url in pages:
        assert (await host.get(url)).status_code == 403
    organizer = await sign_in()
    assert (await organizer.post(pages[0], data=MARIA)).status_code == 403  # no CSRF token
    assert (await organizer.get("/backoffice/slots/999999/add")).status_code == 404
