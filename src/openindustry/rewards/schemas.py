"""Rewards data shapes for services and the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from openindustry.rewards.models import ClaimHow, ClaimStatus, PointsReason

Points = Annotated[int, Field(ge=1, le=1_000_000)]
Stock = Annotated[int, Field(ge=0, le=1_000_000)]
ImageUrl = Annotated[str, Field(max_length=500, pattern=r"^(https?://|/)\S+$")]


class PointsEntryRead(BaseModel):
    id: int
    amount: int
    reason: PointsReason
    ref_type: str
    ref_id: int
    series_id: int | None
    created_at: datetime


class ClaimRecord(BaseModel):
    """A claim for the person's own data download: no pickup code (it hands the prize over)."""

    id: int
    prize_id: int
    prize_title: str
    status: ClaimStatus
    how: ClaimHow
    points_spent: int
    created_at: datetime
    handed_over_at: datetime | None


class RewardsExport(BaseModel):
    balance: int
    earned_total: int
    entries: list[PointsEntryRead]
    claims: list[ClaimRecord]


class PointsRead(BaseModel):
    balance: int
    earned_total: int
    entries: list[PointsEntryRead]
    total: int
    limit: int
    offset: int


class LeaderboardItem(BaseModel):
    place: int
    user_id: int
    name: str
    points: int


class LeaderboardMe(BaseModel):
    """The caller's own standing; `place` is None until they have points in this scope."""

    place: int | None
    points: int


class LeaderboardRead(BaseModel):
    series_id: int | None
    items: list[LeaderboardItem]
    me: LeaderboardMe | None = None


class PrizeCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)
    image_url: ImageUrl | None = None
    stock: Stock
    price_points: Points | None = None
    per_person_limit: int = Field(default=1, ge=1, le=100)
    active: bool = True


class PrizeUpdate(BaseModel):
    """Only the fields given change; `price_points: null` makes the prize draw only."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    image_url: ImageUrl | None = None
    stock: Stock | None = None
    price_points: Points | None = None
    per_person_limit: int | None = Field(default=None, ge=1, le=100)
    active: bool | None = None


class PrizeRead(BaseModel):
    id: int
    title: str
    description: str
    image_url: str | None
    stock: int
    price_points: int | None
    draw_only: bool
    per_person_limit: int
    active: bool


class ClaimRead(BaseModel):
    id: int
    prize_id: int
    prize_title: str
    user_id: int
    status: ClaimStatus
    how: ClaimHow
    pickup_code: str
    points_spent: int
    created_at: datetime
    handed_over_at: datetime | None


class StockAdjust(BaseModel):
    """Units arrived (positive) or gone missing (negative); the stock never goes below zero."""

    delta: Annotated[int, Field(ge=-1_000_000, le=1_000_000)]
    note: str = Field(default="", max_length=500)

    @field_validator("delta")
    @classmethod
    def _not_zero(cls, value: int) -> int:
        if value == 0:
            raise ValueError("a change of zero units changes nothing")
        return value


class ClaimReadyRead(ClaimRead):
    """A claim after "ready for pickup": `notice_sent` is False when it was sent before."""

    notice_sent: bool
