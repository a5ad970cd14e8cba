"""Statistics JSON routes: public counters, and the organizer's dashboard, CSV tables and charts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.kit.auth import Organizer
from openindustry.kit.deps import get_session, get_settings
from openindustry.stats.charts import CHARTS
from openindustry.stats.errors import UnknownChart
from openindustry.stats.exports import TABLES
from openindustry.stats.schemas import Dashboard, PublicStats, StatsFilter
from openindustry.stats.service import StatsService

router = APIRouter(tags=["stats"])

Name = Annotated[str, Path(max_length=40)]
Filters = Annotated[StatsFilter, Query()]


def get_stats(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> StatsService:
    return StatsService(session, settings)


Stats = Annotated[StatsService, Depends(get_stats)]


@router.get(
    "/stats/public",
    summary="Public counters: tours held, visitors checked in, enterprises, what is coming",
)
async def public_stats(stats: Stats) -> PublicStats:
    return await stats.public_counters()


@router.get("/admin/stats", summary="Organizer: every dashboard aggregate for a series and dates")
async def dashboard(_: Organizer, stats: Stats, filters: Filters) -> Dashboard:
    return await stats.dashboard(filters)


@router.get(
    "/admin/stats/{table}.csv",
    summary=f"Organizer: one dashboard table as CSV (UTF-8 with BOM): {', '.join(TABLES)}",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}}},
)
async def table_csv(table: Name, organizer: Organizer, stats: Stats, filters: Filters) -> Response:
    body = await stats.export_table(table, filters, actor_id=organizer.user_id)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="stats-{table}.csv"'},
    )


@router.get(
    "/admin/stats/charts/{chart}.svg",
    summary=f"Organizer: a dashboard chart as static SVG: {', '.join(CHARTS)}",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}}},
)
async def chart_svg(chart: Name, _: Organizer, stats: Stats, filters: Filters) -> Response:
    render = CHARTS.get(chart)
    if render is None:
        raise UnknownChart("Такого графика нет.", details={"charts": list(CHARTS)})
    return Response(render(await stats.dashboard(filters)), media_type="image/svg+xml")
