"""«Призы», «Мои призы», «Баллы» over HTTP with cookie sessions: a claim for points with its
confirmation, refusals in words, the pickup code and QR."""

from __future__ import annotations

import re

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.rewards.schemas import PrizeCreate, PrizeRead
from openindustry.rewards.service import RewardsService
from tests.web import test_registration_pages as registration_pages
from tests.web.test_quest_pages import _code_word_task
from tests.web.test_registration_pages import (
    MakePerson,
    Person,
    _text,
)

# The registration pages' fixtures, shared.
person = registration_pages.person


async def _prize(
    session: AsyncSession, settings: Settings, price: int | None, stock: int = 2, **more: object
) -> PrizeRead:
    data = {"title": f"Термос за {price}", "description": "Фирменный.", "stock": stock}
    data |= {"price_points": price, **more}
    return await RewardsService(session, settings).create_prize(PrizeCreate.model_validate(data))


async def _rich(person: MakePerson, session: AsyncSession, settings: Settings) -> Person:
    """Someone who earned 300 points by a code word, through the pages."""
    task_id = await _code_word_task(session, settings, points=300)
    someone = await person()
    done = await someone.submit(
        f"/tasks/{task_id}", f"/tasks/{task_id}/code", {"code_word": "Елка моспром"}
    )
    assert done.status_code == 303
    return someone


async def test_claim_a_prize_for_points_and_show_the_pickup_qr(
    person: MakePerson, session: AsyncSession, settings: Settings
) -> None:
    anna = await _rich(person, session, settings)
    prize = await _prize(session, settings, 200)
    draw = await _prize(session, settings, None, stock=1)

    listing = _text(await anna.get("/prizes"))
    assert "На вашем счёте: 300 баллов." in listing
    assert "Получить за 200 баллов" in listing
    assert "Только в розыгрыше" in listing
    assert "В наличии: 2" in listing

    confirm = await anna.get(f"/prizes/{prize.id}/claim")
    text = _text(confirm)
    assert "Останется после обмена 100 баллов" in text

    claimed = await anna.submit(f"/prizes/{prize.id}/claim", f"/prizes/{prize.id}/claim")
    assert claimed.status_code == 303
    assert claimed.headers["location"] == "/me/prizes"
    mine = await anna.get("/me/prizes")
    text = _text(mine)
    assert "Приз ваш!" in text
    assert prize.title in text
    assert "Ждёт вас на стойке выдачи" in text
    code = re.search(r'<code class="pickup-code">([^<]+)</code>', mine.text)
    assert code
    assert code.group(1).strip()
    assert re.search(r'<svg width="\d+" height="\d+" role="img"[^>]*class="claim-qr"', mine.text)

    assert "В наличии: 1" in _text(await anna.get("/prizes"))
    points = _text(await anna.get("/me/points"))
    assert "−200" in points
    assert "Приз за баллы" in points
    assert "+300" in points

    # Now 100 points: the same prize is refused in words, nothing changes.
    refused = await anna.submit(f"/prizes/{prize.id}/claim", f"/prizes/{prize.id}/claim")
    assert refused.status_code == 409
    assert "Недостаточно баллов." in _text(refused) or "Вы уже получили" in _text(refused)

    assert "Этот приз разыгрывается" in _text(await anna.get(f"/prizes/{draw.id}/claim"))
    draw_only = await anna.client.post(f"/prizes/{draw.id}/claim", data=await anna.csrf())
    assert draw_only.status_code == 409
    assert "Этот приз разыгрывается" in _text(draw_only)
    assert "В наличии: 1" in _text(await anna.get("/prizes"))


async def test_insufficient_points_are_refused(
    person: MakePerson, session: AsyncSession, settings: Settings
) -> None:
    prize = await _prize(session, settings, 500, per_person_limit=3)
    anna = await _rich(person, session, settings)
    confirm = await anna.get(f"/prizes/{prize.id}/claim")
    assert "не хватает 200 баллов" in _text(confirm)
    refused = await anna.client.post(f"/prizes/{prize.id}/claim", data=await anna.csrf())
    assert refused.status_code == 409
    assert "Недостаточно баллов." in _text(refused)
    assert "На вашем счёте: 300 баллов." in _text(await anna.get("/prizes"))
    assert "Призов пока нет" in _text(await anna.get("/me/prizes"))


async def test_out_of_stock_and_limit(
    person: MakePerson, session: AsyncSession, settings: Settings
) -> None:
    prize = await _prize(session, settings, 100, stock=1)
    anna = await _rich(person, session, settings)
    bob = await _rich(person, session, settings)
    assert (
        await anna.client.post(f"/prizes/{prize.id}/claim", data=await anna.csrf())
    ).status_code == 303
    again = await anna.client.post(f"/prizes/{prize.id}/claim", data=await anna.csrf())
    assert again.status_code == 409
    late = await bob.client.post(f"/prizes/{prize.id}/claim", data=await bob.csrf())
    assert late.status_code == 409
    assert "Призы закончились." in _text(late)


async def test_claim_without_csrf_is_refused(
    person: MakePerson, session: AsyncSession, settings: Settings
) -> None:
    prize = await _prize(session, settings, 100)
    anna = await _rich(person, session, settings)
    response = await anna.client.post(f"/prizes/{prize.id}/claim", data={})
    assert response.status_code == 403
    assert "Призов пока нет" in _text(await anna.get("/me/prizes"))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/prizes/abc/claim", 422),
        ("/prizes/0/claim", 422),
        ("/prizes/424242/claim", 404),
    ],
)
async def test_garbage_addresses_are_4xx(person: MakePerson, path: str, status: int) -> None:
    anna = await person()
    assert (await anna.get(path)).status_code == status
    posted = await anna.client.post(path, data=await anna.csrf())
    assert posted.status_code == status
