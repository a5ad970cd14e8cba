"""The purge's daily marker: one row per Moscow day, so any number of workers purge once a day."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date
from sqlalchemy.orm import Mapped, mapped_column

from openindustry.kit import clock
from openindustry.kit.db import Base, JSONDocument, UTCDateTime


class PurgeRun(Base):
    __tablename__ = "purge_run"

    # The primary key is the lock: the worker that inserts the day's row runs the purge.
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    ran_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    counts: Mapped[dict[str, Any]] = mapped_column(JSONDocument, default=dict)
