"""Statistics use cases: read-only aggregates for the dashboard, its exports and public counters."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.audit.service import AuditService
from openindustry.config import Settings
from openindustry.kit import clock
from openindustry.kit.tx import transaction
from openindustry.stats import repository as repo
from openindustry.stats import rules
from openindustry.stats.errors import InvalidDateRange, UnknownSeries, UnknownTable
from openindustry.stats.exports import TABLES
from openindustry.stats.schemas import (
    AgeRow,
    Attendance,
    Dashboard,
    DayRow,
    FillRow,
    LotteryRow,
    PointsRow,
    PrizeRow,
    PublicStats,
    Reach,
    StatsFilter,
)

_STATUSES = ("applied", "waitlisted", "offered", "confirmed", "cancelled", "expired")


class StatsService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.tz = settings.tz

    async def dashboard(self, filters: StatsFilter) -> Dashboard:
        """Every aggregate for one filter; reads only, in one snapshot transaction."""
        async with transaction(self.session):
            bounds = await self._bounds(filters)
            facts = await repo.slot_facts(self.session, bounds)
            return Dashboard(
                filters=filters,
                by_day=await self._by_day(bounds),
                by_enterprise=_fill(facts, lambda f: (f.enterprise_id, f.enterprise, f.industry)),
                by_industry=_fill(facts, lambda f: (f.industry_id, f.industry, "")),
                lottery=_lottery(facts),
                ages=await self._ages(bounds),
                points=[
                    PointsRow(reason=r, issued=i, spent=s)
                    for r, i, s in await repo.points_by_reason(self.session, bounds)
                ],
                prizes=[
                    PrizeRow(prize_id=i, title=t, stock=s, claimed=c, handed_over=h)
                    for i, t, s, c, h in await repo.prizes(self.session)
                ],
                attendance=_attendance(facts),
                reach=Reach(**await repo.reach(self.session, bounds)),
            )

    async def export_table(self, table: str, filters: StatsFilter, *, actor_id: int) -> bytes:
        """One dashboard table as CSV; the export is written to the audit log (who, which table,
        which filter) in the same transaction."""
        export = TABLES.get(table)
        if export is None:
            raise UnknownTable("Такой таблицы нет.", details={"tables": list(TABLES)})
        async with transaction(self.session):
            body = export(await self.dashboard(filters))
            await AuditService(self.session, self.tz).record(
                actor_id,
                "stats.exported",
                subject_type="series" if filters.series_id else "program",
                subject_id=filters.series_id or 0,
                after={"table": table, "format": "csv", **filters.model_dump(mode="json")},
            )
        return body

    async def public_counters(self) -> PublicStats:
        """The public figures: held slots and checked-in visitors, never app reach."""
        async with transaction(self.session):
            return PublicStats(**await repo.public_counters(self.session, clock.now()))

    async def _bounds(self, filters: StatsFilter) -> repo.Bounds:
        if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
            raise InvalidDateRange("Начальная дата позже конечной.")
        if filters.series_id is not None and not await repo.series_exists(
            self.session, filters.series_id
        ):
            raise UnknownSeries("Такой серии нет.")
        start, end = rules.day_bounds(filters.date_from, filters.date_to, self.tz)
        return repo.Bounds(filters.series_id, start, end)

    async def _by_day(self, bounds: repo.Bounds) -> list[DayRow]:
        days: dict[date, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for day, slots, seats in await repo.slot_days(self.session, bounds, self.tz):
            days[day]["slots"] += slots
            days[day]["seats_offered"] += seats
        for day, status, count in await repo.registration_days(self.session, bounds, self.tz):
            days[day][status] += count
            days[day]["registrations"] += count
        return [
            DayRow(
                day=day,
                slots=v["slots"],
                seats_offered=v["seats_offered"],
                registrations=v["registrations"],
                **{s: v[s] for s in _STATUSES},
            )
            for day, v in sorted(days.items())
        ]

    async def _ages(self, bounds: repo.Bounds) -> list[AgeRow]:
        participants: dict[str, int] = defaultdict(int)
        companions: dict[str, int] = defaultdict(int)
        for starts_at, birth_date, kept_group, party in await repo.audience(self.session, bounds):
            day = starts_at.astimezone(self.tz).date()
            # A deleted account left its age group on the registration instead of a birth date.
            participants[kept_group or rules.age_group(birth_date, day)] += 1
            for member in party:
                born = member.get("birth_date")
                companions[rules.age_group(date.fromisoformat(born) if born else None, day)] += 1
        return [
            AgeRow(
                group=g,
                participants=participants[g],
                companions=companions[g],
                people=participants[g] + companions[g],
            )
            for g in rules.AGE_GROUP_LABELS
        ]


def _fill(
    facts: Iterable[repo.SlotFacts], key: Callable[[repo.SlotFacts], tuple[int, str, str]]
) -> list[FillRow]:
    groups: dict[tuple[int, str, str], list[repo.SlotFacts]] = defaultdict(list)
    for fact in facts:
        groups[key(fact)].append(fact)
    rows = []
    for (ident, name, industry), members in groups.items():
        capacity = sum(f.capacity for f in members)
        confirmed = sum(f.confirmed_people for f in members)
        attended = sum(f.attended_people for f in members)
        no_show = sum(f.no_show_people for f in members)
        rows.append(
            FillRow(
                id=ident,
                name=name,
                industry=industry,
                slots=len(members),
                capacity=capacity,
                confirmed_parties=sum(f.confirmed_parties for f in members),
                confirmed_people=confirmed,
                fill_rate=rules.rate(confirmed, capacity),
                attended_parties=sum(f.attended_parties for f in members),
                attended_people=attended,
                attendance_rate=rules.rate(attended, confirmed),
                no_show_parties=sum(f.no_show_parties for f in members),
                no_show_people=no_show,
                no_show_rate=rules.rate(no_show, confirmed),
            )
        )
    return sorted(rows, key=lambda r: r.name)


def _lottery(facts: Iterable[repo.SlotFacts]) -> list[LotteryRow]:
    # Every registration on a lottery slot was an application, whatever became of it after the draw.
    return [
        LotteryRow(
            slot_id=f.slot_id,
            starts_at=f.starts_at,
            enterprise=f.enterprise,
            program=f.program,
            capacity=f.capacity,
            applicant_parties=f.applicant_parties,
            applicant_people=f.applicant_people,
            parties_per_seat=rules.rate(f.applicant_parties, f.capacity),
            people_per_seat=rules.rate(f.applicant_people, f.capacity),
        )
        for f in facts
        if f.lottery
    ]


def _attendance(facts: Iterable[repo.SlotFacts]) -> Attendance:
    facts = list(facts)
    parties = sum(f.attended_parties for f in facts)
    people = sum(f.attended_people for f in facts)
    return Attendance(
        people=people, parties=parties, participants=parties, companions=people - parties
    )
