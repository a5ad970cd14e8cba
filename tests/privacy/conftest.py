"""Personal-data tests: participants who book through the API, and the statistics' hand-made
program (tests/stats/conftest.py), whose every figure must survive a deletion."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import User
from tests.registration.conftest import open_slot, participant
from tests.stats.conftest import program_data

__all__ = ["open_slot", "participant", "program_data"]

DOCUMENT = {"document_type": "passport_rf", "number": "4510 123456", "full_name": "Петров Иван"}


async def user_id_of(client: httpx.AsyncClient, token: str) -> int:
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200, me.text
    return int(me.json()["id"])


async def rows(session: AsyncSession, model: Any, **where: Any) -> list[Any]:
    """Fresh rows of `model` matching `where` (the session's cache bypassed)."""
    query = select(model).filter_by(**where).execution_options(populate_existing=True)
    return list((await session.scalars(query)).all())


async def user(session: AsyncSession, user_id: int) -> User:
    [found] = await rows(session, User, id=user_id)
    return found


Delete = Callable[..., Awaitable[httpx.Response]]


@pytest.fixture
def delete_account(client: httpx.AsyncClient) -> Delete:
    async def send(token: str, confirmation: str = "УДАЛИТЬ") -> httpx.Response:
        return await client.request(
            "DELETE",
            "/api/v1/me",
            headers={"Authorization": f"Bearer {token}"},
            json={"confirmation": confirmation},
        )

    return send
