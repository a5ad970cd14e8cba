"""Registration data shapes for services and the JSON API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

from openindustry.accounts.schemas import ParticipantContact
from openindustry.catalog.schemas import SlotRead
from openindustry.kit.types import DbId
from openindustry.registration.models import RegistrationStatus
from openindustry.registration.rules import MAX_COMPANIONS


class RegistrationCreate(BaseModel):
    """Who comes along (ids of companions in the profile) and whether a waitlist place will do."""

    companions: list[DbId] = Field(default_factory=list, max_length=MAX_COMPANIONS)
    waitlist_ok: bool = False

    @field_validator("companions")
    @classmethod
    def _distinct(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("a companion can be chosen only once")
        return value


class PartyMember(BaseModel):
    companion_id: int
    name: str
    birth_date: date


class RegistrationRead(BaseModel):
    id: int
    slot_id: int
    status: RegistrationStatus
    party_size: int
    companions: list[PartyMember]
    ticket_code: str | None
    waitlist_position: int | None
    offer_expires_at: datetime | None
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    late_cancellation: bool
    # The lottery this registration takes part in (its public page: /api/v1/draws/{draw_id}).
    draw_id: int | None = None
    slot: SlotRead | None = None


class RegistrationRecord(BaseModel):
    """A registration as kept, for the person's own data download (no ticket code in it)."""

    id: int
    slot_id: int
    title: str
    enterprise_name: str
    starts_at: datetime
    status: RegistrationStatus
    party_size: int
    companions: list[PartyMember]
    created_at: datetime
    confirmed_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    late_cancellation: bool
    attended_at: datetime | None
    no_show: bool


class CapacityChange(BaseModel):
    capacity: int = Field(ge=0, le=10_000)


class PartyGuest(BaseModel):
    """A companion as an organizer takes it down on the phone: a name and a birth date."""

    name: str = Field(min_length=1, max_length=200)
    birth_date: date

    @field_validator("birth_date")
    @classmethod
    def _plausible(cls, value: date) -> date:
        if not date(1900, 1, 1) <= value <= date.today():  # noqa: DTZ011
            raise ValueError("birth date must be between 1900-01-01 and today")
        return value


class StaffRegistrationCreate(BaseModel):
    """An organizer registers someone by hand: the person (found by e-mail or phone, or a new
    account), who comes along, whether a waitlist place will do, and that the person agreed to
    the processing of their data (asked on the phone)."""

    person: ParticipantContact
    companions: list[PartyGuest] = Field(default_factory=list, max_length=MAX_COMPANIONS)
    waitlist_ok: bool = False
    consent_confirmed: bool = False


class StaffRegistrationRead(RegistrationRead):
    user_id: int
    account_created: bool


class RegistrationMove(BaseModel):
    """Where to move a party; with `waitlist_ok`, a full target puts it on that slot's waitlist
    (its seats here go to this slot's waitlist all the same), otherwise a full target refuses."""

    slot_id: DbId
    waitlist_ok: bool = False


class MovedRegistrationRead(RegistrationRead):
    """The party's new registration; `moved_from` is the old one, now cancelled (its ticket too)."""

    moved_from: int


class RosterEntry(BaseModel):
    """One registration of a slot as organizers see it, with the person's contacts."""

    id: int
    user_id: int
    name: str
    email: str | None
    phone: str | None
    status: RegistrationStatus
    party_size: int
    companions: list[PartyMember]
    waitlist_position: int | None
    created_at: datetime
    cancel_reason: str | None
    attended_at: datetime | None


class SlotRoster(BaseModel):
    items: list[RosterEntry]
    total: int  # every registration of the slot, whatever the search kept
