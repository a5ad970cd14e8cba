"""Prizes and stock pages: create and edit a prize, units in and out, claims, "ready for pickup"."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.audit.models import AuditEntry
from openindustry.config import Settings
from openindustry.notifications.models import Notification
from openindustry.rewards.models import Prize
from openindustry.rewards.schemas import PrizeCreate
from openindustry.rewards.service import RewardsService
from tests import factories
from tests.backoffice.conftest import SignIn, post_form, text_of
from tests.rewards.conftest import MakeUser, make_user, rewards

__all__ = ["make_user", "rewards"]

PAGE = "/backoffice/prizes"


async def _actions(session: AsyncSession) -> list[str]:
    entries = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [e.action for e in entries if not e.action.startswith("staff.")]


async def test_create_edit_and_restock_a_prize(sign_in: SignIn, session: AsyncSession) -> None:
    client = await sign_in()
    created = await post_form(
        client,
        PAGE,
        PAGE,
        {
            "title": "Пауэрбанк",
            "description": "10 000 мА·ч",
            "stock": "20",
            "price_points": "150",
            "per_person_limit": "1",
            "image_url": "",
            "active": "on",
        },
    )
    assert created.status_code == 303, text_of(created)[:600]
    prize = (await session.scalars(select(Prize))).one()
    assert created.headers["location"] == f"{PAGE}/{prize.id}"
    assert (prize.stock, prize.price_points, prize.active) == (20, 150, True)
    assert "Пауэрбанк" in text_of(await client.get(PAGE))

    page = f"{PAGE}/{prize.id}"
    changed = await post_form(
        client,
        page,
        page,
        {"title": "Пауэрбанк «Моспром»", "price_points": "", "per_person_limit": "2"},
    )
    assert changed.status_code == 303, text_of(changed)[:600]
    await session.refresh(prize)
    assert (prize.title, prize.price_points, prize.active) == ("Пауэрбанк «Моспром»", None, False)
    assert prize.stock == 20  # the edit form never touches the stock

    arrived = await post_form(client, page, f"{page}/stock", {"delta": "5", "note": "поставка"})
    assert arrived.status_code == 303
    gone = await post_form(client, page, f"{page}/stock", {"delta": "−30"})
    assert gone.status_code == 409
    text = text_of(gone)
    assert "остаток не может стать меньше нуля" in text
    assert "Сейчас на складе: 25." in text
    assert 'value="-30"' in gone.text  # what was typed stays
    zero = await post_form(client, page, f"{page}/stock", {"delta": "0"})
    assert zero.status_code == 422
    assert "не ноль" in text_of(zero)
    assert 'id="stock-delta" name="delta" aria-invalid="true"' in zero.text
    await session.refresh(prize)
    assert prize.stock == 25
    assert await _actions(session) == ["prize.created", "prize.updated", "prize.stock_adjusted"]


async def test_refused_prize_form_keeps_the_input(sign_in: SignIn, session: AsyncSession) -> None:
    client = await sign_in()
    refused = await post_form(
        client,
        PAGE,
        PAGE,
        {"title": "", "stock": "-1", "price_points": "0", "per_person_limit": "1"},
    )
    assert refused.status_code == 422
    text = text_of(refused)
    assert "Укажите название" in text
    assert "Сколько есть — целое число, 0 или больше." in text
    assert "Цена в баллах — целое число от 1" in text
    assert 'value="-1"' in refused.text
    assert (await session.scalars(select(Prize))).first() is None


async def test_claims_and_ready_for_pickup(
    sign_in: SignIn,
    session: AsyncSession,
    settings: Settings,
    rewards: RewardsService,
    make_user: MakeUser,
) -> None:
    prize = await rewards.create_prize(PrizeCreate(title="Термос", stock=3, price_points=10))
    buyer = await make_user(points=20, name="Мария Кузнецова")
    claim = await rewards.claim(buyer, prize.id)
    other = await rewards.claim(await make_user(points=10), prize.id)
    await rewards.cancel_claim(other.pickup_code)
    client = await sign_in()
    page = f"{PAGE}/{prize.id}"
    opened = await client.get(page)
    text = text_of(opened)
    assert "Мария Кузнецова" in text
    assert claim.pickup_code not in opened.text  # the code stays with its owner
    assert opened.text.count("/ready") == 1  # only the reserved claim can be told
    only_cancelled = text_of(await client.get(f"{page}?status=cancelled"))
    assert "Мария Кузнецова" not in only_cancelled

    ready = f"{page}/claims/{claim.id}/ready"
    told = await post_form(client, page, ready, {})
    assert told.status_code == 303
    assert told.headers["location"] == f"{page}?notice=ready_sent#claims"
    assert "приз ждёт на стойке выдачи" in text_of(await client.get(told.headers["location"]))
    again = await post_form(client, page, ready, {})
    assert again.headers["location"] == f"{page}?notice=ready_before#claims"
    rows = (
        await session.scalars(select(Notification).where(Notification.kind == "prize.ready"))
    ).all()
    assert [(r.user_id, r.payload["claim_id"]) for r in rows] == [(buyer, claim.id)]

    refused = await post_form(client, page, f"{page}/claims/{other.id}/ready", {})
    assert refused.status_code == 409
    assert "Этот заказ отменён" in text_of(refused)
    missing = await post_form(client, page, f"{page}/claims/999999/ready", {})
    assert missing.status_code == 404
    actions = await _actions(session)
    assert actions.count("claim.ready_for_pickup") == 1


async def test_access(client: httpx.AsyncClient, sign_in: SignIn, session: AsyncSession) -> None:
    assert (await client.get(PAGE)).status_code == 303
    plant = await factories.enterprise(session)
    host = await sign_in(Role.HOST, [plant.id])
    assert (await host.get(PAGE)).status_code == 403
    assert (await host.post(f"{PAGE}/1/claims/1/ready")).status_code == 403
    organizer = await sign_in(Role.ORGANIZER)
    assert (await organizer.get(f"{PAGE}/999999")).status_code == 404
    no_token = await organizer.post(PAGE, data={"title": "x", "stock": "1"})
    assert no_token.status_code == 403
    assert (await session.scalars(select(Prize))).first() is None
