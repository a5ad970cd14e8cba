"""Audit data shapes for the service and the JSON API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from openindustry.kit.types import DbId


class AuditEntryRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    actor_id: int | None
    action: str
    subject_type: str
    subject_id: int
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    created_at: datetime


class AuditFilter(BaseModel):
    """Filters; `action` is a dotted prefix ("slot" or "slot.created"); dates are Moscow days."""

    actor_id: DbId | None = None
    action: str | None = Field(default=None, max_length=64, pattern=r"^[a-z_]+(\.[a-z_]+)*\.?$")
    subject_type: str | None = Field(default=None, max_length=32)
    subject_id: DbId | None = None
    date_from: date | None = None
    date_to: date | None = None


class AuditPage(BaseModel):
    items: list[AuditEntryRead]
    total: int
    limit: int
    offset: int
