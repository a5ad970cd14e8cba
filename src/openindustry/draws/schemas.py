"""Draw data shapes: what the public draw page and the API show."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from openindustry.draws.models import DrawKind, DrawStatus


class DrawRead(BaseModel):
    id: int
    kind: DrawKind
    subject_id: int
    status: DrawStatus
    algorithm: str
    commitment: str
    public_value: str
    created_at: datetime
    drawn_at: datetime | None
    seed: str | None
    entrants_count: int | None
    entrants_digest: str | None
    winners: list[str]
    published: dict[str, Any] | None
    how_to_verify: str


class Entrant(BaseModel):
    user_id: int
    weight: int = 1
    party_size: int = 1


class DrawOutcome(BaseModel):
    """The result in terms of people: ranks from 1 (best) and who won."""

    draw_id: int
    rank_of: dict[int, int]
    winners: list[int]
