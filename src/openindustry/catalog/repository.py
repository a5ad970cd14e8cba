"""All catalog SQL. Repositories read and stage writes; they never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Row, Select, bindparam, func, select, update
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

SlotRow = Row[Slot, Program, Enterprise, Industry, Series | None]
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


def _slot_query() -> Select[Slot, Program, Enterprise, Industry, Series | None]:
    return (
        select(Slot, Program, Enterprise, Industry, Series)
        .join(Program, Slot.program_id == Program.id)
        .join(Enterprise, Program.enterprise_id == Enterprise.id)
        .join(Industry, Enterprise.industry_id == Industry.id)
        .outerjoin(Series, Slot.series_id == Series.id)
    )


# Built once: the booking path reads one slot per request (see registration/repository.py).
_SLOT_ROW = _slot_query().where(Slot.id == bindparam("slot_id"))


async def slot_row(session: AsyncSession, slot_id: int) -> SlotRow | None:
    return (await session.execute(_SLOT_ROW, {"slot_id": slot_id})).first()


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
) -> tuple[Sequence[SlotRow], int]:
    query = _slot_query()
    if not include_cancelled:
        query = query.where(Slot.status == SlotStatus.SCHEDULED)
    if starts_from is not None:
        query = query.where(Slot.starts_at >= starts_from)
    if starts_before is not None:
        query = query.where(Slot.starts_at < starts_before)
    if ends_after is not None:
        query = query.where(Slot.ends_at > ends_after)
    if industry:
        query = query.where(Industry.slug == industry)
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
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    query = query.order_by(Slot.starts_at, Slot.id).limit(limit).offset(offset)
    return (await session.execute(query)).all(), total or 0


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
_TAKE_SEATS = (
    update(Slot)
    .where(
        Slot.id == bindparam("slot_id"),
        Slot.status == SlotStatus.SCHEDULED,
        Slot.seats_taken + _SEATS <= Slot.capacity,
    )
    .values(seats_taken=Slot.seats_taken + _SEATS)
)


async def take_seats(session: AsyncSession, slot_id: int, seats: int) -> bool:
    result = await session.execute(_TAKE_SEATS, {"slot_id": slot_id, "seats": seats})
    return bool(result.rowcount)  # type: ignore[attr-defined]


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
