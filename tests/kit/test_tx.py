"""The transaction helper: one commit per use case; nested calls join; hooks wait for the commit."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.catalog.models import Industry
from openindustry.kit.tx import after_commit, transaction


async def _count(session: AsyncSession) -> int:
    async with transaction(session):
        return await session.scalar(select(func.count(Industry.id))) or 0


async def test_nested_transaction_commits_once_with_the_outer(session: AsyncSession) -> None:
    ran: list[str] = []

    async def hook() -> None:
        ran.append("sent")

    async with transaction(session):
        session.add(Industry(slug="a", name="А", name_en="A"))
        async with transaction(session):
            session.add(Industry(slug="b", name="Б", name_en="B"))
            after_commit(session, hook)
        assert ran == []  # the inner block did not commit
    assert ran == ["sent"]
    assert await _count(session) == 2


async def test_failure_anywhere_rolls_back_everything_and_drops_hooks(
    session: AsyncSession,
) -> None:
    ran: list[str] = []

    async def hook() -> None:
        ran.append("sent")

    with pytest.raises(RuntimeError):
        async with transaction(session):
            session.add(Industry(slug="a", name="А", name_en="A"))
            async with transaction(session):
                after_commit(session, hook)
                raise RuntimeError("boom")
    assert ran == []
    assert await _count(session) == 0

    # The session is usable again and a later transaction does not inherit the dropped hook.
    async with transaction(session):
        session.add(Industry(slug="c", name="В", name_en="C"))
    assert ran == []
    assert await _count(session) == 1
