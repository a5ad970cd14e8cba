"""All the SQL of statistics: read-only aggregates over other domains' tables.

An exception to "a domain reaches another only through its service", allowed for this read-only
reporting domain: each dashboard figure spans catalog, registration, rewards, quests and accounts
tables, and going through their services would take N services × M queries (and rows loaded only
to be counted). These functions only SELECT; nothing here ever writes, and the owners' invariants
stay with the owners.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Select, and_, case, distinct, func, literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role, SignInDay, User
from openindustry.catalog.models import (
    AllocationMode,
    Enterprise,
    Industry,
    Program,
    ProgramFormat,
    Series,
    Slot,
    SlotStatus,
)
from openindustry.kit import clock
from openindustry.quests.models import Attempt, Task, TaskKind
from openindustry.registration.models import Registration, RegistrationStatus
from openindustry.rewards.models import ClaimStatus, PointsEntry, Prize, PrizeClaim


@dataclass(frozen=True)
class Bounds:
    series_id: int | None
    start: datetime | None
    end: datetime | None


@dataclass(frozen=True)
class SlotFacts:
    slot_id: int
    starts_at: datetime
    capacity: int
    lottery: bool
    program: str
    enterprise_id: int
    enterprise: str
    industry_id: int
    industry: str
    confirmed_parties: int
    confirmed_people: int
    attended_parties: int
    attended_people: int
    no_show_parties: int
    no_show_people: int
    applicant_parties: int
    applicant_people: int


def _in_range(column: Any, bounds: Bounds) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if bounds.start is not None:
        conditions.append(column >= bounds.start)
    if bounds.end is not None:
        conditions.append(column < bounds.end)
    return conditions


def _count_if(condition: ColumnElement[bool], value: Any = 1) -> Any:
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def local_day(session: AsyncSession, column: Any, tz: ZoneInfo) -> Any:
    """The calendar day of a UTC timestamp in `tz`, computed by the database."""
    if session.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(tz.key, column))
    # SQLite has no zone database: shift by the zone's current offset, exact for Moscow (no DST
    # since 2014) and for any zone without daylight saving.
    offset = clock.now().astimezone(tz).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    return func.date(column, f"{minutes:+d} minutes")


def as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


async def series_exists(session: AsyncSession, series_id: int) -> bool:
    return await session.scalar(select(Series.id).where(Series.id == series_id)) is not None


def _registration_totals() -> Select[Any]:
    r = Registration
    confirmed = r.status == RegistrationStatus.CONFIRMED
    attended = r.attended_at.is_not(None)
    return select(
        r.slot_id.label("slot_id"),
        _count_if(confirmed).label("confirmed_parties"),
        _count_if(confirmed, r.party_size).label("confirmed_people"),
        _count_if(attended).label("attended_parties"),
        _count_if(attended, r.party_size).label("attended_people"),
        _count_if(r.no_show.is_(True)).label("no_show_parties"),
        _count_if(r.no_show.is_(True), r.party_size).label("no_show_people"),
        func.count(r.id).label("applicant_parties"),
        func.coalesce(func.sum(r.party_size), 0).label("applicant_people"),
    ).group_by(r.slot_id)


async def slot_facts(session: AsyncSession, bounds: Bounds) -> list[SlotFacts]:
    """One row per slot (not cancelled) starting within the bounds, with its registrations' sums."""
    totals = _registration_totals().subquery()
    mode = func.coalesce(Slot.registration_mode, Series.allocation_mode, AllocationMode.FCFS)
    query = (
        select(
            Slot.id,
            Slot.starts_at,
            Slot.capacity,
            mode == AllocationMode.LOTTERY,
            Program.title,
            Enterprise.id,
            Enterprise.name,
            Industry.id,
            Industry.name,
            *(
                func.coalesce(getattr(totals.c, name), 0)
                for name in (
                    "confirmed_parties",
                    "confirmed_people",
                    "attended_parties",
                    "attended_people",
                    "no_show_parties",
                    "no_show_people",
                    "applicant_parties",
                    "applicant_people",
                )
            ),
        )
        .join(Program, Program.id == Slot.program_id)
        .join(Enterprise, Enterprise.id == Program.enterprise_id)
        .join(Industry, Industry.id == Enterprise.industry_id)
        .outerjoin(Series, Series.id == Slot.series_id)
        .outerjoin(totals, totals.c.slot_id == Slot.id)
        .where(Slot.status == SlotStatus.SCHEDULED, *_in_range(Slot.starts_at, bounds))
        .order_by(Slot.starts_at, Slot.id)
    )
    if bounds.series_id is not None:
        query = query.where(Slot.series_id == bounds.series_id)
    rows = (await session.execute(query)).all()
    return [
        SlotFacts(row[0], row[1], row[2], bool(row[3]), *row[4:9], *(int(v) for v in row[9:]))
        for row in rows
    ]


async def slot_days(
    session: AsyncSession, bounds: Bounds, tz: ZoneInfo
) -> Sequence[tuple[date, int, int]]:
    """(day, slots, seats) of slots (not cancelled) by their Moscow day."""
    day = local_day(session, Slot.starts_at, tz)
    query = (
        select(day, func.count(Slot.id), func.coalesce(func.sum(Slot.capacity), 0))
        .where(Slot.status == SlotStatus.SCHEDULED, *_in_range(Slot.starts_at, bounds))
        .group_by(day)
    )
    if bounds.series_id is not None:
        query = query.where(Slot.series_id == bounds.series_id)
    return [(as_date(d), int(n), int(s)) for d, n, s in (await session.execute(query)).all()]


async def registration_days(
    session: AsyncSession, bounds: Bounds, tz: ZoneInfo
) -> Sequence[tuple[date, str, int]]:
    """(day, status, registrations) by the Moscow day each registration was created."""
    day = local_day(session, Registration.created_at, tz)
    query = (
        select(day, Registration.status, func.count(Registration.id))
        .where(*_in_range(Registration.created_at, bounds))
        .group_by(day, Registration.status)
    )
    if bounds.series_id is not None:
        query = query.where(Registration.series_id == bounds.series_id)
    return [(as_date(d), str(s), int(n)) for d, s, n in (await session.execute(query)).all()]


async def audience(
    session: AsyncSession, bounds: Bounds
) -> Sequence[tuple[datetime, date | None, str | None, list[dict[str, Any]]]]:
    """(slot start, participant's birth date, participant's age group if their account was
    deleted, companions) of confirmed registrations."""
    query = (
        select(
            Registration.slot_starts_at,
            User.birth_date,
            Registration.participant_age_group,
            Registration.companions,
        )
        .join(User, User.id == Registration.user_id)
        .where(
            Registration.status == RegistrationStatus.CONFIRMED,
            *_in_range(Registration.slot_starts_at, bounds),
        )
    )
    if bounds.series_id is not None:
        query = query.where(Registration.series_id == bounds.series_id)
    return [(s, b, g, list(c or [])) for s, b, g, c in (await session.execute(query)).all()]


async def points_by_reason(session: AsyncSession, bounds: Bounds) -> Sequence[tuple[str, int, int]]:
    e = PointsEntry
    query = (
        select(e.reason, _count_if(e.amount > 0, e.amount), _count_if(e.amount < 0, -e.amount))
        .where(*_in_range(e.created_at, bounds))
        .group_by(e.reason)
        .order_by(e.reason)
    )
    if bounds.series_id is not None:
        query = query.where(e.series_id == bounds.series_id)
    return [(str(r), int(i), int(s)) for r, i, s in (await session.execute(query)).all()]


async def prizes(session: AsyncSession) -> Sequence[tuple[int, str, int, int, int]]:
    """Every prize with its stock now and its claims (a snapshot: stock has no history)."""
    live = PrizeClaim.status != ClaimStatus.CANCELLED
    handed = PrizeClaim.status == ClaimStatus.HANDED_OVER
    query = (
        select(Prize.id, Prize.title, Prize.stock, _count_if(live), _count_if(handed))
        .outerjoin(PrizeClaim, PrizeClaim.prize_id == Prize.id)
        .group_by(Prize.id, Prize.title, Prize.stock)
        .order_by(Prize.id)
    )
    return [(i, t, s, int(c), int(h)) for i, t, s, c, h in (await session.execute(query)).all()]


async def reach(session: AsyncSession, bounds: Bounds) -> dict[str, int]:
    """Use of the app, by when it happened; signing in belongs to no series."""
    participant = User.role == Role.PARTICIPANT
    # The sign-in ledger, not the tokens: the daily purge deletes expired tokens.
    signed_in = await session.scalar(
        select(func.count(distinct(SignInDay.user_id)))
        .join(User, User.id == SignInDay.user_id)
        .where(participant, *_in_range(SignInDay.first_at, bounds))
    )
    new_accounts = await session.scalar(
        select(func.count(User.id)).where(participant, *_in_range(User.created_at, bounds))
    )
    quiz = (
        select(func.count(distinct(Attempt.user_id)), func.count(Attempt.id))
        .join(Task, Task.id == Attempt.task_id)
        .where(Task.kind == TaskKind.QUIZ, *_in_range(Attempt.started_at, bounds))
    )
    if bounds.series_id is not None:
        quiz = quiz.where(Task.series_id == bounds.series_id)
    quiz_people, quiz_attempts = (await session.execute(quiz)).one()
    return {
        "signed_in_people": int(signed_in or 0),
        "new_accounts": int(new_accounts or 0),
        "quiz_people": int(quiz_people),
        "quiz_attempts": int(quiz_attempts),
    }


async def public_counters(session: AsyncSession, now: datetime) -> dict[str, int]:
    scheduled = Slot.status == SlotStatus.SCHEDULED
    ended = and_(scheduled, Slot.ends_at <= now)
    held = (
        select(
            _count_if(and_(ended, Program.format == ProgramFormat.EXCURSION)),
            _count_if(and_(ended, Program.format == ProgramFormat.MASTER_CLASS)),
            _count_if(and_(scheduled, Slot.starts_at > now)),
            _count_if(and_(scheduled, Slot.starts_at > now), Slot.capacity),
        )
        .select_from(Slot)
        .join(Program, Program.id == Slot.program_id)
    )
    excursions, master_classes, upcoming, seats = (await session.execute(held)).one()
    visitors = await session.scalar(
        select(func.coalesce(func.sum(Registration.party_size), literal(0))).where(
            Registration.attended_at.is_not(None)
        )
    )
    enterprises = await session.scalar(select(func.count(Enterprise.id)))
    return {
        "excursions_held": int(excursions),
        "master_classes_held": int(master_classes),
        "visitors": int(visitors or 0),
        "enterprises": int(enterprises or 0),
        "upcoming_slots": int(upcoming),
        "seats_upcoming": int(seats),
    }
