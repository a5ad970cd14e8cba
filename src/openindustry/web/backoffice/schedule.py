"""The bulk scheduler: program, dates, weekdays, times, capacity → a preview → create in one go.

One form serves both steps: «Показать, что получится» re-renders it with the preview table, and
«Создать N экскурсий» posts the same fields with `action=create`. Nothing is kept between the two
steps, so the preview is recomputed on create and a clash that appeared meanwhile is still refused.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from openindustry.catalog.api import Catalog
from openindustry.catalog.schemas import (
    BulkScheduleResult,
    ProgramRead,
    SeriesRead,
    SlotBulkCreate,
    SlotFilter,
)
from openindustry.kit import clock
from openindustry.kit.errors import AppError
from openindustry.web.backoffice.staff import OrganizerPage
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import status_of
from openindustry.web.forms import Form, field_errors
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import flash, redirect

router = APIRouter(include_in_schema=False)

DEFAULT_WEEKDAYS = ["0", "1", "2", "3", "4"]
DEFAULT_TIMES = "11:00, 15:00"
DEFAULT_CAPACITY = "20"
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")
_SEPARATORS = re.compile(r"[,;\s]+")


def parse_times(text: str) -> list[time] | None:
    """«11:00, 15:00» or one per line; None if any piece is not a clock time."""
    found: list[time] = []
    for piece in _SEPARATORS.split(text.strip()):
        if not piece:
            continue
        match = _TIME.match(piece)
        if match is None:
            return None
        found.append(time(int(match.group(1)), int(match.group(2))))
    return found


def _defaults(series: SeriesRead | None, today: date) -> dict[str, Any]:
    start = today + timedelta(days=1)
    end = start + timedelta(days=13)
    if series is not None:
        start = max(series.starts_on, start)
        end = max(series.ends_on, start)
    return {
        "program_id": "",
        "series_id": str(series.id) if series else "",
        "date_from": start.isoformat(),
        "date_to": end.isoformat(),
        "weekdays": DEFAULT_WEEKDAYS,
        "times": DEFAULT_TIMES,
        "capacity": DEFAULT_CAPACITY,
        "meeting_point": "",
    }


def _entered(form: Form) -> dict[str, Any]:
    return {
        "program_id": form.text("program_id"),
        "series_id": form.text("series_id"),
        "date_from": form.text("date_from"),
        "date_to": form.text("date_to"),
        "weekdays": list(dict.fromkeys(form.getlist("weekdays"))),
        "times": form.get("times").strip(),
        "capacity": form.text("capacity"),
        "meeting_point": form.text("meeting_point"),
    }


async def _render(
    request: Request,
    pages: Pages,
    catalog: Catalog,
    role: str,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    refusal: AppError | None = None,
    preview: BulkScheduleResult | None = None,
    status: int = 200,
) -> HTMLResponse:
    today = clock.now().astimezone(catalog.tz).date()
    all_series = await catalog.series_list()
    chosen_id = (form or {}).get("series_id") or request.query_params.get("series_id")
    chosen = next((s for s in all_series if str(s.id) == chosen_id), None)
    if chosen is None and form is None:
        chosen = await catalog.current_series()
    values = form or _defaults(chosen, today)
    if form is None and request.query_params.get("program_id"):
        values["program_id"] = request.query_params["program_id"]
    programs: list[ProgramRead] = []
    while True:
        # 150 enterprises with a few programs each is more than one page of the list.
        chunk = await catalog.programs(limit=200, offset=len(programs))
        programs.extend(chunk.items)
        if not chunk.items or len(programs) >= chunk.total:
            break
    slots = []
    if chosen is not None:
        listing = await catalog.slots(SlotFilter(series_id=chosen.id, limit=200))
        slots = listing.items
    context = {
        "form": values,
        "errors": errors or {},
        "refusal": refusal,
        "preview": preview,
        "programs": programs,
        "all_series": all_series,
        "series": chosen,
        "slots": slots,
        "staff_role": role,
    }
    return pages.render(request, "backoffice/schedule.html", context, status=status)


@router.get("/backoffice/schedule", response_class=HTMLResponse)
async def schedule(
    request: Request,
    catalog: Catalog,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    return await _render(request, pages, catalog, user.role)


@router.post("/backoffice/schedule", response_class=HTMLResponse)
async def schedule_submit(
    request: Request,
    catalog: Catalog,
    pages: Pages,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    entered = _entered(form)
    creating = form.get("action") == "create"
    times = parse_times(entered["times"])
    try:
        data = SlotBulkCreate.model_validate(
            {
                "program_id": entered["program_id"] or None,
                "series_id": entered["series_id"] or None,
                "date_from": entered["date_from"] or None,
                "date_to": entered["date_to"] or None,
                "weekdays": entered["weekdays"],
                "times": times if times is not None else ["bad"],
                "capacity": entered["capacity"] or None,
                "meeting_point": entered["meeting_point"] or None,
                "preview": not creating,
            }
        )
    except ValidationError as exc:
        errors = field_errors(exc)
        return await _render(
            request, pages, catalog, user.role, form=entered, errors=errors, status=422
        )
    try:
        result = await catalog.bulk_schedule(data, actor_id=user.user_id)
    except AppError as exc:
        return await _render(
            request,
            pages,
            catalog,
            user.role,
            form=entered,
            refusal=exc,
            status=status_of(exc),
        )
    if result.preview:
        return await _render(request, pages, catalog, user.role, form=entered, preview=result)
    target = f"/backoffice/schedule?program_id={data.program_id}"
    if data.series_id is not None:
        target += f"&series_id={data.series_id}"
    return flash(redirect(target + "#slots"), request, "slots_created")
