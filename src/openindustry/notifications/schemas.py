"""What other domains hand to the outbox, and what organizers see of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from openindustry.kit.types import DbId
from openindustry.notifications.models import NotificationStatus

KIND_PATTERN = r"^[a-z_]+(\.[a-z0-9_]+)*$"
URGENT = 100  # priority of a message someone is waiting for right now (a sign-in code)


class NotificationCreate(BaseModel):
    user_id: int | None
    kind: str = Field(pattern=KIND_PATTERN, max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict)
    essential: bool = False
    dedup_key: str | None = Field(default=None, max_length=128)  # enqueue_once: one row per key
    priority: int = 0


class DirectMessage(BaseModel):
    """A message to an address rather than an account (a sign-in code before the account exists).

    `secrets` and the address are stored encrypted and erased once the row is sent or dead; the
    row delivers nothing after `expires_at`.
    """

    kind: str = Field(pattern=KIND_PATTERN, max_length=64)
    channel: Literal["email"] = "email"
    address: str = Field(min_length=3, max_length=320)
    locale: str = "ru"
    secrets: dict[str, str] = Field(default_factory=dict)
    expires_at: datetime | None = None
    priority: int = URGENT


class NotificationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    user_id: int | None
    kind: str
    payload: dict[str, Any]  # never the sealed values; a direct message shows a masked address
    essential: bool
    status: NotificationStatus
    attempts: int
    priority: int
    next_attempt_at: datetime
    locked_until: datetime | None
    expires_at: datetime | None
    last_error: str | None
    channel: str | None
    created_at: datetime
    sent_at: datetime | None


class NotificationFilter(BaseModel):
    status: NotificationStatus | None = None
    kind: str | None = Field(default=None, max_length=64, pattern=r"^[a-z_]+(\.[a-z0-9_]+)*\.?$")
    channel: Literal["email", "vk", "telegram", "max"] | None = None
    user_id: DbId | None = None


class NotificationPage(BaseModel):
    items: list[NotificationRead]
    total: int
    limit: int
    offset: int
    counts: dict[NotificationStatus, int]  # every status, whatever the filter's status


class OrganizerMessage(BaseModel):
    text: str = Field(min_length=1, max_length=4000)
