"""Rewards JSON routes: points, leaderboards, prizes and claims; the organizers' prize desk."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.catalog.schemas import Page
from openindustry.config import Settings
from openindustry.draws.schemas import DrawRead
from openindustry.kit.auth import CurrentUser, MaybeUser, Organizer
from openindustry.kit.deps import get_session, get_settings
from openindustry.kit.ratelimit import Limiter, Scope, client_ip
from openindustry.kit.types import DbId, PathId
from openindustry.rewards.models import ClaimStatus
from openindustry.rewards.qr import qr_svg
from openindustry.rewards.schemas import (
    ClaimRead,
    ClaimReadyRead,
    LeaderboardRead,
    PointsRead,
    PrizeCreate,
    PrizeRead,
    PrizeUpdate,
    StockAdjust,
)
from openindustry.rewards.service import MAX_LEADERBOARD, RewardsService

router = APIRouter(tags=["rewards"])

Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
PickupCode = Annotated[str, Path(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9\- ]+$")]


def get_rewards(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> RewardsService:
    return RewardsService(session, settings)


Rewards = Annotated[RewardsService, Depends(get_rewards)]


@router.get("/me/points", summary="The caller's balance and points history, newest first")
async def my_points(
    rewards: Rewards, caller: CurrentUser, limit: Limit = 50, offset: Offset = 0
) -> PointsRead:
    return await rewards.points(caller.user_id, limit=limit, offset=offset)


@router.get("/leaderboard", summary="Leaderboard of a series or of all time (+ the caller's place)")
async def leaderboard(
    rewards: Rewards,
    caller: MaybeUser,
    series_id: Annotated[DbId | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LEADERBOARD)] = 20,
) -> LeaderboardRead:
    return await rewards.leaderboard(
        series_id=series_id, limit=limit, user_id=caller.user_id if caller else None
    )


@router.get("/prizes", summary="Prizes on offer, with stock and price in points")
async def list_prizes(rewards: Rewards, limit: Limit = 50, offset: Offset = 0) -> Page[PrizeRead]:
    items, total = await rewards.prizes(limit=limit, offset=offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/prizes/{prize_id}/claims",
    status_code=status.HTTP_201_CREATED,
    summary="Claim a prize for points → a pickup code",
)
async def claim_prize(
    prize_id: PathId,
    request: Request,
    rewards: Rewards,
    caller: CurrentUser,
    limiter: Limiter,
) -> ClaimRead:
    await limiter.check(Scope.CLAIM, participant=caller.user_id, ip=client_ip(request))
    return await rewards.claim(caller.user_id, prize_id)


@router.get("/me/claims", summary="The caller's prizes, newest first")
async def my_claims(rewards: Rewards, caller: CurrentUser) -> Page[ClaimRead]:
    items = await rewards.my_claims(caller.user_id)
    return Page(items=items, total=len(items), limit=len(items), offset=0)


@router.get(
    "/me/claims/{claim_id}/qr.svg",
    response_class=Response,
    summary="The QR of a claim's pickup code, to show at the prize desk",
)
async def claim_qr(claim_id: PathId, rewards: Rewards, caller: CurrentUser) -> Response:
    claim = await rewards.my_claim(caller.user_id, claim_id)
    svg = qr_svg(claim.pickup_code, title=claim.prize_title)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private"})


@router.get("/admin/prizes", summary="Organizer: every prize, inactive ones too, with stock")
async def all_prizes(
    rewards: Rewards, _organizer: Organizer, limit: Limit = 50, offset: Offset = 0
) -> Page[PrizeRead]:
    items, total = await rewards.prizes(only_active=False, limit=limit, offset=offset)
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post("/admin/prizes", status_code=status.HTTP_201_CREATED, summary="Organizer: add a prize")
async def create_prize(body: PrizeCreate, rewards: Rewards, _organizer: Organizer) -> PrizeRead:
    return await rewards.create_prize(body, actor_id=_organizer.user_id)


@router.patch("/admin/prizes/{prize_id}", summary="Organizer: change stock, price, activity")
async def update_prize(
    prize_id: PathId, body: PrizeUpdate, rewards: Rewards, _organizer: Organizer
) -> PrizeRead:
    return await rewards.update_prize(prize_id, body, actor_id=_organizer.user_id)


@router.post(
    "/admin/prizes/{prize_id}/stock",
    summary="Organizer: units arrived (+) or gone (−); 409 stock_below_zero rather than below 0",
)
async def adjust_stock(
    prize_id: PathId, body: StockAdjust, rewards: Rewards, _organizer: Organizer
) -> PrizeRead:
    return await rewards.adjust_stock(prize_id, body, actor_id=_organizer.user_id)


@router.get("/admin/prizes/{prize_id}/claims", summary="Organizer: a prize's claims, newest first")
async def prize_claims(
    prize_id: PathId,
    rewards: Rewards,
    _organizer: Organizer,
    claim_status: Annotated[ClaimStatus | None, Query(alias="status")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ClaimRead]:
    items, total = await rewards.prize_claims(
        prize_id, status=claim_status, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.post(
    "/admin/claims/{claim_id}/ready",
    summary="Organizer: tell the person the prize waits at the desk (sent once, idempotent)",
)
async def claim_ready(claim_id: PathId, rewards: Rewards, _organizer: Organizer) -> ClaimReadyRead:
    return await rewards.ready_for_pickup(claim_id, actor_id=_organizer.user_id)


@router.post(
    "/admin/prizes/{prize_id}/draw/announce",
    summary="Organizer: publish a prize draw's commitment before entries are known",
)
async def announce_draw(prize_id: PathId, rewards: Rewards, _organizer: Organizer) -> DrawRead:
    return await rewards.announce_prize_draw(prize_id, actor_id=_organizer.user_id)


@router.post(
    "/admin/claims/{pickup_code}/hand-over",
    summary="Organizer: mark a prize handed over by its pickup code (idempotent)",
)
async def hand_over(pickup_code: PickupCode, rewards: Rewards, _organizer: Organizer) -> ClaimRead:
    return await rewards.hand_over(pickup_code, actor_id=_organizer.user_id)


@router.post(
    "/admin/claims/{pickup_code}/cancel",
    summary="Organizer: cancel a reserved claim; stock and points go back",
)
async def cancel_claim(
    pickup_code: PickupCode, rewards: Rewards, _organizer: Organizer
) -> ClaimRead:
    return await rewards.cancel_claim(pickup_code, actor_id=_organizer.user_id)
