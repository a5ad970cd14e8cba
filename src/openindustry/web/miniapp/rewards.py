"""«Баллы», «Рейтинг», «Призы» and «Мои призы» with the pickup QR."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup

from openindustry.catalog.api import Catalog
from openindustry.kit.auth import MaybeUser
from openindustry.kit.errors import AppError, ErrorKind
from openindustry.kit.ratelimit import Limiter, Scope, client_ip, with_retry_after
from openindustry.kit.types import PathId
from openindustry.quests.api import Quests
from openindustry.rewards.api import Rewards
from openindustry.rewards.qr import qr_svg
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import status_of
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import flash, login_url, redirect

router = APIRouter(include_in_schema=False)

HISTORY_SIZE = 100
LEADERS = 20


@router.get("/me/points", response_class=HTMLResponse)
async def points_page(
    request: Request, rewards: Rewards, quests: Quests, pages: Pages, user: MaybeUser
) -> Response:
    if user is None:
        return redirect(login_url("/me/points"))
    points = await rewards.points(user.user_id, limit=HISTORY_SIZE)
    titles = {t.id: t.title for t in (await quests.tasks(limit=200)).items}
    return pages.render(request, "miniapp/points.html", {"points": points, "titles": titles})


async def _series_tabs(quests: Quests, catalog: Catalog) -> list[Any]:
    ids = list(dict.fromkeys(t.series_id for t in (await quests.tasks(limit=200)).items))
    current = await catalog.current_series()
    if current is not None and current.id not in ids:
        ids.append(current.id)
    tabs = []
    for series_id in ids:
        if series_id is None:
            continue
        try:
            tabs.append(await catalog.series(series_id))
        except AppError:
            continue
    return tabs


@router.get("/leaderboard", response_class=HTMLResponse)
async def leaderboard_page(
    request: Request,
    rewards: Rewards,
    quests: Quests,
    catalog: Catalog,
    pages: Pages,
    user: MaybeUser,
) -> Response:
    tabs = await _series_tabs(quests, catalog)
    raw = request.query_params.get("series_id")
    series_id = None
    if raw:
        if not raw.isdigit() or len(raw) > 12 or int(raw) not in {s.id for s in tabs}:
            return pages.render(
                request,
                "miniapp/leaderboard.html",
                {"tabs": tabs, "series_id": None, "board": None, "bad_series": True},
                status=404,
            )
        series_id = int(raw)
    board = await rewards.leaderboard(
        series_id=series_id, limit=LEADERS, user_id=user.user_id if user else None
    )
    in_top = user is not None and any(i.user_id == user.user_id for i in board.items)
    return pages.render(
        request,
        "miniapp/leaderboard.html",
        {
            "tabs": tabs,
            "series_id": series_id,
            "board": board,
            "in_top": in_top,
            "user": user,
            "bad_series": False,
        },
    )


@router.get("/prizes", response_class=HTMLResponse)
async def prizes_page(
    request: Request, rewards: Rewards, pages: Pages, user: MaybeUser
) -> Response:
    items, _total = await rewards.prizes(limit=100)
    balance = None
    if user is not None:
        balance = (await rewards.points(user.user_id, limit=1)).balance
    return pages.render(
        request, "miniapp/prizes.html", {"prizes": items, "balance": balance, "user": user}
    )


async def _claim_context(rewards: Rewards, prize_id: int, user_id: int) -> dict[str, Any]:
    prize = await rewards.prize(prize_id)
    balance = (await rewards.points(user_id, limit=1)).balance
    return {"prize": prize, "balance": balance, "refusal": None}


@router.get("/prizes/{prize_id}/claim", response_class=HTMLResponse)
async def claim_confirm(
    prize_id: PathId, request: Request, rewards: Rewards, pages: Pages, user: MaybeUser
) -> Response:
    if user is None:
        return redirect(login_url(f"/prizes/{prize_id}/claim"))
    context = await _claim_context(rewards, prize_id, user.user_id)
    if not context["prize"].active:
        raise AppError("Приз не найден.", code="prize_not_found", kind=ErrorKind.NOT_FOUND)
    return pages.render(request, "miniapp/prize_claim.html", context)


@router.post("/prizes/{prize_id}/claim", response_class=HTMLResponse)
async def claim(
    prize_id: PathId,
    request: Request,
    rewards: Rewards,
    pages: Pages,
    user: MaybeUser,
    _form: CheckedForm,
    limiter: Limiter,
) -> Response:
    if user is None:
        return redirect(login_url(f"/prizes/{prize_id}/claim"))
    try:
        await limiter.check(Scope.CLAIM, participant=user.user_id, ip=client_ip(request))
        await rewards.claim(user.user_id, prize_id)
    except AppError as exc:
        if exc.kind is ErrorKind.NOT_FOUND:
            raise
        context = await _claim_context(rewards, prize_id, user.user_id)
        context["refusal"] = {"code": exc.code, "message": exc.message}
        page = pages.render(request, "miniapp/prize_claim.html", context, status=status_of(exc))
        return with_retry_after(page, exc)
    return flash(redirect("/me/prizes"), request, "prize_claimed")


@router.get("/me/prizes", response_class=HTMLResponse)
async def my_prizes(request: Request, rewards: Rewards, pages: Pages, user: MaybeUser) -> Response:
    if user is None:
        return redirect(login_url("/me/prizes"))
    claims = []
    for item in await rewards.my_claims(user.user_id):
        qr = None
        if item.status == "reserved":
            title = f"QR-код для получения приза: {item.prize_title}"
            # segno escapes the title; the SVG is our own markup.
            qr = Markup(qr_svg(item.pickup_code, title=title))  # noqa: S704
        claims.append({"claim": item, "qr": qr})
    return pages.render(request, "miniapp/my_prizes.html", {"claims": claims})
