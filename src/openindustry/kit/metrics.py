"""Prometheus metrics: requests by route and status, their latency, refusals by error code.

Labels are route templates (`/api/v1/slots/{slot_id}`), never raw paths, so the number of series
stays bounded whatever clients send. With several `serve` workers, each process writes its values
to files in PROMETHEUS_MULTIPROC_DIR (set by `openindustry serve` before the workers start) and a
scrape of any worker sums them all; prometheus-client picks its storage when it is first imported,
so the variable must be set before that.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily, Metric
from starlette.types import ASGIApp, Message, Receive, Scope, Send

MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"
CONTENT_TYPE = CONTENT_TYPE_LATEST

REQUESTS = Counter(
    "openindustry_http_requests_total",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "openindustry_http_request_duration_seconds",
    "Time from the request's arrival to its last byte, by method and route template.",
    ["method", "route"],
    # A registration rush is judged at 150 ms p99; a page at a few hundred ms.
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REFUSALS = Counter(
    "openindustry_refusals_total",
    "Answers carrying an error code (sold_out, rate_limited, database_unavailable, ...).",
    ["code"],
)

# Anything the router did not match (404s, scanners): one label, not one per probed path.
UNMATCHED = "unmatched"


def count_refusal(code: str) -> None:
    REFUSALS.labels(code).inc()


def _templates(routes: Iterable[Any], prefix: str = "") -> Iterator[tuple[int, str]]:
    """(id of a route object, its full path template). Recent FastAPI keeps an included router as
    a branch and puts the branch's own route, whose path lacks the prefix, in scope["route"]."""
    for route in routes:
        included = getattr(route, "original_router", None)
        if included is not None:
            yield from _templates(included.routes, prefix + route.include_context.prefix)
        elif hasattr(route, "path"):
            yield id(route), prefix + route.path


class RequestMetrics:
    """Pure ASGI middleware (no per-request task or body buffering) that times and counts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.templates: dict[int, str] | None = None  # the app's routes are known at first call

    def template(self, scope: Scope) -> str:
        route = scope.get("route")
        if route is None:
            return UNMATCHED
        if self.templates is None:
            self.templates = dict(_templates(scope["app"].routes))
        return self.templates.get(id(route)) or str(getattr(route, "path", UNMATCHED))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the server answers if the app dies before it starts a response

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            template = self.template(scope)
            method = scope["method"]
            REQUESTS.labels(method, template, str(status)).inc()
            LATENCY.labels(method, template).observe(time.perf_counter() - started)


class _Snapshot:
    """Gauges read by the caller just before the scrape (collectors are synchronous)."""

    def __init__(self, gauges: Iterable[Metric]) -> None:
        self.gauges = list(gauges)

    def collect(self) -> Iterable[Metric]:
        return self.gauges


def gauge(name: str, documentation: str, label: str, values: Mapping[str, float]) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for key, value in sorted(values.items()):
        family.add_metric([key], value)
    return family


def exposition(gauges: Iterable[Metric] = ()) -> bytes:
    """The text format: this process's (or, with workers, every process's) values and the
    gauges given."""
    if os.environ.get(MULTIPROCESS_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        text = generate_latest(registry)
    else:
        text = generate_latest(REGISTRY)
    snapshot = CollectorRegistry()
    snapshot.register(_Snapshot(gauges))
    return text + generate_latest(snapshot)
