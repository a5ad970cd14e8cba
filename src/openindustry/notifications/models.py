"""The outbox: every message is a row written in the transaction of the change it reports."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openindustry.kit import clock
from openindustry.kit.db import Base, JSONDocument, UTCDateTime, string_enum


class NotificationStatus(StrEnum):
    """pending → sending (claimed, with a lease) → sent | pending (retry after backoff) | dead.

    A `sending` row whose lease has ended (its dispatcher died) is claimed again.
    """

    PENDING = "pending"  # due at next_attempt_at
    SENDING = "sending"  # claimed by a dispatcher until locked_until
    SENT = "sent"
    DEAD = "dead"  # dead-lettered, reason in last_error; an organizer may requeue it


class Notification(Base):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None for a direct message (a sign-in code): its address travels sealed, no account needed.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    essential: Mapped[bool] = mapped_column(default=False)
    status: Mapped[NotificationStatus] = mapped_column(
        string_enum(NotificationStatus), default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)  # claims so far; fences late marks
    priority: Mapped[int] = mapped_column(Integer, default=0)  # higher is claimed first
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # A message that is pointless after this (a sign-in code) is dead-lettered instead of sent.
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The lease of a `sending` row: a dispatcher that dies holding it lets it be claimed again.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(16))  # the channel that delivered it
    # Scheduled messages (reminders) carry a key so any number of workers enqueue them once.
    dedup_key: Mapped[str | None] = mapped_column(String(128))
    # Secret values (an address, a sign-in code), encrypted; erased once the row is sent or dead.
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (
        Index("ix_notification_status_next", "status", "next_attempt_at"),
        Index("ix_notification_dedup_key", "dedup_key", unique=True),
    )


class UnreachableChannel(Base):
    """A channel on which a user cannot be reached (blocked the bot, disallowed messages)."""

    __tablename__ = "notification_unreachable"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
