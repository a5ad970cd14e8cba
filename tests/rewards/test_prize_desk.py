"""The prize desk: stock never below zero, a prize's claims, "ready for pickup" sent once."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from openindustry.accounts.models import Role
from openindustry.audit.models import AuditEntry
from openindustry.config import Settings
from openindustry.kit import db
from openindustry.kit.errors import AppError
from openindustry.kit.tx import transaction
from openindustry.notifications.models import Notification
from openindustry.rewards.models import ClaimStatus, Prize
from openindustry.rewards.schemas import StockAdjust
from openindustry.rewards.service import RewardsService
from tests.conftest import TokenFor
from tests.rewards.conftest import MakePrize, MakeUser


async def _committed(engine: AsyncEngine, claim_id: int) -> tuple[int, int]:
    """(ready messages, ready audit entries) for a claim, as another connection sees them."""
    async with db.create_sessionmaker(engine)() as other:
        messages = await other.scalar(
            select(func.count()).where(
                Notification.kind == "prize.ready",
                Notification.payload["claim_id"].as_integer() == claim_id,
            )
        )
        audited = await other.scalar(
            select(func.count()).where(
                AuditEntry.action == "claim.ready_for_pickup", AuditEntry.subject_id == claim_id
            )
        )
    return int(messages or 0), int(audited or 0)


async def test_ready_for_pickup_is_sent_once(
    rewards: RewardsService, make_user: MakeUser, make_prize: MakePrize, engine: AsyncEngine
) -> None:
    organizer = await make_user(name="Организатор")
    user = await make_user(points=10)
    prize = await make_prize(title="Термос", stock=2, price_points=10)
    claim = await rewards.claim(user, prize.id)

    first = await rewards.ready_for_pickup(claim.id, actor_id=organizer)
    assert first.notice_sent is True
    assert (first.id, first.status) == (claim.id, ClaimStatus.RESERVED)
    assert await _committed(engine, claim.id) == (1, 1)
    again = await rewards.ready_for_pickup(claim.id, actor_id=organizer)
    assert again.notice_sent is False
    assert await _committed(engine, claim.id) == (1, 1)

    async with db.create_sessionmaker(engine)() as other:
        row = (
            await other.scalars(select(Notification).where(Notification.kind == "prize.ready"))
        ).one()
        entry = (
            await other.scalars(
                select(AuditEntry).where(AuditEntry.action == "claim.ready_for_pickup")
            )
        ).one()
    assert (row.user_id, row.payload) == (user, {"prize_id": prize.id, "claim_id": claim.id})
    assert row.essential is False
    assert (entry.actor_id, entry.subject_type) == (organizer, "claim")
    assert "pickup_code" not in (entry.after or {})


async def test_the_message_commits_with_the_change_or_not_at_all(
    session: AsyncSession,
    rewards: RewardsService,
    make_user: MakeUser,
    make_prize: MakePrize,
    engine: AsyncEngine,
) -> None:
    user = await make_user(points=10)
    claim = await rewards.claim(user, (await make_prize()).id)
    with pytest.raises(RuntimeError):
        async with transaction(session):
            assert (await rewards.ready_for_pickup(claim.id)).notice_sent
            raise RuntimeError("the use case around it fails")
    assert await _committed(engine, claim.id) == (0, 0)
    assert (await rewards.ready_for_pickup(claim.id)).notice_sent  # nothing was left behind


async def test_concurrent_presses_send_one_message(
    sessions: async_sessionmaker[AsyncSession],
    settings: Settings,
    rewards: RewardsService,
    make_user: MakeUser,
    make_prize: MakePrize,
    engine: AsyncEngine,
) -> None:
    user = await make_user(points=10)
    claim = await rewards.claim(user, (await make_prize()).id)

    async def press() -> bool:
        async with sessions() as own:
            return (await RewardsService(own, settings).ready_for_pickup(claim.id)).notice_sent

    assert sorted(await asyncio.gather(press(), press(), press())) == [False, False, True]
    assert await _committed(engine, claim.id) == (1, 1)


async def test_ready_refusals(
    rewards: RewardsService, make_user: MakeUser, make_prize: MakePrize, engine: AsyncEngine
) -> None:
    user = await make_user(points=30)
    prize = await make_prize(stock=5, price_points=10, per_person_limit=3)
    handed = await rewards.claim(user, prize.id)
    await rewards.hand_over(handed.pickup_code)
    cancelled = await rewards.claim(user, prize.id)
    await rewards.cancel_claim(cancelled.pickup_code)
    for claim_id, code in (
        (handed.id, "claim_handed_over"),
        (cancelled.id, "claim_cancelled"),
        (999_999, "claim_not_found"),
    ):
        with pytest.raises(AppError) as refused:
            await rewards.ready_for_pickup(claim_id)
        assert refused.value.code == code
    assert await _committed(engine, handed.id) == (0, 0)


async def test_stock_never_goes_below_zero(
    rewards: RewardsService, make_prize: MakePrize, make_user: MakeUser, session: AsyncSession
) -> None:
    organizer = await make_user()
    prize = await make_prize(stock=3)
    assert (
        await rewards.adjust_stock(prize.id, StockAdjust(delta=10), actor_id=organizer)
    ).stock == 13
    with pytest.raises(AppError) as refused:
        await rewards.adjust_stock(prize.id, StockAdjust(delta=-14), actor_id=organizer)
    assert (refused.value.code, refused.value.details) == ("stock_below_zero", {"stock": 13})
    assert (await rewards.adjust_stock(prize.id, StockAdjust(delta=-13, note="списали"))).stock == 0
    assert await session.scalar(select(Prize.stock).where(Prize.id == prize.id)) == 0
    entries = (
        await session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "prize.stock_adjusted")
            .order_by(AuditEntry.id)
        )
    ).all()
    assert [(e.before, e.after) for e in entries] == [
        ({"stock": 3}, {"stock": 13, "delta": 10, "note": ""}),
        ({"stock": 13}, {"stock": 0, "delta": -13, "note": "списали"}),
    ]
    with pytest.raises(AppError) as missing:
        await rewards.adjust_stock(999_999, StockAdjust(delta=1))
    assert missing.value.code == "prize_not_found"


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_the_organizer_api(
    client: httpx.AsyncClient,
    token_for: TokenFor,
    rewards: RewardsService,
    make_user: MakeUser,
    make_prize: MakePrize,
) -> None:
    organizer = await token_for(Role.ORGANIZER)
    user = await make_user(points=20)
    prize = await make_prize(stock=4, price_points=10, per_person_limit=2)
    hidden = await make_prize(title="Скоро", stock=0, active=False)
    first = await rewards.claim(user, prize.id)
    await rewards.claim(user, prize.id)

    listed = await client.get("/api/v1/admin/prizes", headers=_auth(organizer))
    assert listed.status_code == 200
    assert [(p["id"], p["stock"]) for p in listed.json()["items"]] == [
        (prize.id, 2),
        (hidden.id, 0),
    ]
    assert (await client.get("/api/v1/prizes")).json()["total"] == 1  # the public list hides it

    of_prize = await client.get(
        f"/api/v1/admin/prizes/{prize.id}/claims?status=reserved", headers=_auth(organizer)
    )
    assert of_prize.json()["total"] == 2

    ready = await client.post(f"/api/v1/admin/claims/{first.id}/ready", headers=_auth(organizer))
    assert ready.status_code == 200, ready.text
    assert ready.json()["notice_sent"] is True
    again = await client.post(f"/api/v1/admin/claims/{first.id}/ready", headers=_auth(organizer))
    assert again.json()["notice_sent"] is False

    for role in (Role.PARTICIPANT, Role.HOST):
        refused = await client.post(
            f"/api/v1/admin/claims/{first.id}/ready", headers=_auth(await token_for(role))
        )
        assert (refused.status_code, refused.json()["error"]["code"]) == (403, "forbidden")
    anonymous = await client.post(f"/api/v1/admin/claims/{first.id}/ready")
    assert anonymous.status_code == 401

    low = await client.post(
        f"/api/v1/admin/prizes/{prize.id}/stock", json={"delta": -3}, headers=_auth(organizer)
    )
    assert (low.status_code, low.json()["error"]["code"]) == (409, "stock_below_zero")
    zero = await client.post(
        f"/api/v1/admin/prizes/{prize.id}/stock", json={"delta": 0}, headers=_auth(organizer)
    )
    assert zero.status_code == 422
    more = await client.post(
        f"/api/v1/admin/prizes/{prize.id}/stock", json={"delta": 5}, headers=_auth(organizer)
    )
    assert more.json()["stock"] == 7
