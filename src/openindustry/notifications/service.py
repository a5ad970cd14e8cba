"""The outbox side of notifications: other domains enqueue here, inside their own transaction."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.kit.tx import transaction
from openindustry.notifications.models import Notification
from openindustry.notifications.schemas import NotificationCreate


class NotificationsService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(self, messages: Iterable[NotificationCreate]) -> None:
        """Write outbox rows; they commit (or vanish) with the caller's transaction."""
        async with transaction(self.session):
            self.session.add_all(Notification(**m.model_dump()) for m in messages)
            await self.session.flush()
