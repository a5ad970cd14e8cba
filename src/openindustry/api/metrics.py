"""GET /metrics: Prometheus text format for the operators' scraper (not part of the JSON API)."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.kit import metrics
from openindustry.kit.deps import get_session, get_settings
from openindustry.kit.errors import Unauthorized
from openindustry.notifications.schemas import NotificationFilter
from openindustry.notifications.service import NotificationsService

router = APIRouter(tags=["operations"])


def _check_token(request: Request, settings: Settings) -> None:
    if settings.metrics_token is None:
        return
    expected = f"Bearer {settings.metrics_token.get_secret_value()}"
    given = request.headers.get("authorization", "")
    if not hmac.compare_digest(given.encode(), expected.encode()):
        raise Unauthorized("Нужен токен для метрик.", code="auth_required")


@router.get("/metrics", include_in_schema=False)
async def scrape(
    request: Request,
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> Response:
    _check_token(request, settings)
    # The outbox's backlog and dead letters are what an operator alerts on; read fresh (one
    # GROUP BY) rather than counted per process, so every worker reports the same figure.
    outbox = await NotificationsService(session, settings).page(NotificationFilter(), limit=0)
    gauges = [
        metrics.gauge(
            "openindustry_outbox_messages",
            "Outbox rows by delivery status.",
            "status",
            {status.value: n for status, n in outbox.counts.items()},
        )
    ]
    return Response(metrics.exposition(gauges), media_type=metrics.CONTENT_TYPE)
