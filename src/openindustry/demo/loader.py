"""Loads the demo catalog: the December extra series and a past November one."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from openindustry.catalog.models import AllocationMode
from openindustry.catalog.schemas import (
    EnterpriseCreate,
    IndustryCreate,
    ProgramCreate,
    ProgramRead,
    RegistrationWindowInput,
    SeriesCreate,
    SlotCreate,
)
from openindustry.catalog.service import CatalogService
from openindustry.demo import data
from openindustry.kit.tx import transaction

# The earliest December tours open for registration at once, so a newcomer can book right away.
OPEN_NOW = 8


@dataclass(frozen=True)
class DemoSummary:
    created: bool
    enterprises: int = 0
    programs: int = 0
    slots: int = 0


def series_years(today: date) -> tuple[int, int]:
    """The coming December (still coming up to its 10th) and the latest November fully past."""
    december = today.year if today <= date(today.year, 12, 10) else today.year + 1
    november = today.year if today.month == 12 else today.year - 1
    return december, november


async def load_demo(catalog: CatalogService, *, now: datetime, tz: ZoneInfo) -> DemoSummary:
    """Fill an empty catalog with the demo program; a catalog with any data is left untouched."""
    local_now = now.astimezone(tz)
    december_year, november_year = series_years(local_now.date())
    opened = local_now.replace(minute=0, second=0, microsecond=0)
    # One transaction for the whole load: the service calls join it, so a failure leaves the
    # catalog empty and a retry starts over instead of finding half a demo.
    async with transaction(catalog.session):
        if not await catalog.is_empty():
            return DemoSummary(created=False)
        for industry in data.INDUSTRIES:
            await catalog.create_industry(IndustryCreate(**asdict(industry)))
        programs: dict[tuple[str, int], ProgramRead] = {}
        for spec in data.ENTERPRISES:
            enterprise = await catalog.create_enterprise(
                EnterpriseCreate.model_validate(spec, from_attributes=True)
            )
            for index, program_spec in enumerate(spec.programs):
                programs[spec.slug, index] = await catalog.create_program(
                    ProgramCreate(enterprise_id=enterprise.id, **asdict(program_spec))
                )
        slots = 0
        for series_spec, year in (
            (data.DECEMBER_SERIES, december_year),
            (data.NOVEMBER_SERIES, november_year),
        ):
            series = await catalog.create_series(
                SeriesCreate(
                    title=series_spec.title,
                    description=series_spec.description,
                    starts_on=date(year, series_spec.month, series_spec.first_day),
                    ends_on=date(year, series_spec.month, series_spec.last_day),
                    opens_days_before=series_spec.opens_days_before,
                    opens_at_time=series_spec.opens_at_time,
                    closes_hours_before=series_spec.closes_hours_before,
                    allocation_mode=series_spec.allocation_mode,
                    max_active_registrations=series_spec.max_active_registrations,
                )
            )
            upcoming = series_spec is data.DECEMBER_SERIES
            ordered = sorted(series_spec.slots, key=lambda s: (s.day, s.start))
            for position, slot in enumerate(ordered):
                window = None
                if upcoming and position < OPEN_NOW:
                    window = RegistrationWindowInput(opens_at=opened)
                elif upcoming and slot.lottery:
                    window = RegistrationWindowInput(mode=AllocationMode.LOTTERY)
                program = programs[slot.enterprise, slot.program]
                starts_at = datetime.combine(
                    date(year, series_spec.month, slot.day), slot.start, tzinfo=tz
                )
                await catalog.create_slot(
                    SlotCreate(
                        program_id=program.id,
                        series_id=series.id,
                        starts_at=starts_at,
                        ends_at=starts_at + timedelta(minutes=program.duration_minutes),
                        capacity=slot.capacity,
                        meeting_point=slot.meeting_point,
                        registration=window,
                    )
                )
                slots += 1
    return DemoSummary(
        created=True, enterprises=len(data.ENTERPRISES), programs=len(programs), slots=slots
    )
