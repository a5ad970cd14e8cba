"""The organizers' dashboard as a page (it calls StatsService directly).

The charts are pygal SVG rendered on the server and embedded inline, with no script; every table
has a CSV link to a page route returning the same bytes as the JSON API's export.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from pydantic import ValidationError

from openindustry.catalog.api import Catalog
from openindustry.kit.auth import Principal
from openindustry.kit.errors import AppError
from openindustry.stats.api import Stats
from openindustry.stats.charts import CHARTS
from openindustry.stats.exports import TABLES
from openindustry.stats.schemas import StatsFilter
from openindustry.web.backoffice.staff import staff_page
from openindustry.web.errors import error_page, status_of
from openindustry.web.miniapp.deps import Pages

router = APIRouter(include_in_schema=False)

ORGANIZERS_ONLY = "Эта страница открыта только организаторам программы."
STATS_FIELDS = ("series_id", "date_from", "date_to")
# The dashboard and the audit log: a filter typed before signing in is not kept; a table's CSV
# brings the person back to the dashboard rather than to a download.
DashboardPage = Annotated[
    Principal, Depends(staff_page("organizer", ORGANIZERS_ONLY, keep_query=False))
]
TablePage = Annotated[
    Principal, Depends(staff_page("organizer", ORGANIZERS_ONLY, back_to="/backoffice/stats"))
]


def raw_query(request: Request, fields: tuple[str, ...]) -> dict[str, str]:
    return {k: v.strip() for k in fields if (v := request.query_params.get(k, "")).strip()}


def field_codes(exc: ValidationError) -> dict[str, str]:
    return {str(e["loc"][0]) if e["loc"] else "form": e["type"] for e in exc.errors()}


@router.get("/backoffice/stats", response_class=HTMLResponse)
async def dashboard(
    request: Request, stats: Stats, catalog: Catalog, pages: Pages, user: DashboardPage
) -> Response:
    raw = raw_query(request, STATS_FIELDS)
    context: dict[str, Any] = {
        "form": raw,
        "errors": {},
        "board": None,
        "charts": {},
        "query": request.url.query,
        "staff_role": user.role,
        # The series filter is chosen by name; the newest series first.
        "all_series": sorted(await catalog.series_list(), key=lambda x: x.starts_on, reverse=True),
    }
    try:
        filters = StatsFilter.model_validate(raw)
        board = await stats.dashboard(filters)
    except ValidationError as exc:
        context["errors"] = field_codes(exc)
        return pages.render(request, "backoffice/stats.html", context, status=422)
    except AppError as exc:
        context["errors"] = {"form": exc.message}
        return pages.render(request, "backoffice/stats.html", context, status=status_of(exc))
    context["board"] = board
    # pygal's SVG with its script already stripped (stats.charts); trusted server output.
    context["charts"] = {name: Markup(render(board)) for name, render in CHARTS.items()}  # noqa: S704
    return pages.render(request, "backoffice/stats.html", context)


@router.get("/backoffice/stats/{table}.csv")
async def table_csv(table: str, request: Request, stats: Stats, user: TablePage) -> Response:
    if table not in TABLES:
        return error_page(request, 404, "unknown_table", "Такой таблицы нет.")
    try:
        filters = StatsFilter.model_validate(raw_query(request, STATS_FIELDS))
    except ValidationError:
        return error_page(request, 422, "invalid", "Проверьте даты и серию в фильтре.")
    # Audited like the JSON API's export: who took which table with which filter.
    body = await stats.export_table(table, filters, actor_id=user.user_id)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="stats-{table}.csv"'},
    )
