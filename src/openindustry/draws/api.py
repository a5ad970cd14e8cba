"""Public draw pages in JSON: the commitment before, the seed and the winners after."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.draws.schemas import DrawRead
from openindustry.draws.service import DrawsService
from openindustry.kit.deps import get_session, get_settings
from openindustry.kit.types import PathId

router = APIRouter(tags=["draws"])


def get_draws(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> DrawsService:
    return DrawsService(session, settings)


@router.get("/draws/{draw_id}", summary="A draw: commitment, seed after the draw, winners")
async def get_draw(draw_id: PathId, draws: Annotated[DrawsService, Depends(get_draws)]) -> DrawRead:
    return await draws.get(draw_id)
