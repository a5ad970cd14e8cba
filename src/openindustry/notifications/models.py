"""The outbox: every message is a row written in the transaction of the change it reports."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from openindustry.kit import clock
from openindustry.kit.db import Base, JSONDocument, UTCDateTime, string_enum


class NotificationStatus(StrEnum):
    PENDING = "pending"  # due at next_attempt_at; while claimed, locked_until is set (the lease)
    SENT = "sent"
    FAILED = "failed"  # dead-lettered after the last retry


class Notification(Base):
    __tablename__ = "notification"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
    essential: Mapped[bool] = mapped_column(default=False)
    status: Mapped[NotificationStatus] = mapped_column(
        string_enum(NotificationStatus), default=NotificationStatus.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A claim's lease: a dispatcher that dies holding it lets the row come due again afterwards.
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    channel: Mapped[str | None] = mapped_column(String(16))  # the channel that delivered it
    # Scheduled messages (reminders) carry a key so any number of workers enqueue them once.
    dedup_key: Mapped[str | None] = mapped_column(String(128))

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
