"""All catalog SQL. Repositories read and stage writes; they never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Integer, Row, Select, Table, bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.catalog.models import (
    Enterprise,
    Industry,
    Program,
    ProgramFormat,
    Series,
    Slot,
    SlotStatus,
)

ProgramRow = Row[Program, Enterprise, Industry]
EnterpriseRow = Row[Enterprise, Industry]


def _like(needle: str) -> str:
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


async def industries(session: AsyncSession) -> Sequence[Industry]:
    return (await session.scalars(select(Industry).order_by(Industry.name))).all()


async def industry_by_slug(session: AsyncSession, slug: str) -> Industry | None:
    return await session.scalar(select(Industry).where(Industry.slug == slug))


def _enterprise_query() -> Select[Enterprise, Industry]:
    return select(Enterprise, Industry).join(Industry, Enterprise.industry_id == Industry.id)


async def enterprise_row(
    session: AsyncSession, *, enterprise_id: int | None = None, slug: str | None = None
) -> EnterpriseRow | None:
    query = _enterprise_query()
    if enterprise_id is not None:
        query = query.where(Enterprise.id == enterprise_id)
    if slug is not None:
        query = query.where(Enterprise.slug == slug)
    return (await session.execute(query)).first()


async def enterprise_rows(
    session: AsyncSession, *, industry: str | None, q: str | None, limit: int, offset: int
) -> tuple[Sequence[EnterpriseRow], int]:
    query = _enterprise_query()
    if industry:
        query = query.where(Industry.slug == industry)
    if q:
        matching = select(Program.enterprise_id).where(
            Program.search_text.like(_like(q), escape="\\")
        )
        query = query.where(Enterprise.id.in_(matching))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    rows = (
        await session.execute(
            query.order_by(Enterprise.name, Enterprise.id).limit(limit).offset(offset)
        )
    ).all()
    return rows, total or 0


def _program_query() -> Select[Program, Enterprise, Industry]:
    return (
        select(Program, Enterprise, Industry)
        .join(Enterprise, Program.enterprise_id == Enterprise.id)
        .join(Industry, Enterprise.industry_id == Industry.id)
    )


async def program_row(session: AsyncSession, program_id: int) -> ProgramRow | None:
    return (await session.execute(_program_query().where(Program.id == program_id))).first()


async def program_rows(
    session: AsyncSession,
    *,
    enterprise_id: int | None,
    industry: str | None,
    format: ProgramFormat | None,
    age: int | None,
    q: str | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[ProgramRow], int]:
    query = _program_query()
    if enterprise_id is not None:
        query = query.where(Program.enterprise_id == enterprise_id)
    if industry:
        query = query.where(Industry.slug == industry)
    if format is not None:
        query = query.where(Program.format == format)
    if age is not None:
        query = query.where(Program.age_rating <= age)
    if q:
        query = query.where(Program.search_text.like(_like(q), escape="\\"))
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    query = query.order_by(Enterprise.name, Program.title, Program.id).limit(limit).offset(offset)
    return (await session.execute(query)).all(), total or 0


async def programs_of_enterprise(session: AsyncSession, enterprise_id: int) -> Sequence[Program]:
    query = select(Program).where(Program.enterprise_id == enterprise_id).order_by(Program.id)
    return (await session.scalars(query)).all()


# A slot's own row, read fresh on every slot read (seats, state, times, window); what it shows of
# its program, enterprise, industry and series comes from catalog/_cache.py. Core rows, not ORM
# objects: building five mapped objects per slot was most of a catalog request's CPU.
_SLOT_TABLE = cast(Table, Slot.__table__)
AnyRow = Row[*tuple[Any, ...]]
_SLOT_FACTS = select(_SLOT_TABLE).where(_SLOT_TABLE.c.id == bindparam("slot_id"))
_PROGRAM_FACTS = (
    select(
        Program.id.label("program_id"),
        Program.title,
        Program.format,
        Program.age_rating,
        Enterprise.id.label("enterprise_id"),
        Enterprise.name.label("enterprise_name"),
        Enterprise.slug.label("enterprise_slug"),
        Enterprise.address,
        Enterprise.requires_id_document,
        Enterprise.min_age,
        Industry.slug.label("industry"),
    )
    .join(Enterprise, Program.enterprise_id == Enterprise.id)
    .join(Industry, Enterprise.industry_id == Industry.id)
    .where(Program.id.in_(bindparam("ids", expanding=True)))
)
_SERIES_FACTS = select(
    Series.id.label("series_id"),
    Series.opens_days_before,
    Series.opens_at_time,
    Series.closes_hours_before,
    Series.allocation_mode,
    Series.max_active_registrations,
    Series.waitlist_confirms_directly,
    Series.required_tasks,
).where(Series.id.in_(bindparam("ids", expanding=True)))


async def slot_facts(session: AsyncSession, slot_id: int) -> AnyRow | None:
    connection = await session.connection()
    return (await connection.execute(_SLOT_FACTS, {"slot_id": slot_id})).first()


async def program_facts(session: AsyncSession, program_ids: Sequence[int]) -> Sequence[AnyRow]:
    connection = await session.connection()
    return (await connection.execute(_PROGRAM_FACTS, {"ids": list(program_ids)})).all()


async def series_facts(session: AsyncSession, series_ids: Sequence[int]) -> Sequence[AnyRow]:
    connection = await session.connection()
    return (await connection.execute(_SERIES_FACTS, {"ids": list(series_ids)})).all()


async def slot_rows(
    session: AsyncSession,
    *,
    starts_from: datetime | None,
    starts_before: datetime | None,
    ends_after: datetime | None,
    industry: str | None,
    format: ProgramFormat | None,
    age: int | None,
    available: bool,
    q: str | None,
    enterprise_id: int | None,
    program_id: int | None,
    series_id: int | None,
    include_cancelled: bool,
    limit: int,
    offset: int,
) -> tuple[Sequence[AnyRow], int]:
    """The matching slots' own rows (see `slot_facts`), a page of them, and how many match."""
    query = (
        select(_SLOT_TABLE)
        .join(Program, Slot.program_id == Program.id)
        .join(Enterprise, Program.enterprise_id == Enterprise.id)
        .join(Industry, Enterprise.industry_id == Industry.id)
    )
    if industry:
        query = query.where(Industry.slug == industry)
    if not include_cancelled:
        query = query.where(Slot.status == SlotStatus.SCHEDULED)
    if starts_from is not None:
        query = query.where(Slot.starts_at >= starts_from)
    if starts_before is not None:
        query = query.where(Slot.starts_at < starts_before)
    if ends_after is not None:
        query = query.where(Slot.ends_at > ends_after)
    if format is not None:
        query = query.where(Program.format == format)
    if age is not None:
        query = query.where(Program.age_rating <= age)
    if available:
        query = query.where(Slot.seats_taken < Slot.capacity)
    if q:
        query = query.where(Program.search_text.like(_like(q), escape="\\"))
    if enterprise_id is not None:
        query = query.where(Program.enterprise_id == enterprise_id)
    if program_id is not None:
        query = query.where(Slot.program_id == program_id)
    if series_id is not None:
        query = query.where(Slot.series_id == series_id)
    return await _page_and_total(session, query, limit, offset)


async def _page_and_total(
    session: AsyncSession, query: Select[*tuple[Any, ...]], limit: int, offset: int
) -> tuple[Sequence[AnyRow], int]:
    # The page and the number of matches in one statement; a page past the end has no row to
    # carry the number, so it is counted apart.
    connection = await session.connection()
    page = query.add_columns(func.count().over().label("matching"))
    page = page.order_by(Slot.starts_at, Slot.id).limit(limit).offset(offset)
    rows = (await connection.execute(page)).all()
    if rows:
        return rows, rows[0].matching
    if not offset:
        return rows, 0
    total = (await connection.execute(select(func.count()).select_from(query.subquery()))).scalar()
    return rows, total or 0


async def current_series(session: AsyncSession, today: Any) -> Series | None:
    """The running series, else the next one to start."""
    query = select(Series).where(Series.ends_on >= today).order_by(Series.starts_on, Series.id)
    return await session.scalar(query.limit(1))


async def series_list(session: AsyncSession) -> Sequence[Series]:
    return (await session.scalars(select(Series).order_by(Series.starts_on.desc()))).all()


async def counters(session: AsyncSession, now: datetime) -> dict[str, int]:
    upcoming = select(func.count(Slot.id), func.coalesce(func.sum(Slot.capacity), 0)).where(
        Slot.starts_at > now, Slot.status == SlotStatus.SCHEDULED
    )
    slots, seats = (await session.execute(upcoming)).one()
    return {
        "enterprises": await session.scalar(select(func.count(Enterprise.id))) or 0,
        "programs": await session.scalar(select(func.count(Program.id))) or 0,
        "upcoming_slots": slots,
        "seats_upcoming": int(seats),
    }


async def is_empty(session: AsyncSession) -> bool:
    return await session.scalar(select(Enterprise.id).limit(1)) is None


async def set_capacity(session: AsyncSession, slot_id: int, capacity: int) -> bool:
    """Change capacity unless it would drop below the seats already taken; the row count decides."""
    result = await session.execute(
        update(Slot)
        .where(Slot.id == slot_id, Slot.seats_taken <= capacity)
        .values(capacity=capacity)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


_SEATS = bindparam("seats", type_=Integer)
# Core, not an ORM-enabled UPDATE: no objects in the session to synchronise, and the ORM's
# evaluation of the WHERE clause against them cost more than the statement.
_TAKE_SEATS = (
    update(_SLOT_TABLE)
    .where(
        Slot.id == bindparam("slot_id"),
        Slot.status == SlotStatus.SCHEDULED,
        Slot.seats_taken + _SEATS <= Slot.capacity,
    )
    .values(seats_taken=Slot.seats_taken + _SEATS)
)


async def take_seats(session: AsyncSession, slot_id: int, seats: int) -> bool:
    connection = await session.connection()
    result = await connection.execute(_TAKE_SEATS, {"slot_id": slot_id, "seats": seats})
    return bool(result.rowcount)


async def release_seats(session: AsyncSession, slot_id: int, seats: int) -> None:
    await session.execute(
        update(Slot).where(Slot.id == slot_id).values(seats_taken=Slot.seats_taken - seats)
    )


async def program_slot_intervals(
    session: AsyncSession, program_id: int, starts_before: datetime, ends_after: datetime
) -> list[tuple[datetime, datetime]]:
    """Start and end of the program's scheduled slots that touch the given span."""
    query = select(Slot.starts_at, Slot.ends_at).where(
        Slot.program_id == program_id,
        Slot.status == SlotStatus.SCHEDULED,
        Slot.starts_at < starts_before,
        Slot.ends_at > ends_after,
    )
    return [(start, end) for start, end in (await session.execute(query)).all()]
