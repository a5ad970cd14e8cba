"""Request-scoped dependencies shared by the JSON API and the pages."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    # Services commit inside their own transaction; closing here only returns the connection.
    async with request.app.state.sessionmaker() as session:
        yield session
