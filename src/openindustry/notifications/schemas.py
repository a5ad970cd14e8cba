"""What other domains hand to the outbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class NotificationCreate(BaseModel):
    user_id: int | None
    kind: str = Field(pattern=r"^[a-z_]+(\.[a-z0-9_]+)*$", max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict)
    essential: bool = False
    dedup_key: str | None = Field(default=None, max_length=128)  # enqueue_once: one row per key


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int | None
    kind: str
    payload: dict[str, Any]
    essential: bool
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    channel: str | None
    created_at: datetime
    sent_at: datetime | None


class OrganizerMessage(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
