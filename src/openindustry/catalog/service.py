"""Catalog use cases. Each public method is one transaction; adapters call nothing below this."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.audit.service import AuditService, changed
from openindustry.catalog import repository as repo
from openindustry.catalog import rules
from openindustry.catalog._cache import (
    ProgramFacts,
    SeriesFacts,
    catalog_cache,
    has_uncommitted_edit,
)
from openindustry.catalog.errors import (
    CapacityBelowTaken,
    EnterpriseNotFound,
    IndustryNotFound,
    InvalidDateRange,
    InvalidTimeRange,
    ProgramNotFound,
    SeriesNotFound,
    SlotNotFound,
    SlotOverlap,
    SlugTaken,
)
from openindustry.catalog.models import Enterprise, Industry, Program, Series, Slot
from openindustry.catalog.schemas import (
    BulkScheduleResult,
    BulkSlotRead,
    EnterpriseCreate,
    EnterpriseRead,
    EnterpriseUpdate,
    IndustryCreate,
    IndustryRead,
    Page,
    ProgramCreate,
    ProgramRead,
    ProgramUpdate,
    PublicCounters,
    RegistrationInfo,
    SeriesCreate,
    SeriesRead,
    SeriesUpdate,
    SlotBulkCreate,
    SlotCreate,
    SlotFilter,
    SlotRead,
    SlotRequirements,
    SlotUpdate,
)
from openindustry.kit import clock
from openindustry.kit.tx import transaction

_SAME_START_MARKS = ("uq_slot_program_scheduled_start", "slot.program_id, slot.starts_at")


class CatalogService:
    def __init__(self, session: AsyncSession, tz: ZoneInfo) -> None:
        self.session = session
        self.tz = tz

    # Reading ------------------------------------------------------------------------------------

    async def industries(self) -> list[IndustryRead]:
        async with transaction(self.session):
            return [IndustryRead.model_validate(i) for i in await repo.industries(self.session)]

    async def enterprises(
        self, *, industry: str | None = None, q: str | None = None, limit: int = 50, offset: int = 0
    ) -> Page[EnterpriseRead]:
        needle = rules.normalize_search_text(q) or None
        async with transaction(self.session):
            rows, total = await repo.enterprise_rows(
                self.session, industry=industry, q=needle, limit=limit, offset=offset
            )
        items = [_enterprise_read(e, i) for e, i in rows]
        return Page(items=items, total=total, limit=limit, offset=offset)

    async def enterprise(self, enterprise_id: int) -> EnterpriseRead:
        database, generation = self._cache_scope()
        cached = catalog_cache.read(database, "enterprise", enterprise_id) if database else None
        if isinstance(cached, EnterpriseRead):
            return cached
        async with transaction(self.session):
            row = await repo.enterprise_row(self.session, enterprise_id=enterprise_id)
        if row is None:
            raise EnterpriseNotFound("Предприятие не найдено.")
        read = _enterprise_read(*row)
        if database:
            catalog_cache.keep_read(generation, database, "enterprise", enterprise_id, read)
        return read

    async def enterprise_by_slug(self, slug: str) -> EnterpriseRead:
        async with transaction(self.session):
            row = await repo.enterprise_row(self.session, slug=slug)
        if row is None:
            raise EnterpriseNotFound("Предприятие не найдено.")
        return _enterprise_read(*row)

    async def programs(
        self,
        *,
        enterprise_id: int | None = None,
        industry: str | None = None,
        format: str | None = None,
        age: int | None = None,
        q: str | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[ProgramRead]:
        needle = rules.normalize_search_text(q) or None
        async with transaction(self.session):
            rows, total = await repo.program_rows(
                self.session,
                enterprise_id=enterprise_id,
                industry=industry,
                format=format,  # type: ignore[arg-type]
                age=age,
                q=needle,
                limit=limit,
                offset=offset,
            )
        items = [_program_read(p, e, i) for p, e, i in rows]
        return Page(items=items, total=total, limit=limit, offset=offset)

    async def program(self, program_id: int) -> ProgramRead:
        database, generation = self._cache_scope()
        cached = catalog_cache.read(database, "program", program_id) if database else None
        if isinstance(cached, ProgramRead):
            return cached
        async with transaction(self.session):
            row = await repo.program_row(self.session, program_id)
        if row is None:
            raise ProgramNotFound("Программа не найдена.")
        read = _program_read(*row)
        if database:
            catalog_cache.keep_read(generation, database, "program", program_id, read)
        return read

    def _cache_scope(self) -> tuple[str, int]:
        """Which database the per-process cache is keyed by ("" when it must not be used: this
        session holds an uncommitted catalog edit, which it must see), and its generation."""
        if has_uncommitted_edit(self.session.sync_session):
            return "", catalog_cache.generation
        return str(self.session.get_bind().engine.url), catalog_cache.generation

    async def slots(self, filters: SlotFilter) -> Page[SlotRead]:
        """Slots matching the filters; without a start date, only those not yet over."""
        if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
            raise InvalidDateRange("Дата «по» раньше даты «с».")
        now = clock.now()
        async with transaction(self.session):
            rows, total = await repo.slot_rows(
                self.session,
                starts_from=self._day_start(filters.date_from),
                starts_before=self._day_start(filters.date_to, days_after=1),
                ends_after=None if filters.date_from else now,
                industry=filters.industry,
                format=filters.format,
                age=filters.age,
                available=filters.available,
                q=rules.normalize_search_text(filters.q) or None,
                enterprise_id=filters.enterprise_id,
                program_id=filters.program_id,
                series_id=filters.series_id,
                include_cancelled=False,
                limit=filters.limit,
                offset=filters.offset,
            )
            items = await self._slot_reads(rows, now)
        return Page(items=items, total=total, limit=filters.limit, offset=filters.offset)

    async def slot(self, slot_id: int) -> SlotRead:
        async with transaction(self.session):
            row = await repo.slot_facts(self.session, slot_id)
            if row is None:
                raise SlotNotFound("Экскурсия не найдена.")
            (read,) = await self._slot_reads([row], clock.now())
        return read

    async def current_series(self) -> SeriesRead | None:
        """The series running now, else the next one to start."""
        today = clock.now().astimezone(self.tz).date()
        async with transaction(self.session):
            series = await repo.current_series(self.session, today)
        return SeriesRead.model_validate(series) if series else None

    async def series(self, series_id: int) -> SeriesRead:
        async with transaction(self.session):
            series = await self.session.get(Series, series_id)
        if series is None:
            raise SeriesNotFound("Серия не найдена.")
        return SeriesRead.model_validate(series)

    async def counters(self) -> PublicCounters:
        async with transaction(self.session):
            return PublicCounters(**await repo.counters(self.session, clock.now()))

    async def is_empty(self) -> bool:
        async with transaction(self.session):
            return await repo.is_empty(self.session)

    # Writing ------------------------------------------------------------------------------------

    async def create_industry(self, data: IndustryCreate) -> IndustryRead:
        async with transaction(self.session):
            industry = Industry(**data.model_dump())
            await self._insert_unique(industry, SlugTaken("Такая отрасль уже есть."))
            return IndustryRead.model_validate(industry)

    async def create_enterprise(
        self, data: EnterpriseCreate, *, actor_id: int | None = None
    ) -> EnterpriseRead:
        async with transaction(self.session):
            industry = await repo.industry_by_slug(self.session, data.industry)
            if industry is None:
                raise IndustryNotFound("Нет такой отрасли.")
            enterprise = Enterprise(
                **data.model_dump(exclude={"industry"}), industry_id=industry.id
            )
            await self._insert_unique(
                enterprise, SlugTaken("Предприятие с таким адресом страницы уже есть.")
            )
            created = _enterprise_read(enterprise, industry)
            await self._audit(actor_id, "enterprise.created", "enterprise", enterprise.id, created)
            return created

    async def create_program(
        self, data: ProgramCreate, *, actor_id: int | None = None
    ) -> ProgramRead:
        async with transaction(self.session):
            row = await repo.enterprise_row(self.session, enterprise_id=data.enterprise_id)
            if row is None:
                raise EnterpriseNotFound("Предприятие не найдено.")
            enterprise, industry = row
            program = Program(**data.model_dump())
            program.search_text = _search_text(program, enterprise, industry)
            self.session.add(program)
            await self.session.flush()
            created = _program_read(program, enterprise, industry)
            await self._audit(actor_id, "program.created", "program", program.id, created)
            return created

    async def create_series(self, data: SeriesCreate, *, actor_id: int | None = None) -> SeriesRead:
        async with transaction(self.session):
            series = Series(**data.model_dump())
            self.session.add(series)
            await self.session.flush()
            created = SeriesRead.model_validate(series)
            await self._audit(actor_id, "series.created", "series", series.id, created)
            return created

    async def update_enterprise(
        self, enterprise_id: int, data: EnterpriseUpdate, *, actor_id: int | None = None
    ) -> EnterpriseRead:
        """Change the fields sent; its programs' search text follows the new names."""
        async with transaction(self.session):
            row = await repo.enterprise_row(self.session, enterprise_id=enterprise_id)
            if row is None:
                raise EnterpriseNotFound("Предприятие не найдено.")
            enterprise, industry = row
            before = _enterprise_read(enterprise, industry)
            fields = data.model_dump(exclude_unset=True)
            slug = fields.pop("industry", None)
            if slug is not None and slug != industry.slug:
                found = await repo.industry_by_slug(self.session, slug)
                if found is None:
                    raise IndustryNotFound("Нет такой отрасли.")
                industry = found
                enterprise.industry_id = industry.id
            for name, value in fields.items():
                if value is None and name in _REQUIRED_ENTERPRISE_FIELDS:
                    continue
                setattr(enterprise, name, value)
            await self._flush_unique(SlugTaken("Предприятие с таким адресом страницы уже есть."))
            for program in await repo.programs_of_enterprise(self.session, enterprise.id):
                program.search_text = _search_text(program, enterprise, industry)
            await self.session.flush()
            after = _enterprise_read(enterprise, industry)
            await self._audit_change(
                actor_id, "enterprise.updated", "enterprise", enterprise.id, before, after
            )
            return after

    async def update_program(
        self, program_id: int, data: ProgramUpdate, *, actor_id: int | None = None
    ) -> ProgramRead:
        """Change the fields sent and keep the search text in step with them."""
        async with transaction(self.session):
            row = await repo.program_row(self.session, program_id)
            if row is None:
                raise ProgramNotFound("Программа не найдена.")
            program, enterprise, industry = row
            before = _program_read(program, enterprise, industry)
            for name, value in data.model_dump(exclude_unset=True).items():
                if value is None and name != "accessibility_notes":
                    continue
                setattr(program, name, value)
            program.search_text = _search_text(program, enterprise, industry)
            await self.session.flush()
            after = _program_read(program, enterprise, industry)
            await self._audit_change(
                actor_id, "program.updated", "program", program.id, before, after
            )
            return after

    async def update_series(
        self, series_id: int, data: SeriesUpdate, *, actor_id: int | None = None
    ) -> SeriesRead:
        """Change the fields sent; the dates stay in order."""
        async with transaction(self.session):
            series = await self.session.get(Series, series_id)
            if series is None:
                raise SeriesNotFound("Серия не найдена.")
            before = SeriesRead.model_validate(series)
            for name, value in data.model_dump(exclude_unset=True).items():
                if value is None and name not in {"max_active_registrations"}:
                    continue
                setattr(series, name, value)
            if series.ends_on < series.starts_on:
                raise InvalidDateRange("Дата окончания раньше даты начала.")
            await self.session.flush()
            after = SeriesRead.model_validate(series)
            await self._audit_change(actor_id, "series.updated", "series", series.id, before, after)
            return after

    async def series_list(self) -> list[SeriesRead]:
        async with transaction(self.session):
            return [SeriesRead.model_validate(s) for s in await repo.series_list(self.session)]

    async def bulk_schedule(
        self, data: SlotBulkCreate, *, actor_id: int | None = None
    ) -> BulkScheduleResult:
        """Plan dates × weekdays × times; unless a preview, create them all or none."""
        async with transaction(self.session):
            row = await repo.program_row(self.session, data.program_id)
            if row is None:
                raise ProgramNotFound("Программа не найдена.")
            program = row[0]
            if (
                data.series_id is not None
                and await self.session.get(Series, data.series_id) is None
            ):
                raise SeriesNotFound("Серия не найдена.")
            if data.date_to < data.date_from:
                raise InvalidDateRange("Дата «по» раньше даты «с».")
            existing = await repo.program_slot_intervals(
                self.session,
                program.id,
                starts_before=datetime.combine(
                    data.date_to + timedelta(days=2), time(0), tzinfo=self.tz
                ),
                ends_after=datetime.combine(
                    data.date_from - timedelta(days=1), time(0), tzinfo=self.tz
                ),
            )
            planned = rules.plan_slots(
                date_from=data.date_from,
                date_to=data.date_to,
                weekdays=data.weekdays,
                times=data.times,
                duration_minutes=program.duration_minutes,
                tz=self.tz,
                now=clock.now(),
                existing=existing,
            )
            ids: list[int | None] = [None] * len(planned)
            if not data.preview:
                slots = [
                    Slot(
                        program_id=program.id,
                        series_id=data.series_id,
                        starts_at=p.starts_at,
                        ends_at=p.ends_at,
                        capacity=data.capacity,
                        meeting_point=data.meeting_point,
                        required_tasks=[],
                    )
                    for p in planned
                ]
                self.session.add_all(slots)
                await self._flush_unique_start()
                ids = [s.id for s in slots]
                await AuditService(self.session, self.tz).record(
                    actor_id,
                    "slot.bulk_created",
                    subject_type="program",
                    subject_id=program.id,
                    after={
                        "count": len(slots),
                        "slot_ids": ids,
                        "series_id": data.series_id,
                        "capacity": data.capacity,
                    },
                )
            return BulkScheduleResult(
                preview=data.preview,
                count=len(planned),
                program_id=program.id,
                program_title=program.title,
                series_id=data.series_id,
                slots=[
                    BulkSlotRead(
                        id=slot_id,
                        starts_at=p.starts_at.astimezone(self.tz),
                        ends_at=p.ends_at.astimezone(self.tz),
                        weekday=p.starts_at.astimezone(self.tz).weekday(),
                    )
                    for p, slot_id in zip(planned, ids, strict=True)
                ],
            )

    async def _audit(
        self, actor_id: int | None, action: str, subject: str, subject_id: int, after: BaseModel
    ) -> None:
        if actor_id is None:
            # Seeding and the CLI act as nobody in particular; staff changes always have an actor.
            return
        await AuditService(self.session, self.tz).record(
            actor_id, action, subject_type=subject, subject_id=subject_id, after=after.model_dump()
        )

    async def _audit_change(
        self,
        actor_id: int | None,
        action: str,
        subject: str,
        subject_id: int,
        before: BaseModel,
        after: BaseModel,
    ) -> None:
        was, now = changed(before.model_dump(), after.model_dump())
        await AuditService(self.session, self.tz).record(
            actor_id, action, subject_type=subject, subject_id=subject_id, before=was, after=now
        )

    async def _flush_unique(self, taken: SlugTaken) -> None:
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise taken from exc

    async def create_slot(self, data: SlotCreate, *, actor_id: int | None = None) -> SlotRead:
        """Schedule a program; the window comes from the series unless the slot overrides it."""
        if data.ends_at <= data.starts_at:
            raise InvalidTimeRange("Окончание должно быть позже начала.")
        window = data.registration
        if window and window.opens_at and window.closes_at and window.closes_at <= window.opens_at:
            raise InvalidTimeRange("Запись должна закрываться позже, чем открывается.")
        async with transaction(self.session):
            if await self.session.get(Program, data.program_id) is None:
                raise ProgramNotFound("Программа не найдена.")
            if (
                data.series_id is not None
                and await self.session.get(Series, data.series_id) is None
            ):
                raise SeriesNotFound("Серия не найдена.")
            slot = Slot(
                program_id=data.program_id,
                series_id=data.series_id,
                starts_at=data.starts_at,
                ends_at=data.ends_at,
                capacity=data.capacity,
                meeting_point=data.meeting_point,
                registration_mode=window.mode if window else None,
                registration_opens_at=window.opens_at if window else None,
                registration_closes_at=window.closes_at if window else None,
                required_tasks=data.required_tasks,
            )
            self.session.add(slot)
            await self._flush_unique_start()
            created = await self.slot(slot.id)
            await AuditService(self.session, self.tz).record(
                actor_id,
                "slot.created",
                subject_type="slot",
                subject_id=slot.id,
                after=audit_fields(created),
            )
            return created

    async def _flush_unique_start(self) -> None:
        # One scheduled slot per program and start (a partial unique index): a run that lost
        # the race to a twin gets the scheduler's own refusal, not a database error.
        try:
            await self.session.flush()
        except IntegrityError as exc:
            found = str(exc.orig)
            # PostgreSQL names the index; SQLite names its columns.
            if not any(mark in found for mark in _SAME_START_MARKS):
                raise
            raise SlotOverlap(
                "В это время у программы уже есть экскурсия. Обновите расписание.",
                details={"reason": "same_start"},
            ) from exc

    async def _insert_unique(self, row: object, taken: SlugTaken) -> None:
        # The unique constraint decides, so two organizers saving the same slug at once get a
        # clean refusal instead of a race.
        self.session.add(row)
        try:
            await self.session.flush()
        except IntegrityError as exc:
            raise taken from exc

    async def update_slot(self, slot_id: int, data: SlotUpdate) -> SlotRead:
        """Change times, meeting point, status or window; capacity only via `set_capacity`."""
        async with transaction(self.session):
            slot = await self.session.get(Slot, slot_id)
            if slot is None:
                raise SlotNotFound("Экскурсия не найдена.")
            fields = data.model_dump(exclude_unset=True, exclude={"capacity", "registration"})
            for name, value in fields.items():
                if value is not None:
                    setattr(slot, name, value)
            if data.registration is not None:
                window = data.registration
                slot.registration_mode = window.mode
                slot.registration_opens_at = window.opens_at
                slot.registration_closes_at = window.closes_at
            if slot.ends_at <= slot.starts_at:
                raise InvalidTimeRange("Окончание должно быть позже начала.")
            await self._flush_unique_start()
            return await self.slot(slot_id)

    async def set_capacity(self, slot_id: int, capacity: int) -> None:
        """Change capacity; never below the seats already taken (the database agrees)."""
        async with transaction(self.session):
            if not await repo.set_capacity(self.session, slot_id, capacity):
                if await self.session.get(Slot, slot_id) is None:
                    raise SlotNotFound("Экскурсия не найдена.")
                raise CapacityBelowTaken(
                    "Мест не может быть меньше, чем уже занято. Сначала отмените часть записей."
                )

    async def take_seats(self, slot_id: int, seats: int) -> bool:
        """Take seats if they are free: one conditional UPDATE, so two requests never share one."""
        async with transaction(self.session):
            return await repo.take_seats(self.session, slot_id, seats)

    async def release_seats(self, slot_id: int, seats: int) -> None:
        async with transaction(self.session):
            await repo.release_seats(self.session, slot_id, seats)

    # Mapping ------------------------------------------------------------------------------------

    def _day_start(self, day: date | None, *, days_after: int = 0) -> datetime | None:
        if day is None:
            return None
        return datetime.combine(day + timedelta(days=days_after), time(0), tzinfo=self.tz)

    async def _slot_reads(self, rows: Sequence[repo.AnyRow], now: datetime) -> list[SlotRead]:
        """Slots as shown: each slot's own row (read fresh) with its program's and series' facts
        (from the per-process cache, loaded for the ones missing)."""
        cache = catalog_cache
        database, generation = self._cache_scope()
        use_cache = bool(database)
        programs: dict[int, ProgramFacts] = {}
        series: dict[int, SeriesFacts] = {}
        if use_cache:
            for row in rows:
                program = cache.program(database, row.program_id)
                if program is not None:
                    programs[row.program_id] = program
                one = cache.one_series(database, row.series_id) if row.series_id else None
                if one is not None:
                    series[row.series_id] = one
        missing_programs = {r.program_id for r in rows} - programs.keys()
        missing_series = {r.series_id for r in rows if r.series_id is not None} - series.keys()
        loaded_programs = (
            [
                ProgramFacts(**r._asdict())
                for r in await repo.program_facts(self.session, sorted(missing_programs))
            ]
            if missing_programs
            else []
        )
        loaded_series = (
            [
                SeriesFacts(**{**r._asdict(), "required_tasks": tuple(r.required_tasks or ())})
                for r in await repo.series_facts(self.session, sorted(missing_series))
            ]
            if missing_series
            else []
        )
        programs.update((p.program_id, p) for p in loaded_programs)
        series.update((s.series_id, s) for s in loaded_series)
        if use_cache and (loaded_programs or loaded_series):
            cache.keep(generation, database, loaded_programs, loaded_series)
        return [
            self._slot_read(
                row,
                programs[row.program_id],
                series.get(row.series_id) if row.series_id is not None else None,
                now,
            )
            for row in rows
        ]

    def window(self, slot: Any, series: SeriesFacts | None) -> rules.Window:
        """The window of `slot` (a slot row or object: its start and its own window columns)."""
        policy = (
            rules.WindowPolicy(
                opens_days_before=series.opens_days_before,
                opens_at_time=series.opens_at_time,
                closes_hours_before=series.closes_hours_before,
                mode=series.allocation_mode,
            )
            if series
            else rules.WindowPolicy()
        )
        return rules.registration_window(
            slot.starts_at,
            policy,
            self.tz,
            opens_at=slot.registration_opens_at,
            closes_at=slot.registration_closes_at,
            mode=slot.registration_mode,
        )

    def _slot_read(
        self, slot: Any, program: ProgramFacts, series: SeriesFacts | None, now: datetime
    ) -> SlotRead:
        window = self.window(slot, series)
        seats_left = max(slot.capacity - slot.seats_taken, 0)
        local = self.tz
        return SlotRead(
            id=slot.id,
            program_id=program.program_id,
            enterprise_id=program.enterprise_id,
            series_id=slot.series_id,
            title=program.title,
            enterprise_name=program.enterprise_name,
            enterprise_slug=program.enterprise_slug,
            industry=program.industry,
            format=program.format,
            starts_at=slot.starts_at.astimezone(local),
            ends_at=slot.ends_at.astimezone(local),
            capacity=slot.capacity,
            seats_left=seats_left,
            age_rating=program.age_rating,
            meeting_point=slot.meeting_point,
            address=program.address,
            status=slot.status,
            registration=RegistrationInfo(
                state=rules.registration_state(
                    window, now=now, seats_left=seats_left, status=slot.status
                ),
                mode=window.mode,
                opens_at=window.opens_at.astimezone(local),
                closes_at=window.closes_at.astimezone(local),
                max_active_registrations=series.max_active_registrations if series else None,
                waitlist_confirms_directly=bool(series and series.waitlist_confirms_directly),
            ),
            requirements=SlotRequirements(
                id_document=program.requires_id_document, min_age=program.min_age
            ),
            # The series' tasks and the slot's own, each once, in the order they were set.
            required_tasks=list(
                dict.fromkeys([*(series.required_tasks if series else ()), *slot.required_tasks])
            ),
        )


_REQUIRED_ENTERPRISE_FIELDS = frozenset(
    {"slug", "name", "short_description", "description", "address", "requires_id_document"}
)


def _search_text(program: Program, enterprise: Enterprise, industry: Industry) -> str:
    return rules.normalize_search_text(
        program.title,
        program.description,
        " ".join(program.audience_tags or []),
        enterprise.name,
        enterprise.short_description,
        enterprise.description,
        industry.name,
        industry.name_en,
    )


def _enterprise_read(enterprise: Enterprise, industry: Industry) -> EnterpriseRead:
    return EnterpriseRead(
        id=enterprise.id,
        slug=enterprise.slug,
        name=enterprise.name,
        industry=IndustryRead.model_validate(industry),
        short_description=enterprise.short_description,
        description=enterprise.description,
        address=enterprise.address,
        metro=enterprise.metro,
        latitude=enterprise.latitude,
        longitude=enterprise.longitude,
        requires_id_document=enterprise.requires_id_document,
        min_age=enterprise.min_age,
        website=enterprise.website,
    )


def _program_read(program: Program, enterprise: Enterprise, industry: Industry) -> ProgramRead:
    return ProgramRead(
        id=program.id,
        enterprise_id=enterprise.id,
        enterprise_name=enterprise.name,
        enterprise_slug=enterprise.slug,
        industry=industry.slug,
        title=program.title,
        format=program.format,
        description=program.description,
        duration_minutes=program.duration_minutes,
        age_rating=program.age_rating,
        audience_tags=list(program.audience_tags or []),
        accessibility_notes=program.accessibility_notes,
    )


AUDITED_SLOT_FIELDS = frozenset(
    {
        "program_id",
        "series_id",
        "starts_at",
        "ends_at",
        "capacity",
        "meeting_point",
        "status",
        "required_tasks",
    }
)


def audit_fields(slot: SlotRead) -> dict[str, object]:
    """The slot fields an organizer changes, for the audit log."""
    fields = slot.model_dump(include=set(AUDITED_SLOT_FIELDS))
    fields["registration"] = slot.registration.model_dump(include={"mode", "opens_at", "closes_at"})
    return fields
