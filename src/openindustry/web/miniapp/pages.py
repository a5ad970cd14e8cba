"""Participants' pages: home, catalog, enterprise, program, slot."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from openindustry.catalog.api import Catalog
from openindustry.web.render import Renderer, get_renderer

router = APIRouter(include_in_schema=False)
Pages = Annotated[Renderer, Depends(get_renderer)]


@router.get("/", response_class=HTMLResponse)
async def home(request: Request, catalog: Catalog, pages: Pages) -> HTMLResponse:
    series = await catalog.current_series()
    counters = await catalog.counters()
    return pages.render(request, "miniapp/home.html", {"series": series, "counters": counters})
