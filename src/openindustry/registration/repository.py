"""All registration SQL. Repositories read and stage writes; they never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Row,
    Select,
    Table,
    bindparam,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.registration.models import (
    ACTIVE,
    Registration,
    RegistrationStatus,
)


async def by_id(session: AsyncSession, registration_id: int) -> Registration | None:
    return await session.get(Registration, registration_id)


# The statements of the booking path are built once: making a SELECT out of column expressions
# and keying it for SQLAlchemy's compiled cache costs more CPU than running it (see
# docs/benchmarks.md). Values come in as bound parameters. They are Core statements on the
# session's connection and give rows, not mapped objects: the ORM's bookkeeping for objects
# that live for one request cost more than the SQL. A row has the model's attribute names.
_TABLE = cast(Table, Registration.__table__)
RegistrationRow = Row[*tuple[Any, ...]]
_BY_KEY = select(_TABLE).where(
    _TABLE.c.user_id == bindparam("user_id"),
    _TABLE.c.idempotency_key == bindparam("key"),
)


def _person_context(with_key: bool) -> Select[*tuple[Any, ...]]:
    c = _TABLE.c
    since = bindparam("since", type_=c.cancelled_at.type)
    matches: list[ColumnElement[bool]] = [
        c.status.in_(ACTIVE),
        # A strike dates from the late cancellation, or from the tour that was missed.
        c.late_cancellation & (c.cancelled_at >= since),
        c.no_show & (c.slot_starts_at >= since),
    ]
    if with_key:
        matches.append(c.idempotency_key == bindparam("key"))
    return select(_TABLE).where(c.user_id == bindparam("user_id"), or_(*matches))


_PERSON_CONTEXT = {with_key: _person_context(with_key) for with_key in (False, True)}
_ADD = insert(_TABLE).returning(*_TABLE.c)


async def by_key(session: AsyncSession, user_id: int, key: str) -> RegistrationRow | None:
    connection = await session.connection()
    return (await connection.execute(_BY_KEY, {"user_id": user_id, "key": key})).first()


async def person_context(
    session: AsyncSession, user_id: int, strikes_since: datetime, key: str | None = None
) -> Sequence[RegistrationRow]:
    """The person's active registrations, their recent late cancellations and no-shows, and the
    registration made with `key` (a retried request), in one query."""
    params: dict[str, Any] = {"user_id": user_id, "since": strikes_since}
    if key is not None:
        params["key"] = key
    connection = await session.connection()
    return (await connection.execute(_PERSON_CONTEXT[key is not None], params)).all()


async def add(session: AsyncSession, **values: Any) -> RegistrationRow:
    """INSERT … RETURNING the new row: one statement, without a unit-of-work flush."""
    connection = await session.connection()
    return (await connection.execute(_ADD, values)).one()


async def of_user(session: AsyncSession, user_id: int) -> Sequence[Registration]:
    query = (
        select(Registration)
        .where(Registration.user_id == user_id)
        .order_by(Registration.slot_starts_at.desc(), Registration.id.desc())
    )
    return (await session.scalars(query)).all()


def _queue_order() -> tuple[Any, ...]:
    # Drawn ranks first (lottery slots), then first come, first served by id.
    return (Registration.queue_rank.is_(None), Registration.queue_rank, Registration.id)


async def waiting(session: AsyncSession, slot_id: int) -> Sequence[Registration]:
    query = (
        select(Registration)
        .where(
            Registration.slot_id == slot_id,
            Registration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(*_queue_order())
    )
    return (await session.scalars(query)).all()


async def waitlist_position(session: AsyncSession, registration: Any) -> int | None:
    """`registration`: a Registration or a row of one."""
    queue = await waiting(session, registration.slot_id)
    return next((i for i, r in enumerate(queue, 1) if r.id == registration.id), None)


async def of_slot(
    session: AsyncSession, slot_id: int, statuses: Sequence[RegistrationStatus]
) -> Sequence[Registration]:
    query = (
        select(Registration)
        .where(Registration.slot_id == slot_id, Registration.status.in_(statuses))
        .order_by(*_queue_order())
    )
    return (await session.scalars(query)).all()


async def move(
    session: AsyncSession,
    registration_id: int,
    from_statuses: Sequence[RegistrationStatus],
    **values: Any,
) -> bool:
    """Change a registration only if it is still in one of `from_statuses`; the row count
    decides, so two concurrent transitions of the same registration cannot both happen."""
    result = await session.execute(
        update(Registration)
        .where(Registration.id == registration_id, Registration.status.in_(from_statuses))
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def expired_offers(session: AsyncSession, now: datetime) -> Sequence[Registration]:
    query = select(Registration).where(
        Registration.status == RegistrationStatus.OFFERED, Registration.offer_expires_at <= now
    )
    return (await session.scalars(query)).all()


async def slots_with_applications(session: AsyncSession) -> Sequence[int]:
    query = (
        select(Registration.slot_id)
        .where(Registration.status == RegistrationStatus.APPLIED)
        .distinct()
    )
    return (await session.scalars(query)).all()


async def visitors_before(
    session: AsyncSession, user_ids: Sequence[int], before: datetime
) -> set[int]:
    """Which of these people already went on a tour (confirmed for a slot that has started)."""
    if not user_ids:
        return set()
    query = select(Registration.user_id).where(
        Registration.user_id.in_(user_ids),
        Registration.status == RegistrationStatus.CONFIRMED,
        Registration.slot_starts_at < before,
    )
    return set((await session.scalars(query)).all())


async def seats_held(session: AsyncSession, slot_id: int) -> int:
    """People in offered and confirmed registrations: must equal the slot's seats_taken."""
    query = select(func.coalesce(func.sum(Registration.party_size), 0)).where(
        Registration.slot_id == slot_id,
        Registration.status.in_((RegistrationStatus.OFFERED, RegistrationStatus.CONFIRMED)),
    )
    return int(await session.scalar(query) or 0)


async def set_slot_times(
    session: AsyncSession, slot_id: int, starts_at: datetime, ends_at: datetime
) -> None:
    await session.execute(
        update(Registration)
        .where(Registration.slot_id == slot_id)
        .values(slot_starts_at=starts_at, slot_ends_at=ends_at)
    )


async def attended(session: AsyncSession, user_id: int, slot_id: int) -> bool:
    query = select(Registration.id).where(
        Registration.user_id == user_id,
        Registration.slot_id == slot_id,
        Registration.attended_at.is_not(None),
    )
    return await session.scalar(query.limit(1)) is not None


async def mark_attended(session: AsyncSession, registration_id: int, at: datetime) -> bool:
    """Set the check-in time once: only a confirmed registration not yet checked in changes, so
    two gates scanning the same ticket at once record one time (the row count decides)."""
    result = await session.execute(
        update(Registration)
        .where(
            Registration.id == registration_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.attended_at.is_(None),
        )
        .values(attended_at=at, no_show=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def of_slot_all(session: AsyncSession, slot_id: int) -> Sequence[Registration]:
    query = select(Registration).where(Registration.slot_id == slot_id).order_by(Registration.id)
    return (await session.scalars(query)).all()


async def mark_no_shows(
    session: AsyncSession, ended_before: datetime
) -> Sequence[Row[int, int, int | None]]:
    """Confirmed, never checked-in parties of ended slots where check-in was used become
    no-shows: one UPDATE, so repeated sweeps change nothing twice."""
    checked_slots = (
        select(Registration.slot_id).where(Registration.attended_at.is_not(None)).distinct()
    )
    result = await session.execute(
        update(Registration)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.attended_at.is_(None),
            Registration.no_show.is_(False),
            Registration.slot_ends_at <= ended_before,
            Registration.slot_id.in_(checked_slots),
        )
        .values(no_show=True)
        .returning(Registration.id, Registration.user_id, Registration.series_id)
    )
    return result.all()


async def reachable(
    session: AsyncSession, *, slot_id: int | None, series_id: int | None
) -> Sequence[Registration]:
    """Registrations an organizer's message is for: confirmed, offered or waiting."""
    query = select(Registration).where(
        Registration.status.in_(
            (
                RegistrationStatus.CONFIRMED,
                RegistrationStatus.OFFERED,
                RegistrationStatus.WAITLISTED,
            )
        )
    )
    if slot_id is not None:
        query = query.where(Registration.slot_id == slot_id)
    if series_id is not None:
        query = query.where(Registration.series_id == series_id)
    return (await session.scalars(query.order_by(Registration.id))).all()


async def active_of_user(session: AsyncSession, user_id: int) -> Sequence[Registration]:
    """A person's registrations that hold a place somewhere (staff checks before booking)."""
    query = select(Registration).where(
        Registration.user_id == user_id, Registration.status.in_(ACTIVE)
    )
    return (await session.scalars(query)).all()
