"""Catalog tables: industries, enterprises, programs, series and slots."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from openindustry.kit import clock
from openindustry.kit.db import Base, JSONDocument, UTCDateTime, string_enum


class ProgramFormat(StrEnum):
    EXCURSION = "excursion"
    MASTER_CLASS = "master_class"
    LECTURE = "lecture"
    ONLINE = "online"


class AllocationMode(StrEnum):
    FCFS = "fcfs"
    LOTTERY = "lottery"


class SlotStatus(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


AGE_RATINGS = (0, 6, 12, 16, 18)
# Cancelled slots leave the guard, so a cancelled tour can be scheduled again at the same time.
SCHEDULED_SQL = "status = 'scheduled'"


class Industry(Base):
    __tablename__ = "industry"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))


class Enterprise(Base):
    __tablename__ = "enterprise"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    industry_id: Mapped[int] = mapped_column(ForeignKey("industry.id", ondelete="RESTRICT"))
    short_description: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    address: Mapped[str] = mapped_column(String(300))
    metro: Mapped[str | None] = mapped_column(String(120))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    # Secure sites (space, aviation) need visitors' ID document data before the visit.
    requires_id_document: Mapped[bool] = mapped_column(Boolean, default=False)
    min_age: Mapped[int | None] = mapped_column(Integer)
    website: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    industry: Mapped[Industry] = relationship(lazy="raise")

    __table_args__ = (Index("ix_enterprise_industry_id", "industry_id"),)


class Program(Base):
    __tablename__ = "program"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprise.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    format: Mapped[ProgramFormat] = mapped_column(string_enum(ProgramFormat))
    description: Mapped[str] = mapped_column(Text, default="")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    age_rating: Mapped[int] = mapped_column(Integer, default=0)
    audience_tags: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    accessibility_notes: Mapped[str | None] = mapped_column(Text)
    # Casefolded, ё-folded text of the program and its enterprise and industry: SQLite's lower()
    # knows only ASCII, so Cyrillic search compares against this column on both backends.
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    enterprise: Mapped[Enterprise] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint("age_rating IN (0, 6, 12, 16, 18)", name="age_rating"),
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        Index("ix_program_enterprise_id", "enterprise_id"),
    )


class Series(Base):
    """A season or series of dated tours sharing one registration policy."""

    __tablename__ = "series"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    opens_days_before: Mapped[int] = mapped_column(Integer, default=3)
    opens_at_time: Mapped[time] = mapped_column(Time, default=time(10, 0))
    closes_hours_before: Mapped[int] = mapped_column(Integer, default=24)
    allocation_mode: Mapped[AllocationMode] = mapped_column(
        string_enum(AllocationMode), default=AllocationMode.FCFS
    )
    max_active_registrations: Mapped[int | None] = mapped_column(Integer)
    waitlist_confirms_directly: Mapped[bool] = mapped_column(Boolean, default=False)
    # Tasks (quests) a participant must have completed to register for any slot of the series.
    required_tasks: Mapped[list[int]] = mapped_column(JSONDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="date_range"),
        CheckConstraint("opens_days_before >= 0", name="opens_days_before"),
        CheckConstraint("closes_hours_before >= 0", name="closes_hours_before"),
    )


class Slot(Base):
    """A program on a given date and time, with its seats and registration window."""

    __tablename__ = "slot"

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("program.id", ondelete="RESTRICT"))
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    capacity: Mapped[int] = mapped_column(Integer)
    # Confirmed people (participants + companions); moved only by conditional UPDATEs.
    seats_taken: Mapped[int] = mapped_column(Integer, default=0)
    meeting_point: Mapped[str | None] = mapped_column(String(300))
    registration_mode: Mapped[AllocationMode | None] = mapped_column(string_enum(AllocationMode))
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    required_tasks: Mapped[list[int]] = mapped_column(JSONDocument, default=list)
    status: Mapped[SlotStatus] = mapped_column(
        string_enum(SlotStatus), default=SlotStatus.SCHEDULED
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    program: Mapped[Program] = relationship(lazy="raise")
    series: Mapped[Series | None] = relationship(lazy="raise")

    __table_args__ = (
        CheckConstraint("capacity >= 0", name="capacity_nonnegative"),
        CheckConstraint(
            "seats_taken >= 0 AND seats_taken <= capacity", name="seats_within_capacity"
        ),
        CheckConstraint("ends_at > starts_at", name="time_range"),
        Index("ix_slot_starts_at", "starts_at"),
        Index("ix_slot_program_id", "program_id"),
        Index("ix_slot_series_id", "series_id"),
        # The bulk scheduler refuses overlaps after reading what exists; two runs at once (a double
        # click, two organizers) both read "nothing there", so the database refuses the second copy.
        Index(
            "uq_slot_program_scheduled_start",
            "program_id",
            "starts_at",
            unique=True,
            sqlite_where=text(SCHEDULED_SQL),
            postgresql_where=text(SCHEDULED_SQL),
        ),
    )

    def __repr__(self) -> str:
        return f"<Slot {self.id} program={self.program_id} {self.starts_at:%Y-%m-%d %H:%M}>"
