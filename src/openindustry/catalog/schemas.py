"""Catalog data shapes: what services accept and return, and what the JSON API shows."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Generic, TypeVar

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from openindustry.catalog.models import AGE_RATINGS, AllocationMode, ProgramFormat, SlotStatus
from openindustry.catalog.rules import RegistrationState
from openindustry.kit.types import DbId

T = TypeVar("T")

Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$", min_length=2, max_length=80)]
Text = Annotated[str, Field(max_length=20_000)]
# A wall-clock time in the program's time zone, shown without an offset ("10:00:00"), which JSON
# Schema's `time` format (RFC 3339, offset required) would refuse.
LocalTime = Annotated[
    time,
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?$",
            "description": "Local time in the program's time zone, without an offset",
        }
    ),
]
# The same, as given by a client: an offset, if any, is dropped (it used to be echoed back once
# and lost in the database).
LocalTimeInput = Annotated[
    time,
    AfterValidator(lambda value: value.replace(tzinfo=None)),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?"
            r"(Z|[+-][0-9]{2}:?[0-9]{2})?$",
            "description": "Local time in the program's time zone; an offset is ignored",
        }
    ),
]


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class IndustryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    slug: str
    name: str
    name_en: str


class IndustryCreate(BaseModel):
    slug: Slug
    name: str = Field(min_length=1, max_length=120)
    name_en: str = Field(min_length=1, max_length=120)


class EnterpriseCreate(BaseModel):
    slug: Slug
    name: str = Field(min_length=1, max_length=200)
    industry: Slug
    short_description: str = Field(min_length=1, max_length=300)
    description: Text = ""
    address: str = Field(min_length=1, max_length=300)
    metro: str | None = Field(default=None, max_length=120)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    requires_id_document: bool = False
    min_age: int | None = Field(default=None, ge=0, le=21)
    website: str | None = Field(default=None, max_length=300)


class EnterpriseRead(BaseModel):
    id: int
    slug: str
    name: str
    industry: IndustryRead
    short_description: str
    description: str
    address: str
    metro: str | None
    latitude: float | None
    longitude: float | None
    requires_id_document: bool
    min_age: int | None
    website: str | None


class ProgramCreate(BaseModel):
    enterprise_id: DbId
    title: str = Field(min_length=1, max_length=200)
    format: ProgramFormat
    description: Text = ""
    duration_minutes: int = Field(gt=0, le=24 * 60)
    age_rating: int = 0
    audience_tags: list[Annotated[str, Field(max_length=40)]] = Field(
        default_factory=list, max_length=20
    )
    accessibility_notes: str | None = Field(default=None, max_length=2000)

    @field_validator("age_rating")
    @classmethod
    def _known_rating(cls, value: int) -> int:
        if value not in AGE_RATINGS:
            raise ValueError(f"age_rating must be one of {AGE_RATINGS}")
        return value


class ProgramRead(BaseModel):
    id: int
    enterprise_id: int
    enterprise_name: str
    enterprise_slug: str
    industry: str
    title: str
    format: ProgramFormat
    description: str
    duration_minutes: int
    age_rating: int
    audience_tags: list[str]
    accessibility_notes: str | None


class SeriesCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: Text = ""
    starts_on: date
    ends_on: date
    opens_days_before: int = Field(default=3, ge=0, le=60)
    opens_at_time: LocalTimeInput = time(10, 0)
    closes_hours_before: int = Field(default=24, ge=0, le=24 * 30)
    allocation_mode: AllocationMode = AllocationMode.FCFS
    max_active_registrations: int | None = Field(default=None, ge=1, le=100)
    waitlist_confirms_directly: bool = False
    required_tasks: list[DbId] = Field(default_factory=list, max_length=20)

    @model_validator(mode="after")
    def _ordered(self) -> SeriesCreate:
        if self.ends_on < self.starts_on:
            raise ValueError("ends_on must not be before starts_on")
        return self


class SeriesRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    description: str
    starts_on: date
    ends_on: date
    opens_days_before: int
    opens_at_time: LocalTime
    closes_hours_before: int
    allocation_mode: AllocationMode
    max_active_registrations: int | None
    waitlist_confirms_directly: bool
    required_tasks: list[int]


class RegistrationWindowInput(BaseModel):
    mode: AllocationMode | None = None
    opens_at: AwareDatetime | None = None
    closes_at: AwareDatetime | None = None


class SlotCreate(BaseModel):
    program_id: DbId
    series_id: DbId | None = None
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    capacity: int = Field(ge=0, le=10_000)
    meeting_point: str | None = Field(default=None, max_length=300)
    registration: RegistrationWindowInput | None = None
    required_tasks: list[DbId] = Field(default_factory=list, max_length=20)


class RegistrationInfo(BaseModel):
    state: RegistrationState
    mode: AllocationMode
    opens_at: datetime
    closes_at: datetime
    # The series' cap on one person's active registrations, and whether freed seats go straight
    # to the next waiting party instead of being offered.
    max_active_registrations: int | None = None
    waitlist_confirms_directly: bool = False


class SlotRequirements(BaseModel):
    """What the enterprise asks of visitors: ID data in advance (secure sites), a minimum age."""

    id_document: bool
    min_age: int | None


class SlotRead(BaseModel):
    id: int
    program_id: int
    enterprise_id: int
    series_id: int | None
    title: str
    enterprise_name: str
    enterprise_slug: str
    industry: str
    format: ProgramFormat
    starts_at: datetime
    ends_at: datetime
    capacity: int
    seats_left: int
    age_rating: int
    meeting_point: str | None
    address: str
    status: SlotStatus
    registration: RegistrationInfo
    requirements: SlotRequirements
    required_tasks: list[int]


class SlotUpdate(BaseModel):
    """An organizer's change to a slot; capacity changes go through registration (the waitlist)."""

    starts_at: AwareDatetime | None = None
    ends_at: AwareDatetime | None = None
    capacity: int | None = Field(default=None, ge=0, le=10_000)
    meeting_point: str | None = Field(default=None, max_length=300)
    status: SlotStatus | None = None
    registration: RegistrationWindowInput | None = None
    required_tasks: list[DbId] | None = Field(default=None, max_length=20)


class SlotFilter(BaseModel):
    """Catalog filters; dates are days on the program's (Moscow) calendar, both ends included."""

    date_from: date | None = None
    date_to: date | None = None
    industry: Slug | None = None
    format: ProgramFormat | None = None
    age: int | None = Field(default=None, ge=0, le=120)
    available: bool = False
    q: str | None = Field(default=None, max_length=100)
    enterprise_id: DbId | None = None
    program_id: DbId | None = None
    series_id: DbId | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0, le=1_000_000)


class EnterpriseUpdate(BaseModel):
    """A partial change: only the fields sent are changed."""

    slug: Slug | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    industry: Slug | None = None
    short_description: str | None = Field(default=None, min_length=1, max_length=300)
    description: Text | None = None
    address: str | None = Field(default=None, min_length=1, max_length=300)
    metro: str | None = Field(default=None, max_length=120)
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    requires_id_document: bool | None = None
    min_age: int | None = Field(default=None, ge=0, le=21)
    website: str | None = Field(default=None, max_length=300)


class ProgramUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    format: ProgramFormat | None = None
    description: Text | None = None
    duration_minutes: int | None = Field(default=None, gt=0, le=24 * 60)
    age_rating: int | None = None
    audience_tags: list[Annotated[str, Field(max_length=40)]] | None = Field(
        default=None, max_length=20
    )
    accessibility_notes: str | None = Field(default=None, max_length=2000)

    @field_validator("age_rating")
    @classmethod
    def _known_rating(cls, value: int | None) -> int | None:
        if value is not None and value not in AGE_RATINGS:
            raise ValueError(f"age_rating must be one of {AGE_RATINGS}")
        return value


class SeriesUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: Text | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    opens_days_before: int | None = Field(default=None, ge=0, le=60)
    opens_at_time: LocalTimeInput | None = None
    closes_hours_before: int | None = Field(default=None, ge=0, le=24 * 30)
    allocation_mode: AllocationMode | None = None
    max_active_registrations: int | None = Field(default=None, ge=1, le=100)
    waitlist_confirms_directly: bool | None = None
    required_tasks: list[DbId] | None = Field(default=None, max_length=20)


class SlotBulkCreate(BaseModel):
    """The bulk scheduler: every chosen weekday between two dates, at each of the times."""

    program_id: DbId
    series_id: DbId | None = None
    date_from: date
    date_to: date
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(min_length=1, max_length=7)
    times: list[LocalTimeInput] = Field(min_length=1, max_length=24)
    capacity: int = Field(ge=0, le=10_000)
    meeting_point: str | None = Field(default=None, max_length=300)
    preview: bool = False


class BulkSlotRead(BaseModel):
    id: int | None
    starts_at: datetime
    ends_at: datetime
    weekday: int


class BulkScheduleResult(BaseModel):
    preview: bool
    count: int
    program_id: int
    program_title: str
    series_id: int | None
    slots: list[BulkSlotRead]


class PublicCounters(BaseModel):
    enterprises: int
    programs: int
    upcoming_slots: int
    seats_upcoming: int
