"""All outbox SQL. Repositories stage writes; they never commit.

Claiming: due rows — `pending` ones whose time has come and `sending` ones whose lease has ended —
are picked (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so concurrent dispatchers pick disjoint rows;
SQLite has one writer anyway) and turned `sending` with a lease and `attempts + 1`. The UPDATE
repeats the due condition, so a row is never claimed twice while its lease holds.

Every mark after the send is fenced by the claim's `attempts`: a dispatcher that outlived its
lease (the row was claimed again meanwhile) cannot overwrite the newer claim's outcome.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.kit import sql
from openindustry.notifications.models import Notification, NotificationStatus, UnreachableChannel

PENDING, SENDING = NotificationStatus.PENDING, NotificationStatus.SENDING
SENT, DEAD = NotificationStatus.SENT, NotificationStatus.DEAD


@dataclass(frozen=True)
class Claimed:
    id: int
    user_id: int | None
    kind: str
    payload: dict[str, Any]
    essential: bool
    attempts: int  # this claim's number; it fences the marks that follow
    expires_at: datetime | None = None
    sealed: bytes | None = None


def _is_postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def add(session: AsyncSession, rows: Iterable[Notification]) -> None:
    session.add_all(rows)


_INSERT = insert(cast(Table, Notification.__table__))


async def insert_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Outbox rows by one Core INSERT: the unit of work's flush cost more than the statement on
    the registration path (docs/benchmarks.md). The columns' defaults apply as in a flush."""
    if rows:
        connection = await session.connection()
        await connection.execute(_INSERT, rows)


async def insert_once(session: AsyncSession, values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT (dedup_key) DO NOTHING; True when the row is new."""
    statement = (
        sql.insert(session, Notification)
        .values(**values, status=PENDING, attempts=0)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
        .returning(Notification.id)
    )
    return (await session.execute(statement)).scalar_one_or_none() is not None


def _due(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Notification.status == PENDING, Notification.next_attempt_at <= now),
        and_(Notification.status == SENDING, Notification.locked_until <= now),
    )


async def bury_abandoned(session: AsyncSession, now: datetime, max_attempts: int) -> int:
    """Dead-letter `sending` rows whose lease ended after the last allowed attempt.

    Without this a message that crashes its dispatcher every time would be claimed forever.
    """
    stale = and_(
        Notification.status == SENDING,
        Notification.locked_until <= now,
        Notification.attempts >= max_attempts,
    )
    # SKIP LOCKED: never wait for (or deadlock with) another dispatcher burying the same rows.
    ids = select(Notification.id).where(stale)
    if _is_postgres(session):
        ids = ids.with_for_update(skip_locked=True)
    result = await session.execute(
        update(Notification)
        .where(Notification.id.in_(ids))
        .where(stale)
        .values(
            status=DEAD,
            locked_until=None,
            sealed=None,
            last_error="abandoned: the dispatcher stopped while sending on the last attempt",
        )
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def claim(
    session: AsyncSession,
    now: datetime,
    until: datetime,
    *,
    limit: int,
    only_id: int | None = None,
) -> list[Claimed]:
    """Turn up to `limit` due rows (most urgent first) into `sending` until `until`."""
    due = (
        select(Notification.id)
        .where(_due(now))
        .order_by(Notification.priority.desc(), Notification.next_attempt_at, Notification.id)
        .limit(limit)
    )
    if only_id is not None:
        due = due.where(Notification.id == only_id)
    if _is_postgres(session):
        due = due.with_for_update(skip_locked=True)
    ids = list((await session.scalars(due)).all())
    if not ids:
        return []
    rows = await session.execute(
        update(Notification)
        .where(Notification.id.in_(ids))
        .where(_due(now))
        .values(status=SENDING, locked_until=until, attempts=Notification.attempts + 1)
        .returning(
            Notification.id,
            Notification.user_id,
            Notification.kind,
            Notification.payload,
            Notification.essential,
            Notification.attempts,
            Notification.expires_at,
            Notification.sealed,
        )
        .execution_options(synchronize_session=False)
    )
    return sorted((Claimed(*row) for row in rows.all()), key=lambda c: c.id)


async def finish(session: AsyncSession, claimed: Claimed, **values: Any) -> bool:
    """Record a claim's outcome; False when the row has been claimed again since (fenced out)."""
    result = await session.execute(
        update(Notification)
        .where(Notification.id == claimed.id)
        .where(Notification.status == SENDING)
        .where(Notification.attempts == claimed.attempts)
        .values(locked_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


async def get(session: AsyncSession, notification_id: int) -> Notification | None:
    return await session.get(Notification, notification_id, populate_existing=True)


async def requeue(session: AsyncSession, notification_id: int, now: datetime) -> bool:
    """A dead row back to `pending`, due now, with its attempts counted from zero."""
    result = await session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .where(Notification.status == DEAD)
        .values(status=PENDING, attempts=0, next_attempt_at=now, locked_until=None, sent_at=None)
        .execution_options(synchronize_session=False)
    )
    return bool(getattr(result, "rowcount", 0))


def _filtered(
    *, kind: str | None, channel: str | None, user_id: int | None
) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if kind:
        # "registration" matches "registration.confirmed"; an exact kind matches itself.
        prefix = kind.rstrip(".").replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(
            or_(Notification.kind == kind, Notification.kind.like(prefix + ".%", escape="\\"))
        )
    if channel:
        conditions.append(Notification.channel == channel)
    if user_id is not None:
        conditions.append(Notification.user_id == user_id)
    return conditions


async def page(
    session: AsyncSession,
    *,
    status: NotificationStatus | None,
    kind: str | None,
    channel: str | None,
    user_id: int | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[Notification], int, dict[NotificationStatus, int]]:
    """Rows newest first, their total, and how many rows each status holds under the filter."""
    conditions = _filtered(kind=kind, channel=channel, user_id=user_id)
    grouped = await session.execute(
        select(Notification.status, func.count(Notification.id))
        .where(*conditions)
        .group_by(Notification.status)
    )
    counts = dict.fromkeys(NotificationStatus, 0)
    counts.update({NotificationStatus(s): int(n) for s, n in grouped.all()})
    if status is not None:
        conditions.append(Notification.status == status)
    total = counts[status] if status is not None else sum(counts.values())
    query = (
        select(Notification)
        .where(*conditions)
        .order_by(Notification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return (await session.scalars(query)).all(), total, counts


async def unreachable_channels(session: AsyncSession, user_id: int) -> set[str]:
    rows = await session.scalars(
        select(UnreachableChannel.channel).where(UnreachableChannel.user_id == user_id)
    )
    return set(rows.all())


async def add_unreachable(session: AsyncSession, user_id: int, channel: str, reason: str) -> None:
    if await session.get(UnreachableChannel, (user_id, channel)) is None:
        session.add(UnreachableChannel(user_id=user_id, channel=channel, reason=reason))
        await session.flush()


# A person's own data ------------------------------------------------------------------------------


async def addressed_to(session: AsyncSession, user_id: int) -> Sequence[Notification]:
    query = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    return (await session.scalars(query)).all()


async def forget(session: AsyncSession, user_id: int) -> int:
    """Drop every row addressed to the person (sent, waiting or dead) and their unreachable
    channels: nothing about them is left to deliver or to read."""
    rows = await session.execute(delete(Notification).where(Notification.user_id == user_id))
    await session.execute(delete(UnreachableChannel).where(UnreachableChannel.user_id == user_id))
    return int(rows.rowcount)  # type: ignore[attr-defined]
