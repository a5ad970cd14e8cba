"""The outbox: other domains enqueue inside their own transaction; the dispatcher claims and marks.

Claiming is a short transaction of its own: due rows are picked (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, so concurrent dispatchers pick disjoint rows; SQLite runs one writer anyway) and get a
lease — `locked_until`, with `next_attempt_at` moved to the lease's end and `attempts + 1`. The
conditional UPDATE only takes rows that are still due, so a row is never claimed twice while its
lease holds; a dispatcher that dies holding a row lets it come due again when the lease ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.kit.tx import transaction
from openindustry.notifications.models import Notification, NotificationStatus, UnreachableChannel
from openindustry.notifications.schemas import NotificationCreate, NotificationRead


@dataclass(frozen=True)
class Claimed:
    id: int
    user_id: int | None
    kind: str
    payload: dict[str, Any]
    essential: bool
    attempts: int


class NotificationsService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(self, messages: Iterable[NotificationCreate]) -> None:
        """Write outbox rows; they commit (or vanish) with the caller's transaction."""
        async with transaction(self.session):
            self.session.add_all(Notification(**m.model_dump()) for m in messages)
            await self.session.flush()

    async def enqueue_once(self, messages: Sequence[NotificationCreate]) -> int:
        """Insert rows whose `dedup_key` is new (INSERT … ON CONFLICT DO NOTHING); count them."""
        if not messages:
            return 0
        is_pg = self.session.get_bind().dialect.name == "postgresql"
        insert = postgresql.insert if is_pg else sqlite.insert
        added = 0
        async with transaction(self.session):
            for message in messages:
                statement = (
                    insert(Notification)
                    .values(**message.model_dump(), status=NotificationStatus.PENDING, attempts=0)
                    .on_conflict_do_nothing(index_elements=["dedup_key"])
                    .returning(Notification.id)
                )
                if (await self.session.execute(statement)).scalar_one_or_none() is not None:
                    added += 1
        return added

    async def claim(self, now: datetime, *, limit: int, lease: timedelta) -> list[Claimed]:
        """Take up to `limit` due rows for `lease`; commits before returning."""
        due = (
            select(Notification.id)
            .where(Notification.status == NotificationStatus.PENDING)
            .where(Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            due = due.with_for_update(skip_locked=True)
        async with transaction(self.session):
            ids = list((await self.session.scalars(due)).all())
            if not ids:
                return []
            until = now + lease
            rows = await self.session.execute(
                update(Notification)
                .where(Notification.id.in_(ids))
                .where(Notification.status == NotificationStatus.PENDING)
                .where(Notification.next_attempt_at <= now)
                .values(
                    locked_until=until, next_attempt_at=until, attempts=Notification.attempts + 1
                )
                .returning(
                    Notification.id,
                    Notification.user_id,
                    Notification.kind,
                    Notification.payload,
                    Notification.essential,
                    Notification.attempts,
                )
                .execution_options(synchronize_session=False)
            )
            claimed = [Claimed(*row) for row in rows.all()]
        return sorted(claimed, key=lambda c: c.id)

    async def mark_sent(
        self, notification_id: int, now: datetime, channel: str | None, note: str | None = None
    ) -> None:
        await self._set(
            notification_id,
            status=NotificationStatus.SENT,
            sent_at=now,
            channel=channel,
            locked_until=None,
            last_error=note,
        )

    async def retry_at(self, notification_id: int, when: datetime, reason: str) -> None:
        await self._set(notification_id, next_attempt_at=when, locked_until=None, last_error=reason)

    async def dead_letter(self, notification_id: int, reason: str) -> None:
        await self._set(
            notification_id, status=NotificationStatus.FAILED, locked_until=None, last_error=reason
        )

    async def _set(self, notification_id: int, **values: Any) -> None:
        async with transaction(self.session):
            await self.session.execute(
                update(Notification)
                .where(Notification.id == notification_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    async def mark_unreachable(self, user_id: int, channel: str, reason: str) -> None:
        async with transaction(self.session):
            if await self.session.get(UnreachableChannel, (user_id, channel)) is None:
                self.session.add(
                    UnreachableChannel(user_id=user_id, channel=channel, reason=reason)
                )
                await self.session.flush()

    async def unreachable(self, user_id: int) -> set[str]:
        async with transaction(self.session):
            rows = await self.session.scalars(
                select(UnreachableChannel.channel).where(UnreachableChannel.user_id == user_id)
            )
            return set(rows.all())

    async def listing(
        self, status: NotificationStatus | None, limit: int = 200
    ) -> list[NotificationRead]:
        query = select(Notification).order_by(Notification.id.desc()).limit(limit)
        if status is not None:
            query = query.where(Notification.status == status)
        async with transaction(self.session):
            rows = (await self.session.scalars(query)).all()
        return [NotificationRead.model_validate(r) for r in rows]
