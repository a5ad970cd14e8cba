"""GET /metrics: Prometheus text with requests by route template and status, latency, refusals by
error code, and the outbox backlog read from the database."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.app import create_app
from openindustry.config import Settings
from openindustry.kit.metrics import MULTIPROCESS_ENV
from openindustry.notifications.schemas import NotificationCreate
from openindustry.notifications.service import NotificationsService
from tests import factories
from tests.faults.cluster import app_process, running

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def scrape(client: httpx.AsyncClient, **headers: str) -> Samples:
    response = await client.get("/metrics", headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain; version=")
    return parse(response.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_requests_are_counted_by_route_template_and_status(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    slot = await factories.slot(session)
    route = "/api/v1/slots/{slot_id}"
    before = await scrape(client)
    for _ in range(3):
        assert (await client.get(f"/api/v1/slots/{slot.id}")).status_code == 200
    missing = await client.get("/api/v1/slots/987654")
    assert missing.status_code == 404
    # A probed path that matches no route is one label, whatever was probed.
    assert (await client.get("/wp-admin/setup.php")).status_code == 404
    after = await scrape(client)

    ok = {"method": "GET", "route": route, "status": "200"}
    not_found = {"method": "GET", "route": route, "status": "404"}
    total = "openindustry_http_requests_total"
    assert value(after, total, **ok) - value(before, total, **ok) == 3
    assert value(after, total, **not_found) - value(before, total, **not_found) == 1
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert value(after, total, **unmatched) - value(before, total, **unmatched) == 1
    assert not any(f"/slots/{slot.id}" in dict(labels).get("route", "") for _, labels in after)
    # The histogram saw the same four requests to the route.
    count = "openindustry_http_request_duration_seconds_count"
    timed = {"method": "GET", "route": route}
    assert value(after, count, **timed) - value(before, count, **timed) == 4
    refusals = "openindustry_refusals_total"
    assert value(after, refusals, code=missing.json()["error"]["code"]) - value(
        before, refusals, code=missing.json()["error"]["code"]
    ) == pytest.approx(1)


async def test_validation_refusals_are_counted(client: httpx.AsyncClient) -> None:
    before = await scrape(client)
    assert (await client.get("/api/v1/slots?date_from=yesterday")).status_code == 422
    after = await scrape(client)
    name = "openindustry_refusals_total"
    assert value(after, name, code="validation_error") - value(
        before, name, code="validation_error"
    ) == pytest.approx(1)


async def test_the_outbox_backlog_is_read_from_the_database(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    person = await factories.participant(session, settings)
    before = await scrape(client)
    message = NotificationCreate(user_id=person.user.id, kind="registration.confirmed", payload={})
    await NotificationsService(session, settings).enqueue([message, message])
    await session.commit()
    after = await scrape(client)
    pending = "openindustry_outbox_messages"
    assert value(after, pending, status="pending") - value(before, pending, status="pending") == 2
    assert value(after, pending, status="dead") == value(before, pending, status="dead")


async def test_a_configured_token_closes_the_metrics(settings: Settings) -> None:
    app = create_app(settings.model_copy(update={"metrics_token": SecretStr("scrape-me")}))
    transport = httpx.ASGITransport(app=app)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "scrape-me"}):
                refused = await client.get("/metrics", headers=headers)
                assert refused.status_code == 401
                assert refused.json()["error"]["code"] == "auth_required"
            await scrape(client, Authorization="Bearer scrape-me")
    finally:
        await app.state.engine.dispose()


def test_several_workers_report_one_sum(tmp_path: Path) -> None:
    """`serve --workers 2`: whichever worker answers a scrape counts both workers' requests."""
    shared = tmp_path / "metrics"
    shared.mkdir()
    config = {
        "OPENINDUSTRY_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'app.db'}",
        MULTIPROCESS_ENV: str(shared),
    }
    server = app_process("app", tmp_path, config)
    server.command += ["--workers", "2", "--no-access-log"]
    with running(server):
        for _ in range(40):
            # A new connection each time, so the kernel hands requests to both workers.
            assert httpx.get(f"{server.base_url}/healthz", timeout=10).status_code == 200
        counts = set()
        for _ in range(6):
            scraped = httpx.get(f"{server.base_url}/metrics", timeout=10)
            assert scraped.status_code == 200, scraped.text
            healthz = {"method": "GET", "route": "/healthz", "status": "200"}
            counts.add(value(parse(scraped.text), "openindustry_http_requests_total", **healthz))
    writers = {path.stem.rsplit("_", 1)[-1] for path in shared.glob("counter_*.db")}
    assert len(writers) == 2, f"one worker served everything: {sorted(shared.iterdir())}"
    # 40 health checks plus those `running` made while waiting for the workers to start.
    assert len(counts) == 1, counts
    assert counts.pop() >= 40
