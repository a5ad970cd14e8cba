"""The outbox's use cases: other domains enqueue inside their own transaction; organizers look at
what was delivered and requeue dead letters. Delivery itself is the dispatcher's (dispatcher.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.audit.service import AuditService
from openindustry.config import Settings
from openindustry.kit import clock
from openindustry.kit.tx import after_commit, transaction
from openindustry.notifications import repository as repo
from openindustry.notifications.dispatcher import deliver_now
from openindustry.notifications.errors import (
    NotificationNotDead,
    NotificationNotFound,
    NotificationNotRetryable,
)
from openindustry.notifications.models import Notification, NotificationStatus
from openindustry.notifications.repository import Claimed
from openindustry.notifications.rules import mask_address
from openindustry.notifications.schemas import (
    DirectMessage,
    NotificationCreate,
    NotificationFilter,
    NotificationPage,
    NotificationRead,
)
from openindustry.notifications.sealing import Sealer

__all__ = ["Claimed", "NotificationsService"]

log = logging.getLogger(__name__)


class NotificationsService:
    def __init__(self, session: AsyncSession, settings: Settings | None = None) -> None:
        self.session = session
        self.settings = settings

    def _settings(self) -> Settings:
        if self.settings is None:
            raise TypeError("this use of NotificationsService needs the settings")
        return self.settings

    async def enqueue(self, messages: Iterable[NotificationCreate]) -> None:
        """Write outbox rows; they commit (or vanish) with the caller's transaction."""
        async with transaction(self.session):
            await repo.insert_rows(self.session, [m.model_dump() for m in messages])

    async def enqueue_once(self, messages: Sequence[NotificationCreate]) -> int:
        """Insert rows whose `dedup_key` is new (INSERT … ON CONFLICT DO NOTHING); count them."""
        added = 0
        async with transaction(self.session):
            for message in messages:
                added += await repo.insert_once(self.session, message.model_dump())
        return added

    async def enqueue_direct(self, message: DirectMessage) -> int:
        """Write an essential message to an address, sealed; send it as soon as it commits.

        Only a masked address is readable in the row; the address and the secrets are encrypted
        and erased once the row is sent or dead.
        """
        settings = self._settings()
        secrets = {**message.secrets, "address": message.address}
        row = Notification(
            user_id=None,
            kind=message.kind,
            payload={
                "channel": message.channel,
                "locale": message.locale,
                "to": mask_address(message.address),
            },
            essential=True,
            priority=message.priority,
            expires_at=message.expires_at,
            sealed=Sealer(settings).seal(secrets),
        )
        async with transaction(self.session):
            repo.add(self.session, [row])
            await self.session.flush()
            notification_id = row.id
            after_commit(self.session, lambda: self._deliver_now(notification_id))
        return notification_id

    async def _deliver_now(self, notification_id: int) -> None:
        try:
            await deliver_now(self.session, self._settings(), notification_id)
        except Exception:  # the fast path only: the dispatcher retries the row
            log.warning("immediate delivery of outbox row %s failed", notification_id)

    async def page(
        self, filters: NotificationFilter, *, limit: int = 50, offset: int = 0
    ) -> NotificationPage:
        """Outbox rows newest first, with how many rows each status holds."""
        async with transaction(self.session):
            rows, total, counts = await repo.page(
                self.session, **filters.model_dump(), limit=limit, offset=offset
            )
            items = [NotificationRead.model_validate(r) for r in rows]
        return NotificationPage(items=items, total=total, limit=limit, offset=offset, counts=counts)

    async def retry(self, notification_id: int, *, actor_id: int | None) -> NotificationRead:
        """Requeue a dead row (attempts from zero, due now) and audit it; nothing else moves."""
        tz = self.settings.tz if self.settings is not None else None
        async with transaction(self.session):
            row = await repo.get(self.session, notification_id)
            if row is None:
                raise NotificationNotFound("Такого сообщения нет.")
            if row.status is not NotificationStatus.DEAD:
                raise NotificationNotDead("Повторить можно только недоставленное сообщение.")
            if row.user_id is None:
                raise NotificationNotRetryable(
                    "Это одноразовое сообщение (например, код для входа): его не отправить "
                    "повторно, человек запросит новое."
                )
            before = {"status": row.status, "attempts": row.attempts, "last_error": row.last_error}
            if not await repo.requeue(self.session, notification_id, clock.now()):
                raise NotificationNotDead("Сообщение уже снова в очереди.")
            row = await repo.get(self.session, notification_id)
            assert row is not None  # noqa: S101 - requeued just above, in this transaction
            audit = AuditService(self.session, tz) if tz is not None else AuditService(self.session)
            await audit.record(
                actor_id,
                "notification.retried",
                subject_type="notification",
                subject_id=notification_id,
                before=before,
                after={"status": row.status, "attempts": row.attempts},
            )
            return NotificationRead.model_validate(row)

    # A person's own data (the privacy domain calls these) -------------------------------------

    async def addressed_to(self, user_id: int) -> list[NotificationRead]:
        """Every message addressed to the person, oldest first, for their data download."""
        async with transaction(self.session):
            rows = await repo.addressed_to(self.session, user_id)
            return [NotificationRead.model_validate(r) for r in rows]

    async def forget_person(self, user_id: int) -> int:
        """Drop the rows addressed to a person whose account is deleted; returns how many."""
        async with transaction(self.session):
            return await repo.forget(self.session, user_id)
