"""SQL that the two backends spell differently."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert(session: AsyncSession, model: Any) -> postgresql.Insert | sqlite.Insert:
    """The backend's own INSERT, which has `.on_conflict_do_nothing(...)`: a duplicate is skipped
    by the unique key instead of failing, which on PostgreSQL would abort the whole transaction."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(model)
    return sqlite.insert(model)
