"""All draw SQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.draws.models import Draw, DrawKind


async def by_id(session: AsyncSession, draw_id: int) -> Draw | None:
    return await session.get(Draw, draw_id)


async def by_subject(session: AsyncSession, kind: DrawKind, subject_id: int) -> Draw | None:
    return await session.scalar(
        select(Draw).where(Draw.kind == kind, Draw.subject_id == subject_id)
    )
