"""Request-scoped dependencies shared by the JSON API and the pages."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings


async def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Services commit inside their own transaction; closing here only returns the connection.
    async with request.app.state.sessionmaker() as session:
        yield session


def task_progress(request: Request, session: AsyncSession) -> Any:
    """Who answers "which tasks has this person done" for registration's gating.

    The composition root plugs in the quests domain (app.state.task_progress); registration sits
    below quests and must not import it. None (nothing plugged in) means no task is ever done.
    """
    factory = getattr(request.app.state, "task_progress", None)
    return factory(session) if factory is not None else None
