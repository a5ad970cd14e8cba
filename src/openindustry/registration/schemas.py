"""Registration data shapes for services and the JSON API."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field, field_validator

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


class CapacityChange(BaseModel):
    capacity: int = Field(ge=0, le=10_000)
