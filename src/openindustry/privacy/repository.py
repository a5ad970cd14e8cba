"""All personal-data SQL: the purge's daily marker. Repositories stage writes; they never commit."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.kit import sql
from openindustry.privacy.models import PurgeRun


async def claim_day(session: AsyncSession, day: date, now: datetime) -> bool:
    """Insert the day's marker unless it exists (ON CONFLICT DO NOTHING): True for the one caller
    that inserted it. On PostgreSQL a concurrent insert waits for the first to commit or roll
    back, so exactly one transaction per day wins."""
    statement = (
        sql.insert(session, PurgeRun)
        .values(day=day, ran_at=now, counts={})
        .on_conflict_do_nothing(index_elements=["day"])
        .returning(PurgeRun.day)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


async def record_counts(session: AsyncSession, day: date, counts: dict[str, Any]) -> None:
    await session.execute(update(PurgeRun).where(PurgeRun.day == day).values(counts=counts))
