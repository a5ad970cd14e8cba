"""All audit SQL. Repositories stage writes; they never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.audit.models import AuditEntry


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def entries(
    session: AsyncSession,
    *,
    actor_id: int | None,
    action: str | None,
    subject_type: str | None,
    subject_id: int | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[AuditEntry], int]:
    conditions: list[Any] = []
    if actor_id is not None:
        conditions.append(AuditEntry.actor_id == actor_id)
    if action:
        # "slot" matches "slot.created" and "slot.cancelled"; an exact name matches itself.
        conditions.append(
            (AuditEntry.action == action)
            | AuditEntry.action.like(_escape_like(action.rstrip(".")) + ".%", escape="\\")
        )
    if subject_type:
        conditions.append(AuditEntry.subject_type == subject_type)
    if subject_id is not None:
        conditions.append(AuditEntry.subject_id == subject_id)
    if since is not None:
        conditions.append(AuditEntry.created_at >= since)
    if until is not None:
        conditions.append(AuditEntry.created_at < until)
    total = await session.scalar(select(func.count(AuditEntry.id)).where(*conditions))
    query = (
        select(AuditEntry)
        .where(*conditions)
        .order_by(AuditEntry.created_at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return (await session.scalars(query)).all(), int(total or 0)
