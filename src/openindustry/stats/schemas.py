"""Statistics shapes: the filter, each table's row, the dashboard and the public counters."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from openindustry.kit.types import DbId

# Bounded so that a far-away date is a 422, never an overflow when turned into a datetime.
StatsDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]


class StatsFilter(BaseModel):
    """Which part of the program to count: one series and/or a range of Moscow calendar days."""

    series_id: DbId | None = Field(None, description="Only this series (сезон/серия)")
    date_from: StatsDate | None = Field(None, description="First day, Moscow calendar")
    date_to: StatsDate | None = Field(None, description="Last day (inclusive), Moscow calendar")


class DayRow(BaseModel):
    day: date
    slots: int = Field(description="Slots (not cancelled) starting that day")
    seats_offered: int = Field(description="Capacity of those slots")
    registrations: int = Field(description="Registrations created that day, every status")
    applied: int = 0
    waitlisted: int = 0
    offered: int = 0
    confirmed: int = 0
    cancelled: int = 0
    expired: int = 0


class FillRow(BaseModel):
    """Fill rate and attendance of a group of slots (an enterprise or an industry)."""

    id: int
    name: str
    industry: str = ""
    slots: int
    capacity: int
    confirmed_parties: int
    confirmed_people: int
    fill_rate: float | None = Field(description="confirmed_people / capacity")
    attended_parties: int
    attended_people: int
    attendance_rate: float | None = Field(description="attended_people / confirmed_people")
    no_show_parties: int
    no_show_people: int
    no_show_rate: float | None = Field(description="no_show_people / confirmed_people")


class LotteryRow(BaseModel):
    slot_id: int
    starts_at: datetime
    enterprise: str
    program: str
    capacity: int
    applicant_parties: int
    applicant_people: int
    parties_per_seat: float | None
    people_per_seat: float | None


class AgeRow(BaseModel):
    group: str = Field(description="0–6, 7–11, 12–15, 16–17, 18–35, 36–59, 60+ or unknown")
    participants: int
    companions: int
    people: int


class PointsRow(BaseModel):
    reason: str
    issued: int = Field(description="Sum of positive ledger entries")
    spent: int = Field(description="Sum of negative ledger entries, as a positive number")


class PrizeRow(BaseModel):
    prize_id: int
    title: str
    stock: int = Field(description="Units left now")
    claimed: int = Field(description="Claims not cancelled (reserved or handed over)")
    handed_over: int


class Attendance(BaseModel):
    """People who came: registrations checked in at the gate (participants + companions)."""

    label: str = "Посещаемость: люди, отмеченные на входе"
    people: int
    parties: int
    participants: int
    companions: int


class Reach(BaseModel):
    """People who used the app, whether or not they came to a factory."""

    label: str = "Охват: люди, открывшие приложение или прошедшие викторину (не посещения)"
    signed_in_people: int = Field(description="Participants who signed in (a token issued)")
    new_accounts: int = Field(description="Participant accounts created")
    quiz_people: int = Field(description="People who started at least one quiz attempt")
    quiz_attempts: int


class Dashboard(BaseModel):
    filters: StatsFilter
    by_day: list[DayRow]
    by_enterprise: list[FillRow]
    by_industry: list[FillRow]
    lottery: list[LotteryRow]
    ages: list[AgeRow]
    points: list[PointsRow]
    prizes: list[PrizeRow]
    attendance: Attendance
    reach: Reach


class PublicStats(BaseModel):
    """The program's public figures: what happened and what is coming, never mixed with reach."""

    excursions_held: int = Field(description="Excursions that have ended (not cancelled)")
    master_classes_held: int = Field(description="Master classes that have ended (not cancelled)")
    visitors: int = Field(description="People checked in: participants and their companions")
    enterprises: int = Field(description="Enterprises in the program")
    upcoming_slots: int = Field(description="Slots still to start (not cancelled)")
    seats_upcoming: int = Field(description="Seats of those slots")
