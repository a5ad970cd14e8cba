"""What other domains hand to the outbox."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class NotificationCreate(BaseModel):
    user_id: int | None
    kind: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)*$", max_length=64)
    payload: dict[str, Any] = Field(default_factory=dict)
    essential: bool = False
