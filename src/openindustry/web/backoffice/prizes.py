"""Prizes and stock: the list with stock, a prize's form, stock arrivals, its claims.

Stock is changed by a count of units that arrived or went missing, never by typing a new total:
participants claim while the organizer types, and an absolute number would undo their claims.
"Ready for pickup" on a claim writes the message to the outbox once, whatever is pressed twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from openindustry.accounts.api import Accounts
from openindustry.kit.auth import Principal
from openindustry.kit.errors import AppError
from openindustry.kit.types import PathId
from openindustry.rewards.api import Rewards
from openindustry.rewards.models import ClaimStatus
from openindustry.rewards.schemas import PrizeCreate, PrizeRead, PrizeUpdate, StockAdjust
from openindustry.web.backoffice.staff import OrganizerPage
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import status_of
from openindustry.web.forms import Form, field_errors
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import flash, redirect

router = APIRouter(include_in_schema=False)

PAGE = "/backoffice/prizes"
LIST_SIZE = 200
CLAIMS_SIZE = 50
PRIZE_FIELDS = ("title", "description", "image_url", "stock", "price_points", "per_person_limit")
NOTICES = frozenset({"ready_sent", "ready_before"})


def _path(prize_id: int) -> str:
    return f"{PAGE}/{prize_id}"


def _typed(form: Form, *, with_stock: bool) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: form.get(name).strip() if name == "description" else form.text(name)
        for name in PRIZE_FIELDS
        if with_stock or name != "stock"
    }
    values["active"] = form.get("active") == "on"
    return values


def _payload(values: dict[str, Any]) -> dict[str, Any]:
    # Empty means "none": no picture, and no price — the prize is then won in a draw only.
    return {
        k: (None if v == "" and k in {"image_url", "price_points"} else v)
        for k, v in values.items()
    }


def _values_of(prize: PrizeRead) -> dict[str, Any]:
    return {
        "title": prize.title,
        "description": prize.description,
        "image_url": prize.image_url or "",
        "stock": str(prize.stock),
        "price_points": "" if prize.price_points is None else str(prize.price_points),
        "per_person_limit": str(prize.per_person_limit),
        "active": prize.active,
    }


@router.get(PAGE, response_class=HTMLResponse)
async def prizes_list(
    request: Request,
    rewards: Rewards,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    return await _render_list(request, rewards, pages, user)


async def _render_list(
    request: Request,
    rewards: Rewards,
    pages: Pages,
    user: Principal,
    *,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    prizes, total = await rewards.prizes(only_active=False, limit=LIST_SIZE)
    blank = {"title": "", "description": "", "image_url": "", "stock": "", "price_points": ""}
    context = {
        "prizes": prizes,
        "total": total,
        "values": values or blank | {"per_person_limit": "1", "active": True},
        "errors": errors or {},
        "staff_role": user.role,
    }
    return pages.render(request, "backoffice/prizes.html", context, status=status)


@router.post(PAGE, response_class=HTMLResponse)
async def prize_create(
    request: Request,
    rewards: Rewards,
    pages: Pages,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    values = _typed(form, with_stock=True)
    try:
        data = PrizeCreate.model_validate(_payload(values))
    except ValidationError as exc:
        errors = field_errors(exc)
        return await _render_list(
            request, rewards, pages, user, values=values, errors=errors, status=422
        )
    created = await rewards.create_prize(data, actor_id=user.user_id)
    return flash(redirect(_path(created.id)), request, "saved")


@dataclass(frozen=True)
class _PrizePage:
    """The prize page as its handlers draw it again: a refused form names only what differs."""

    request: Request
    rewards: Rewards
    accounts: Accounts
    pages: Pages
    user: Principal
    prize_id: int

    async def render(
        self,
        *,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        stock: dict[str, str] | None = None,
        refusal: AppError | None = None,
        refused_form: str = "",
        status: int = 200,
    ) -> HTMLResponse:
        prize = await self.rewards.prize(self.prize_id)
        query = self.request.query_params
        try:
            status_filter: ClaimStatus | None = ClaimStatus(query.get("status", ""))
        except ValueError:
            status_filter = None
        raw_offset = query.get("offset", "0")
        offset = int(raw_offset) if raw_offset.isdigit() and len(raw_offset) < 8 else 0
        claims, claims_total = await self.rewards.prize_claims(
            prize.id, status=status_filter, limit=CLAIMS_SIZE, offset=offset
        )
        notice = query.get("notice", "")
        context = {
            "prize": prize,
            "values": values or _values_of(prize),
            # Two forms on one page: the stock form's fields are named «stock-…».
            "errors": {k: v for k, v in (errors or {}).items() if not k.startswith("stock-")},
            "stock_errors": {k: v for k, v in (errors or {}).items() if k.startswith("stock-")},
            "stock": stock or {"delta": "", "note": ""},
            "refusal": refusal,
            "refused_form": refused_form,
            "claims": claims,
            "claims_total": claims_total,
            "names": await self.accounts.names([c.user_id for c in claims]),
            "status_filter": status_filter.value if status_filter else "",
            "statuses": [s.value for s in ClaimStatus],
            "offset": offset,
            "page_size": CLAIMS_SIZE,
            "notice": notice if notice in NOTICES else "",
            "staff_role": self.user.role,
        }
        return self.pages.render(self.request, "backoffice/prize.html", context, status=status)


@router.get(PAGE + "/{prize_id}", response_class=HTMLResponse)
async def prize_page(
    prize_id: PathId,
    request: Request,
    rewards: Rewards,
    accounts: Accounts,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    return await _PrizePage(request, rewards, accounts, pages, user, prize_id).render()


@router.post(PAGE + "/{prize_id}", response_class=HTMLResponse)
async def prize_update(
    prize_id: PathId,
    request: Request,
    rewards: Rewards,
    accounts: Accounts,
    pages: Pages,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    page = _PrizePage(request, rewards, accounts, pages, user, prize_id)
    values = _typed(form, with_stock=False)
    try:
        change = PrizeUpdate.model_validate(_payload(values))
    except ValidationError as exc:
        return await page.render(values=values, errors=field_errors(exc), status=422)
    await rewards.update_prize(prize_id, change, actor_id=user.user_id)
    return flash(redirect(_path(prize_id)), request, "saved")


@router.post(PAGE + "/{prize_id}/stock", response_class=HTMLResponse)
async def prize_stock(
    prize_id: PathId,
    request: Request,
    rewards: Rewards,
    accounts: Accounts,
    pages: Pages,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    page = _PrizePage(request, rewards, accounts, pages, user, prize_id)
    typed = {"delta": form.text("delta").replace("−", "-"), "note": form.text("note")}
    try:
        change = StockAdjust.model_validate(typed)
        await rewards.adjust_stock(prize_id, change, actor_id=user.user_id)
    except ValidationError as exc:
        errors = {f"stock-{k}": f"stock-{k}" for k in field_errors(exc)}
        return await page.render(stock=typed, errors=errors, status=422)
    except AppError as exc:
        if exc.code == "prize_not_found":
            raise
        return await page.render(
            stock=typed, refusal=exc, refused_form="stock", status=status_of(exc)
        )
    return flash(redirect(_path(prize_id)), request, "saved")


@router.post(PAGE + "/{prize_id}/claims/{claim_id}/ready", response_class=HTMLResponse)
async def claim_ready(
    prize_id: PathId,
    claim_id: PathId,
    request: Request,
    rewards: Rewards,
    accounts: Accounts,
    pages: Pages,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    page = _PrizePage(request, rewards, accounts, pages, user, prize_id)
    try:
        claim = await rewards.ready_for_pickup(claim_id, actor_id=user.user_id)
    except AppError as exc:
        if exc.code == "claim_not_found":
            raise
        return await page.render(refusal=exc, refused_form="claims", status=status_of(exc))
    notice = "ready_sent" if claim.notice_sent else "ready_before"
    return redirect(f"{_path(claim.prize_id)}?notice={notice}#claims")
