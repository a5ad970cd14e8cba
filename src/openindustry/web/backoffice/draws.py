"""Prize draws in three steps — publish the commitment, run the draw, show the published result
with its check — and the lottery slots' draws, read only (they run by themselves at closing).

See docs/fair-draws.md: the commitment must be public before anyone can know who enters, so the
run form appears only once it is published.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from openindustry.catalog.api import Catalog
from openindustry.catalog.models import AllocationMode
from openindustry.catalog.schemas import SlotFilter
from openindustry.draws.api import get_draws
from openindustry.draws.models import DrawKind, DrawStatus
from openindustry.draws.service import DrawsService
from openindustry.kit import clock
from openindustry.kit.auth import Principal
from openindustry.kit.errors import AppError, Conflict
from openindustry.kit.types import PathId
from openindustry.quests.api import Quests
from openindustry.quests.models import TaskKind
from openindustry.quests.schemas import PrizeDrawRequest
from openindustry.rewards.api import Rewards
from openindustry.web.backoffice.staff import OrganizerPage
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import status_of
from openindustry.web.forms import Form
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import flash, redirect, settings_of

router = APIRouter(include_in_schema=False)

PAGE = "/backoffice/draws"
Draws = Annotated[DrawsService, Depends(get_draws)]
# Lottery slots shown: those of the last month and every one to come, up to this many.
LOTTERY_PAST = timedelta(days=31)
LOTTERY_SHOWN = 200
DRAW_FIELDS = ("source", "task_id", "min_score", "leaderboard_top", "series_id", "winners")


def _prize_path(prize_id: int) -> str:
    return f"{PAGE}/prizes/{prize_id}"


@router.get(PAGE, response_class=HTMLResponse)
async def draws_overview(
    request: Request,
    rewards: Rewards,
    draws: Draws,
    catalog: Catalog,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    prizes, _total = await rewards.prizes(only_active=False, limit=200)
    prize_draws = {p.id: await draws.find(DrawKind.PRIZE, p.id) for p in prizes}
    since = (clock.now() - LOTTERY_PAST).astimezone(settings_of(request).tz).date()
    slots = await catalog.slots(SlotFilter(date_from=since, limit=LOTTERY_SHOWN))
    lottery = [s for s in slots.items if s.registration.mode is AllocationMode.LOTTERY]
    context = {
        "prizes": prizes,
        "prize_draws": prize_draws,
        "lottery": [(s, await draws.find(DrawKind.SLOT, s.id)) for s in lottery],
        "staff_role": user.role,
    }
    return pages.render(request, "backoffice/draws.html", context)


async def _render_prize_draw(
    request: Request,
    rewards: Rewards,
    draws: Draws,
    quests: Quests,
    catalog: Catalog,
    pages: Pages,
    user: Principal,
    prize_id: int,
    *,
    values: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    refusal: AppError | None = None,
    status: int = 200,
) -> HTMLResponse:
    prize = await rewards.prize(prize_id)
    draw = await draws.find(DrawKind.PRIZE, prize.id)
    drawn = draw is not None and draw.status is DrawStatus.DRAWN
    quizzes = await quests.tasks(None, kind=TaskKind.QUIZ, limit=200)
    context: dict[str, Any] = {
        "prize": prize,
        "draw": draw,
        "drawn": drawn,
        "report": await draws.verify(draw.id) if draw and drawn else None,
        "quizzes": quizzes.items,
        "all_series": await catalog.series_list(),
        "values": values
        or {"source": "quiz", "winners": str(min(prize.stock, 10) or 1), "min_score": ""},
        "errors": errors or {},
        "refusal": refusal,
        "staff_role": user.role,
    }
    return pages.render(request, "backoffice/draw.html", context, status=status)


@router.get(PAGE + "/prizes/{prize_id}", response_class=HTMLResponse)
async def prize_draw_page(
    prize_id: PathId,
    request: Request,
    rewards: Rewards,
    draws: Draws,
    quests: Quests,
    catalog: Catalog,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    return await _render_prize_draw(request, rewards, draws, quests, catalog, pages, user, prize_id)


@router.post(PAGE + "/prizes/{prize_id}/announce", response_class=HTMLResponse)
async def prize_draw_announce(
    prize_id: PathId,
    request: Request,
    rewards: Rewards,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    await rewards.announce_prize_draw(prize_id, actor_id=user.user_id)
    return flash(redirect(_prize_path(prize_id)), request, "saved")


def _draw_request(form: Form) -> tuple[dict[str, str], dict[str, Any]]:
    """What was typed, and the request it makes: only the chosen source's fields count."""
    values = {name: form.text(name) for name in DRAW_FIELDS}
    by_quiz = values["source"] != "leaderboard"
    payload: dict[str, Any] = {"winners": values["winners"]}
    if by_quiz:
        payload["task_id"] = values["task_id"]
        payload["min_score"] = values["min_score"] or None
    else:
        payload["leaderboard_top"] = values["leaderboard_top"]
        payload["series_id"] = values["series_id"] or None
    return values, payload


@router.post(PAGE + "/prizes/{prize_id}/run", response_class=HTMLResponse)
async def prize_draw_run(
    prize_id: PathId,
    request: Request,
    rewards: Rewards,
    draws: Draws,
    quests: Quests,
    catalog: Catalog,
    pages: Pages,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    values, payload = _draw_request(form)
    page = (request, rewards, draws, quests, catalog, pages, user, prize_id)
    try:
        data = PrizeDrawRequest.model_validate(payload)
    except ValidationError as exc:
        # A refusal of the whole request (neither source chosen) belongs to the source field.
        names = [str(e["loc"][0]) if e["loc"] else "source" for e in exc.errors()]
        errors = {name: name for name in names}
        return await _render_prize_draw(*page, values=values, errors=errors, status=422)
    if await draws.find(DrawKind.PRIZE, prize_id) is None:
        # Running without a published commitment would make the seed unverifiable in advance.
        refusal = Conflict("Сначала опубликуйте обязательство.", code="draw_not_announced")
        return await _render_prize_draw(*page, values=values, refusal=refusal, status=409)
    try:
        await quests.draw_prize(prize_id, data, actor_id=user.user_id)
    except AppError as exc:
        if exc.code == "prize_not_found":
            raise
        return await _render_prize_draw(*page, values=values, refusal=exc, status=status_of(exc))
    return flash(redirect(_prize_path(prize_id) + "#result"), request, "saved")
