"""Scans at the gate: one row per successful scan, keyed by the scanner's own nonce."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openindustry.kit import clock
from openindustry.kit.db import Base, JSONDocument, UTCDateTime


class CheckinScan(Base):
    __tablename__ = "checkin_scan"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The phone's nonce; unique per scanner, so a replayed request (a retry, a second sync of the
    # same offline queue) finds the first answer instead of making a second entry.
    scan_id: Mapped[str] = mapped_column(String(64))
    scanned_by: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    scanned_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    offline: Mapped[bool] = mapped_column(Boolean, default=False)
    # The ticket had already been checked in by another scan: a double entry, kept and reported.
    duplicate: Mapped[bool] = mapped_column(Boolean, default=False)
    result: Mapped[dict[str, Any]] = mapped_column(JSONDocument)
    slot_id: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("scanned_by", "scan_id"),
        Index("ix_checkin_scan_registration_id", "registration_id"),
        Index("ix_checkin_scan_slot_id", "slot_id"),
    )
