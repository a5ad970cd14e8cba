"""Organizers see what the outbox delivered and what it could not (dead letters), and requeue."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.kit.auth import Organizer
from openindustry.kit.deps import get_session, get_settings
from openindustry.kit.types import PathId
from openindustry.notifications.schemas import (
    NotificationFilter,
    NotificationPage,
    NotificationRead,
)
from openindustry.notifications.service import NotificationsService

router = APIRouter(tags=["notifications"])


def get_notifications(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> NotificationsService:
    return NotificationsService(session, settings)


Notifications = Annotated[NotificationsService, Depends(get_notifications)]


@router.get(
    "/admin/notifications",
    summary="Organizer: outbox rows newest first, e.g. ?status=dead, with counts by status",
)
async def notifications(
    outbox: Notifications,
    _organizer: Organizer,
    filters: Annotated[NotificationFilter, Query()],
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> NotificationPage:
    return await outbox.page(filters, limit=limit, offset=offset)


@router.post(
    "/admin/notifications/{notification_id}/retry",
    summary="Organizer: requeue a dead row (attempts from zero, due now); audited",
)
async def retry_notification(
    notification_id: PathId, outbox: Notifications, organizer: Organizer
) -> NotificationRead:
    return await outbox.retry(notification_id, actor_id=organizer.user_id)
