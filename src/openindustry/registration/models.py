"""Registrations: one party (a participant and chosen companions) for one slot."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from openindustry.kit import clock
from openindustry.kit.db import Base, JSONDocument, UTCDateTime, string_enum


class RegistrationStatus(StrEnum):
    APPLIED = "applied"  # entered a lottery, waiting for the draw
    WAITLISTED = "waitlisted"
    OFFERED = "offered"  # seats held for a waitlisted party until the offer expires
    CONFIRMED = "confirmed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"  # an offer that was not accepted in time


# Statuses that hold a place in the slot's queue; a person has at most one of these per slot.
ACTIVE = (
    RegistrationStatus.APPLIED,
    RegistrationStatus.WAITLISTED,
    RegistrationStatus.OFFERED,
    RegistrationStatus.CONFIRMED,
)
# Statuses whose people occupy seats (counted in slot.seats_taken).
HOLDING_SEATS = (RegistrationStatus.OFFERED, RegistrationStatus.CONFIRMED)

_ACTIVE_SQL = "status IN ('applied', 'waitlisted', 'offered', 'confirmed')"


class Registration(Base):
    __tablename__ = "registration"

    id: Mapped[int] = mapped_column(primary_key=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="RESTRICT"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    status: Mapped[RegistrationStatus] = mapped_column(string_enum(RegistrationStatus))
    party_size: Mapped[int] = mapped_column(Integer)
    # Copied from the slot (and kept in step when it moves), so the per-person rules — the series
    # cap, no overlapping tours — are answered from this table alone in the hot path.
    series_id: Mapped[int | None] = mapped_column(Integer)
    slot_starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    slot_ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Who comes, as chosen at registration: the profile may change later, the party does not.
    companions: Mapped[list[dict[str, Any]]] = mapped_column(JSONDocument, default=list)
    # Order in the queue: the registration's own id for first come, the drawn rank for lotteries.
    queue_rank: Mapped[int | None] = mapped_column(Integer)
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    idempotency_key: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str | None] = mapped_column(String(32))
    late_cancellation: Mapped[bool] = mapped_column(default=False)
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    no_show: Mapped[bool] = mapped_column(default=False)
    # Only once the participant deleted the account: their age group on the day of the slot, kept
    # for the statistics instead of the birth date that is gone.
    participant_age_group: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        # One active registration per person and slot, whatever the concurrency.
        Index(
            "uq_registration_active_user_slot",
            "user_id",
            "slot_id",
            unique=True,
            sqlite_where=text(_ACTIVE_SQL),
            postgresql_where=text(_ACTIVE_SQL),
        ),
        # A retried request with the same key finds the first outcome.
        UniqueConstraint("user_id", "idempotency_key"),
        Index("ix_registration_slot_status", "slot_id", "status", "queue_rank"),
        Index("ix_registration_user_status", "user_id", "status"),
        Index("ix_registration_offer_expires_at", "offer_expires_at"),
        CheckConstraint("party_size >= 1", name="party_size_positive"),
    )
