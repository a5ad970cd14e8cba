"""Organizers see what the outbox could not deliver (dead letters) and why."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.kit.auth import Organizer
from openindustry.kit.deps import get_session
from openindustry.notifications.models import NotificationStatus
from openindustry.notifications.schemas import NotificationRead
from openindustry.notifications.service import NotificationsService

router = APIRouter(tags=["notifications"])


@router.get("/admin/notifications", summary="Organizer: outbox rows, e.g. ?status=failed")
async def notifications(
    session: Annotated[AsyncSession, Depends(get_session)],
    _organizer: Organizer,
    status: Annotated[NotificationStatus | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> list[NotificationRead]:
    return await NotificationsService(session).listing(status, limit)
