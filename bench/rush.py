"""The registration rush, the catalog under load, and the SQLite default, against a reference.

`python -m bench rush` (also run by `make bench`). On PostgreSQL it creates its own database
(`OPENINDUSTRY_BENCH_POSTGRES_URL` names the server) and drops it afterwards, serves the app the
way production does (`openindustry serve --workers N`, N = cores unless BENCH_WORKERS says
otherwise) and the reference app (bench/reference.py) with as many uvicorn workers, and hits
both with the same load generator (wrk, bench/loadgen.py) at concurrency 64:

- rush: a fresh series of 36 slots × 25 seats opening now (fcfs), 5,000 participants signed in
  beforehand, each sending one registration with an Idempotency-Key to a slot chosen uniformly;
  the hot variant sends everyone to 3 slots. Checked against the database afterwards: oversold
  (people above capacity) and lost (a 201 without its confirmed row, or a confirmed row that got
  no 201) must both be 0.
- catalog: GET /api/v1/slots and the HTML slot page alone, against the reference's trivial JSON
  endpoint; then the "opening minute": 80 % page views (half JSON, half HTML) and 20 %
  registrations at once.
- SQLite default: the rush on the embedded database with one process, against the reference's
  SQLite variants (sqlite3 on the event loop; aiosqlite).

Writes its section of docs/benchmarks.md and the "rush" entry of docs/benchmarks.json.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import shutil
import sqlite3
import sys
import tempfile
import time
import uuid
from importlib import metadata
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy.engine import make_url

from bench import loadgen, refdb, report, seed, servers
from openindustry.config import Settings
from openindustry.db import migrate
from openindustry.kit import db

DEFAULT_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
CATALOG_SECONDS = 5
MINUTE_PARTICIPANTS = 500


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(admin_url: str, statement: str) -> str:
    connection = await asyncpg.connect(_dsn(admin_url))
    try:
        await connection.execute(statement)
        return str(await connection.fetchval("SHOW server_version"))
    finally:
        await connection.close()


def _app_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENINDUSTRY_")}
    env.update(
        OPENINDUSTRY_DATABASE_URL=database_url,
        OPENINDUSTRY_SECRET_KEY=secrets.token_urlsafe(32),
        OPENINDUSTRY_ENVIRONMENT="development",
        # The whole crowd comes from one address here; behind a load balancer it would not.
        # The limiter still counts every request (per participant and per address).
        OPENINDUSTRY_RATE_LIMIT_REGISTRATION_PER_IP="1000000/minute",
        # Production at scale runs offer expiry, draws and the outbox dispatcher in separate
        # `openindustry worker` processes (docs/deployment.md); the rush measures the app.
        OPENINDUSTRY_RUN_SWEEPER="false",
    )
    return env


def _serve_app(name: str, database_url: str, workers: int, logs: Path) -> servers.Server:
    server = _launch_app(name, database_url, workers, logs)
    servers.wait_ready(server, "/healthz")
    return server


def _launch_app(name: str, database_url: str, workers: int, logs: Path) -> servers.Server:
    command = [
        servers.venv_bin("openindustry"),
        "serve",
        "--workers",
        str(workers),
        "--port",
        "{port}",
    ]
    return servers.launch(name, command, _app_env(database_url), logs)


def _serve_reference(name: str, backend: str, dsn: str, workers: int, logs: Path) -> servers.Server:
    server = _launch_reference(name, backend, dsn, workers, logs)
    servers.wait_ready(server, "/trivial")
    return server


def _launch_reference(
    name: str, backend: str, dsn: str, workers: int, logs: Path
) -> servers.Server:
    env = dict(
        os.environ,
        BENCH_REF_BACKEND=backend,
        BENCH_REF_DSN=dsn,
        BENCH_REF_POOL=str(db.POOL_SIZE),
        PYTHONPATH=str(report.ROOT),
    )
    command = [
        servers.venv_bin("uvicorn"),
        "bench.reference:app",
        "--workers",
        str(workers),
        "--port",
        "{port}",
        "--log-level",
        "warning",
        "--no-access-log",
        "--timeout-worker-healthcheck",
        "30",
    ]
    return servers.launch(name, command, env, logs)


# Measuring ---------------------------------------------------------------------------------------


def _checked(run: loadgen.Run, rush: seed.Rush, outcome: seed.Outcome) -> dict[str, Any]:
    """The rush's figures, and the two numbers that must be zero."""
    booked = run.of("book")
    answered = {s.registration_id for s in booked if s.status == 201}
    rows = set(outcome.confirmed_at)
    created = sorted(s.at for s in booked if s.status == 201)
    last_seat = max(outcome.confirmed_at.values()) - run.started if rows else None
    return {
        **loadgen.summary(booked, run.seconds),
        # Fewer than planned when the run hit the load generator's time limit.
        "planned": len(rush.plan),
        "seconds": round(run.seconds, 3),
        "confirmed": len(rows),
        "seats": rush.capacity * len(rush.slot_ids),
        "confirmations_per_second": (
            round(len(created) / max(created[-1] - run.started, 1e-9), 1) if created else 0
        ),
        "time_to_last_seat_s": round(last_seat, 3) if last_seat is not None else None,
        "oversold": sum(max(0, n - rush.capacity) for n in outcome.confirmed_people.values()),
        "lost": len(answered - rows) + len(rows - answered),
        "seat_counter_mismatches": sum(
            1
            for slot, people in outcome.confirmed_people.items()
            if outcome.seats_taken.get(slot) != people
        ),
        "socket_errors": run.errors,
    }


def _app_rush(server: servers.Server, url: str, *, run: int, hot: bool) -> dict[str, Any]:
    settings = Settings(database_url=url)
    rush = asyncio.run(seed.app_rush(url, settings, run=run, hot=hot))
    measured = loadgen.run(server.url, "book", plan=rush.plan)
    return _checked(measured, rush, asyncio.run(seed.app_outcome(url, rush.slot_ids)))


def _reference_rush(
    server: servers.Server, backend: str, dsn: str, *, run: int, hot: bool
) -> dict[str, Any]:
    rush = refdb.rush(backend, dsn, run=run, hot=hot)
    measured = loadgen.run(server.url, "book", plan=rush.plan)
    return _checked(measured, rush, refdb.outcome(backend, dsn))


def _get(server: servers.Server, paths: list[str]) -> dict[str, Any]:
    measured = loadgen.run(server.url, "get", paths=paths, seconds=CATALOG_SECONDS)
    return loadgen.summary(measured.samples, measured.seconds)


def _opening_minute(server: servers.Server, url: str, *, run: int) -> dict[str, Any]:
    settings = Settings(database_url=url)
    # 500 registrations among about 2,000 page views (kept short: make bench has 10 minutes).
    rush = asyncio.run(
        seed.app_rush(url, settings, run=run, hot=False, participants=MINUTE_PARTICIPANTS)
    )
    views = [f"/slots/{slot_id}" for slot_id in rush.slot_ids]
    views += ["/api/v1/slots"] * len(views)
    measured = loadgen.run(server.url, "mix", plan=rush.plan, paths=views, booking_share=0.2)
    outcome = asyncio.run(seed.app_outcome(url, rush.slot_ids))
    result = {
        kind: loadgen.summary(measured.of(kind), measured.seconds)
        for kind in ("book", "json", "page")
    }
    result["all"] = loadgen.summary(measured.samples, measured.seconds)
    checked = _checked(measured, rush, outcome)
    result["book"].update(
        {k: checked[k] for k in ("confirmed", "time_to_last_seat_s", "oversold", "lost")}
    )
    return result


def _postgres(admin_url: str, workers: int, logs: Path) -> dict[str, Any]:
    name = f"openindustry_bench_{uuid.uuid4().hex[:8]}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    version = asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    out: dict[str, Any] = {"server_version": version, "workers": workers}
    try:
        migrate.upgrade(url)
        refdb.create("asyncpg", _dsn(url))
        # Both start at once (importing the app takes a while); each is waited for.
        app = _launch_app("app-postgres", url, workers, logs)
        reference = _launch_reference("reference-asyncpg", "asyncpg", _dsn(url), workers, logs)
        servers.wait_ready(app, "/healthz")
        servers.wait_ready(reference, "/trivial")
        rush: dict[str, Any] = {}
        for run, (variant, hot) in enumerate((("uniform", False), ("hot", True))):
            rush[variant] = {
                "app": _app_rush(app, url, run=run, hot=hot),
                "reference": _reference_rush(reference, "asyncpg", _dsn(url), run=run, hot=hot),
            }
            _progress(f"postgres rush {variant}", rush[variant])
        out["rush"] = rush
        slot_id = asyncio.run(seed.app_rush(url, Settings(database_url=url), run=5, hot=False))
        out["catalog"] = {
            "trivial (reference)": _get(reference, ["/trivial"]),
            "GET /api/v1/slots": _get(app, ["/api/v1/slots"]),
            "GET /slots/{id} (HTML)": _get(app, [f"/slots/{i}" for i in slot_id.slot_ids]),
        }
        _progress("catalog", out["catalog"])
        out["opening_minute"] = _opening_minute(app, url, run=3)
        _progress("opening minute", out["opening_minute"])
    finally:
        servers.stop_all()
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    return out


def _sqlite(logs: Path) -> dict[str, Any]:
    directory = tempfile.mkdtemp(prefix="bench-sqlite-")
    url = f"sqlite+aiosqlite:///{directory}/app.db"
    out: dict[str, Any] = {"version": sqlite3.sqlite_version, "workers": 1}
    try:
        app = _serve_app("app-sqlite", url, 1, logs)  # serve migrates the SQLite default itself
        for run, (variant, hot) in enumerate((("uniform", False), ("hot", True))):
            out.setdefault("rush", {})[variant] = {"app": _app_rush(app, url, run=run, hot=hot)}
        servers.stop(app)
        for backend in ("sqlite", "aiosqlite"):
            path = refdb.sqlite_path(directory)
            refdb.create(backend, path)
            reference = _serve_reference(f"reference-{backend}", backend, path, 1, logs)
            for run, (variant, hot) in enumerate((("uniform", False), ("hot", True))):
                out["rush"][variant][f"reference ({backend})"] = _reference_rush(
                    reference, backend, path, run=run, hot=hot
                )
            servers.stop(reference)
        _progress("sqlite", out["rush"])
    finally:
        servers.stop_all()
        shutil.rmtree(directory, ignore_errors=True)
    return out


def _progress(label: str, data: dict[str, Any]) -> None:
    print(f"[bench] {label}: done", file=sys.stderr, flush=True)


def _versions(postgres: str) -> dict[str, str]:
    names = ["openindustry", "fastapi", "starlette", "uvicorn", "uvloop", "httptools"]
    names += ["sqlalchemy", "asyncpg", "aiosqlite", "pydantic"]
    found = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return {
        "python": sys.version.split()[0],
        "postgresql": postgres,
        "sqlite": sqlite3.sqlite_version,
        "load generator": loadgen.wrk_version(),
        **found,
    }


def measure() -> dict[str, Any]:
    servers.install_cleanup()
    admin_url = make_url(os.environ.get("OPENINDUSTRY_BENCH_POSTGRES_URL", DEFAULT_URL))
    admin = admin_url.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    workers = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 1)))
    logs = Path(tempfile.mkdtemp(prefix="bench-logs-"))
    started = time.monotonic()
    only = os.environ.get("BENCH_ONLY", "postgres sqlite").split()
    try:
        postgres = _postgres(admin, workers, logs) if "postgres" in only else {}
        sqlite = _sqlite(logs) if "sqlite" in only else {}
    except BaseException:
        print(f"[bench] server logs kept in {logs}", file=sys.stderr)
        raise
    shutil.rmtree(logs, ignore_errors=True)
    return {
        "machine": report.machine(),
        "versions": _versions(postgres.get("server_version", "-")),
        "concurrency": loadgen.CONCURRENCY,
        "participants": seed.PARTICIPANTS,
        "slots": seed.SLOTS,
        "seats_per_slot": seed.SEATS,
        "postgres": postgres,
        "sqlite": sqlite,
        "wall_seconds": round(time.monotonic() - started, 1),
    }


def main() -> None:
    from bench import rush_report

    results = measure()
    report.write_json("rush", results)
    body, footer = rush_report.render(results)
    report.write_section("rush", body, footer)
    print(body)
    print(f"written to {report.REPORT} and {report.REPORT_JSON}")
