"""Participants' pages: home, catalog, enterprise, program (the slot page is in tickets.py)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from openindustry.catalog.api import Catalog
from openindustry.catalog.errors import InvalidDateRange
from openindustry.catalog.rules import RegistrationState
from openindustry.catalog.schemas import IndustryRead, SlotFilter
from openindustry.kit.auth import optional_principal
from openindustry.kit.types import PathId
from openindustry.stats.api import Stats
from openindustry.web.backoffice.pages import router as backoffice_router
from openindustry.web.miniapp.profile import router as profile_router
from openindustry.web.miniapp.quests import router as quests_router
from openindustry.web.miniapp.rewards import router as rewards_router
from openindustry.web.miniapp.signin import router as signin_router
from openindustry.web.miniapp.tickets import router as tickets_router
from openindustry.web.render import Renderer, get_renderer

# Every page knows who is looking (the header offers «Профиль» or «Войти»); without a session
# cookie this costs nothing.
router = APIRouter(include_in_schema=False, dependencies=[Depends(optional_principal)])
Pages = Annotated[Renderer, Depends(get_renderer)]

PAGE_SIZE = 20
HOME_SLOTS = 4
# Only these query parameters reach the filter; anything else (lang, utm_*) is ignored.
FILTER_FIELDS = ("date_from", "date_to", "industry", "format", "age", "available", "q", "offset")
BOOKABLE = {RegistrationState.OPEN, RegistrationState.LOTTERY}


def _by_slug(industries: list[IndustryRead]) -> dict[str, IndustryRead]:
    return {industry.slug: industry for industry in industries}


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, catalog: Catalog, stats: Stats, pages: Pages) -> HTMLResponse:
    upcoming = await catalog.slots(SlotFilter(available=True, limit=50))
    bookable = [s for s in upcoming.items if s.registration.state in BOOKABLE]
    return pages.render(
        request,
        "miniapp/home.html",
        {
            "series": await catalog.current_series(),
            "counters": await stats.public_counters(),
            "slots": (bookable or upcoming.items)[:HOME_SLOTS],
            "slots_are_bookable": bool(bookable),
            "industries": await catalog.industries(),
        },
    )


@router.get("/catalog", response_class=HTMLResponse)
async def catalog_page(request: Request, catalog: Catalog, pages: Pages) -> HTMLResponse:
    # Read by hand rather than as a Query model, so a wrong value shows the form again with a
    # message next to the field instead of a bare error page. Empty fields of a GET form are absent.
    raw = {k: v.strip() for k in FILTER_FIELDS if (v := request.query_params.get(k, "")).strip()}
    industries = await catalog.industries()
    context: dict[str, Any] = {
        "form": raw,
        "industries": industries,
        "industry_by_slug": _by_slug(industries),
        "errors": {},
        "page": None,
    }
    try:
        filters = SlotFilter.model_validate(raw | {"limit": PAGE_SIZE})
    except ValidationError as exc:
        context["errors"] = {
            str(e["loc"][0]) if e["loc"] else "form": e["type"] for e in exc.errors()
        }
        return pages.render(request, "miniapp/catalog.html", context, status=422)
    try:
        context["page"] = await catalog.slots(filters)
    except InvalidDateRange as exc:
        context["errors"] = {"date_to": exc.code}
        return pages.render(request, "miniapp/catalog.html", context, status=422)
    context["filtered"] = bool(raw.keys() - {"offset"})
    return pages.render(request, "miniapp/catalog.html", context)


@router.get("/enterprises/{slug}", response_class=HTMLResponse)
async def enterprise_page(
    slug: str, request: Request, catalog: Catalog, pages: Pages
) -> HTMLResponse:
    enterprise = await catalog.enterprise_by_slug(slug)
    programs = await catalog.programs(enterprise_id=enterprise.id, limit=200)
    slots = await catalog.slots(SlotFilter(enterprise_id=enterprise.id, limit=PAGE_SIZE))
    return pages.render(
        request,
        "miniapp/enterprise.html",
        {"enterprise": enterprise, "programs": programs, "slots": slots},
    )


@router.get("/programs/{program_id}", response_class=HTMLResponse)
async def program_page(
    program_id: PathId, request: Request, catalog: Catalog, pages: Pages
) -> HTMLResponse:
    program = await catalog.program(program_id)
    slots = await catalog.slots(SlotFilter(program_id=program.id, limit=PAGE_SIZE))
    industries = _by_slug(await catalog.industries())
    return pages.render(
        request,
        "miniapp/program.html",
        {"program": program, "slots": slots, "industry": industries.get(program.industry)},
    )


# The account and back-office pages ride on this router, which app.py mounts.
router.include_router(signin_router)
router.include_router(profile_router)
router.include_router(tickets_router)
router.include_router(quests_router)
router.include_router(rewards_router)
router.include_router(backoffice_router)
