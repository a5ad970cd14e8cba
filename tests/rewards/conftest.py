"""Rewards test helpers: people with points, prizes, and services on sessions of their own."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.service import AccountsService
from openindustry.config import Settings
from openindustry.kit import db
from openindustry.rewards.models import PointsBalance, PointsEntry
from openindustry.rewards.schemas import PrizeCreate, PrizeRead
from openindustry.rewards.service import RewardsService

_subjects = itertools.count(1)

MakeUser = Callable[..., Awaitable[int]]
MakePrize = Callable[..., Awaitable[PrizeRead]]


@pytest.fixture
def rewards(session: AsyncSession, settings: Settings) -> RewardsService:
    return RewardsService(session, settings)


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Concurrent callers each get their own session (and so their own connection)."""
    return db.create_sessionmaker(engine)


@pytest.fixture
def make_user(session: AsyncSession, settings: Settings, rewards: RewardsService) -> MakeUser:
    accounts = AccountsService(session, settings)

    async def make(points: int = 0, name: str = "Гость") -> int:
        n = next(_subjects)
        identity = VerifiedIdentity(Provider.TELEGRAM, f"rewards-{n}", first_name=name)
        user_id = (await accounts.sign_in(identity)).user.id
        if points:
            await rewards.award(user_id, points, reason="adjustment", ref_type="seed", ref_id=n)
        return user_id

    return make


@pytest.fixture
def make_prize(rewards: RewardsService) -> MakePrize:
    async def make(**overrides: Any) -> PrizeRead:
        data = {"title": "Термос", "stock": 10, "price_points": 10} | overrides
        return await rewards.create_prize(PrizeCreate.model_validate(data))

    return make


async def ledger_state(engine: AsyncEngine, user_id: int) -> tuple[int, int]:
    """(cached balance, sum of the ledger) read straight from the tables."""
    async with db.create_sessionmaker(engine)() as session:
        balance = await session.scalar(
            select(PointsBalance.balance).where(PointsBalance.user_id == user_id)
        )
        total = await session.scalar(
            select(func.coalesce(func.sum(PointsEntry.amount), 0)).where(
                PointsEntry.user_id == user_id
            )
        )
    return int(balance or 0), int(total or 0)


@pytest.fixture
async def other_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """A second engine on the same database: another app process, as far as the data knows."""
    engine = db.create_engine(settings.database_url)
    yield engine
    await engine.dispose()
