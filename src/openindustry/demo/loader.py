"""Loads the demo catalog: the December extra series and a past November one."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.catalog.models import AllocationMode
from openindustry.catalog.schemas import (
    EnterpriseCreate,
    IndustryCreate,
    ProgramCreate,
    ProgramRead,
    RegistrationWindowInput,
    SeriesCreate,
    SlotCreate,
    SlotUpdate,
)
from openindustry.catalog.service import CatalogService
from openindustry.config import Settings
from openindustry.demo import data
from openindustry.kit.tx import transaction
from openindustry.quests.demo import load_quest_demo
from openindustry.quests.service import QuestsService
from openindustry.rewards.schemas import PrizeCreate
from openindustry.rewards.service import RewardsService

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


async def load_demo(session: AsyncSession, settings: Settings, *, now: datetime) -> DemoSummary:
    """Fill an empty database with the demo program; one with any catalog data is left untouched.

    The catalog (the December series and a past one), the December quiz and other tasks — half of
    the slots open right now require the quiz, so gating is seen at once — and the prizes.
    """
    catalog = CatalogService(session, settings.tz)
    async with transaction(session):
        summary, december_id, open_now = await _load_catalog(catalog, now=now, tz=settings.tz)
        if not summary.created:
            return summary
        tasks = await load_quest_demo(
            QuestsService(session, settings), now=now, december_series_id=december_id
        )
        for slot_id in open_now[1::2]:
            await catalog.update_slot(slot_id, SlotUpdate(required_tasks=[tasks["quiz"]]))
        rewards = RewardsService(session, settings)
        for prize in data.PRIZES:
            created = await rewards.create_prize(PrizeCreate(**asdict(prize)))
            if created.price_points is None:
                await rewards.announce_prize_draw(created.id)
    return summary


async def _load_catalog(
    catalog: CatalogService, *, now: datetime, tz: ZoneInfo
) -> tuple[DemoSummary, int | None, list[int]]:
    """The catalog part; returns the summary, the December series and the slots open now."""
    if not await catalog.is_empty():
        return DemoSummary(created=False), None, []
    local_now = now.astimezone(tz)
    december_year, november_year = series_years(local_now.date())
    opened = local_now.replace(minute=0, second=0, microsecond=0)
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
    slots, december_id, open_now = 0, None, []
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
        if upcoming:
            december_id = series.id
        ordered = sorted(series_spec.slots, key=lambda s: (s.day, s.start))
        for position, spec_slot in enumerate(ordered):
            window = None
            if upcoming and position < OPEN_NOW:
                window = RegistrationWindowInput(opens_at=opened)
            elif upcoming and spec_slot.lottery:
                window = RegistrationWindowInput(mode=AllocationMode.LOTTERY)
            program = programs[spec_slot.enterprise, spec_slot.program]
            starts_at = datetime.combine(
                date(year, series_spec.month, spec_slot.day), spec_slot.start, tzinfo=tz
            )
            created = await catalog.create_slot(
                SlotCreate(
                    program_id=program.id,
                    series_id=series.id,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(minutes=program.duration_minutes),
                    capacity=spec_slot.capacity,
                    meeting_point=spec_slot.meeting_point,
                    registration=window,
                )
            )
            if upcoming and position < OPEN_NOW:
                open_now.append(created.id)
            slots += 1
    summary = DemoSummary(
        created=True, enterprises=len(data.ENTERPRISES), programs=len(programs), slots=slots
    )
    return summary, december_id, open_now
