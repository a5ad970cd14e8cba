"""A draw: committed before entries are known, run and published once they are frozen."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from openindustry.kit import clock
from openindustry.kit.db import Base, JSONDocument, UTCDateTime, string_enum


class DrawKind(StrEnum):
    SLOT = "slot"  # a lottery slot: seats for whole parties
    PRIZE = "prize"  # a prize draw: winners among entrants


class DrawStatus(StrEnum):
    COMMITTED = "committed"
    DRAWN = "drawn"


class Draw(Base):
    __tablename__ = "draw"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DrawKind] = mapped_column(string_enum(DrawKind))
    subject_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[DrawStatus] = mapped_column(
        string_enum(DrawStatus), default=DrawStatus.COMMITTED
    )
    # Secret until the draw; only its SHA-256 (the commitment) is public before.
    seed: Mapped[bytes] = mapped_column(LargeBinary)
    commitment: Mapped[str] = mapped_column(String(64))
    public_value: Mapped[str] = mapped_column(String(200), default="")
    published: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (UniqueConstraint("kind", "subject_id"),)
