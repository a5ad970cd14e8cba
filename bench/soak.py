"""Soak: mixed traffic for a long while, watching the server's memory and latency drift.

`python -m bench soak [--minutes 10]` (not part of `python -m bench`: it takes ten minutes).
Serves the app the simplest way — `openindustry serve`, one worker, the SQLite default in a
temporary directory, the sweeper in-process — seeds 36 slots × 25 seats and 1,000 signed-in
participants (bench/seed.py), then keeps 16 asyncio httpx clients busy in this process, each
pausing a little between requests (this is not a throughput test): the catalog list, the HTML
slot page, /api/v1/me, registrations and cancellations, so seats churn and the run can go on.

Every 30 s it samples the server's RSS (VmRSS of the server process and its children) and the
window's latency quantiles and errors. An error is a transport failure, a 5xx, or any refusal
other than the expected 409s of a churning catalog (sold out, already registered…). Writes the
"soak" section of docs/benchmarks.md and the raw samples to docs/soak.json; the server, its
database and its log are removed afterwards, also on failure or Ctrl-C (the log is kept, and its
path printed, when the run fails).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import secrets
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import httpx

from bench import report, seed, servers
from openindustry.config import Settings

SOAK_JSON = report.ROOT / "docs" / "soak.json"
PARTICIPANTS = 1_000
# Share of each kind of request, in per cent.
MIX = {"catalog": 30, "page": 25, "me": 15, "register": 15, "cancel": 15}
# Refusals a churning catalog gives by design; anything else that is not 2xx is an error.
EXPECTED = {"sold_out", "already_registered", "limit_reached", "time_conflict", "not_cancellable"}
# Cancellations wait until this share of all seats is booked, then keep it about there, so
# slots fill, some sell out, and freed seats are taken again.
BOOKED_SHARE = 0.6
WARM_UP_SECONDS = 60
GROWTH_ALARM = 10.0  # per cent of RSS growth, last third against first, worth a look


@dataclass
class Window:
    """What the clients saw since the last sample."""

    latencies: dict[str, list[float]] = field(default_factory=dict)  # kind -> milliseconds
    errors: Counter[str] = field(default_factory=Counter)
    refusals: Counter[str] = field(default_factory=Counter)

    def record(self, kind: str, started: float) -> None:
        self.latencies.setdefault(kind, []).append((time.perf_counter() - started) * 1000)

    def all(self) -> list[float]:
        return [ms for kind in self.latencies.values() for ms in kind]


@dataclass
class Traffic:
    """The participants, the slots, and which registrations are there to cancel."""

    tokens: list[str]
    slot_ids: list[int]
    rng: random.Random
    booked_target: int  # cancellations start once this many registrations are active
    window: Window = field(default_factory=Window)
    active: list[tuple[str, int]] = field(default_factory=list)  # (token, registration id)

    def take_active(self) -> tuple[str, int] | None:
        # Taken out at once, so two clients never cancel the same registration.
        if len(self.active) < self.booked_target:
            return None
        index = self.rng.randrange(len(self.active))
        self.active[index], self.active[-1] = self.active[-1], self.active[index]
        return self.active.pop()


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _one(client: httpx.AsyncClient, traffic: Traffic) -> None:
    """Send one request of a kind drawn from MIX and file its outcome in the current window."""
    rng = traffic.rng
    kind = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    cancelling = traffic.take_active() if kind == "cancel" else None
    if kind == "cancel" and cancelling is None:
        kind = "register"
    token = rng.choice(traffic.tokens)
    started = time.perf_counter()
    try:
        if kind == "catalog":
            answer = await client.get("/api/v1/slots")
        elif kind == "page":
            answer = await client.get(f"/slots/{rng.choice(traffic.slot_ids)}")
        elif kind == "me":
            answer = await client.get("/api/v1/me", headers=_auth(token))
        elif kind == "register":
            answer = await client.post(
                f"/api/v1/slots/{rng.choice(traffic.slot_ids)}/registrations",
                json={"companions": [], "waitlist_ok": False},
                headers=_auth(token) | {"Idempotency-Key": uuid.uuid4().hex},
            )
        else:
            assert cancelling is not None
            token, registration_id = cancelling
            answer = await client.post(
                f"/api/v1/registrations/{registration_id}/cancel", headers=_auth(token)
            )
    except httpx.HTTPError as failure:
        traffic.window.record(kind, started)
        traffic.window.errors[f"{kind} {type(failure).__name__}"] += 1
        return
    window = traffic.window  # the sampler may have started a new one meanwhile
    window.record(kind, started)
    if answer.is_success:
        if kind == "register":
            traffic.active.append((token, int(answer.json()["id"])))
        return
    code = _error_code(answer)
    if answer.status_code == 409 and code in EXPECTED:
        window.refusals[code] += 1  # a registration not cancellable stays out of the pool
    else:
        window.errors[f"{kind} {answer.status_code} {code}"] += 1


def _error_code(answer: httpx.Response) -> str:
    with contextlib.suppress(ValueError, KeyError, TypeError):
        return str(answer.json()["error"]["code"])
    return "-"


async def _client(
    base_url: str, traffic: Traffic, stop: asyncio.Event, think: float, seed_: int
) -> None:
    pause = random.Random(seed_)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        while not stop.is_set():
            await _one(client, traffic)
            # Uniform around `think`, so the clients do not march in step.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause.uniform(0, 2 * think))


def rss_kib(pid: int) -> int:
    """VmRSS of a process and all its descendants (uvicorn's workers, if any)."""
    total, pending = 0, [pid]
    while pending:
        current = pending.pop()
        with contextlib.suppress(OSError):
            found = re.search(r"VmRSS:\s*(\d+) kB", Path(f"/proc/{current}/status").read_text())
            total += int(found.group(1)) if found else 0
            for task in Path(f"/proc/{current}/task").iterdir():
                with contextlib.suppress(OSError):
                    pending += [int(c) for c in (task / "children").read_text().split()]
    return total


def _quantiles(latencies: list[float]) -> dict[str, float | None]:
    if not latencies:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    cuts = (
        statistics.quantiles(latencies, n=100, method="inclusive")
        if len(latencies) > 1
        else latencies * 99
    )
    return {
        "p50_ms": round(cuts[49], 2),
        "p95_ms": round(cuts[94], 2),
        "p99_ms": round(cuts[98], 2),
        "max_ms": round(max(latencies), 2),
    }


def _db_mib(db_file: Path) -> float:
    size = sum(p.stat().st_size for p in db_file.parent.glob(db_file.name + "*") if p.exists())
    return round(size / 2**20, 2)


async def _soak(
    server: servers.Server, traffic: Traffic, db_file: Path, args: argparse.Namespace
) -> list[dict[str, Any]]:
    stop = asyncio.Event()
    clients = [
        asyncio.create_task(_client(server.url, traffic, stop, args.think_ms / 1000, n))
        for n in range(args.concurrency)
    ]
    windows = max(1, round(args.minutes * 60 / args.interval))
    samples: list[dict[str, Any]] = []
    started = time.monotonic()
    try:
        for n in range(1, windows + 1):
            await asyncio.sleep(max(0.0, started + n * args.interval - time.monotonic()))
            window, traffic.window = traffic.window, Window()
            elapsed = time.monotonic() - started
            latencies = window.all()
            sample = {
                "minute": round(elapsed / 60, 2),
                "rss_mib": round(rss_kib(server.process.pid) / 1024, 1),
                "requests": len(latencies),
                "per_second": round(len(latencies) / args.interval, 1),
                **_quantiles(latencies),
                "errors": sum(window.errors.values()),
                "error_kinds": dict(window.errors),
                "refusals": dict(window.refusals),
                "by_kind": {
                    kind: {"requests": len(ms), **_quantiles(ms)}
                    for kind, ms in sorted(window.latencies.items())
                },
                "active_registrations": len(traffic.active),
                "db_mib": _db_mib(db_file),
            }
            samples.append(sample)
            print(
                f"[soak] {sample['minute']:5.1f} min  RSS {sample['rss_mib']} MiB  "
                f"{sample['requests']} req  p50 {sample['p50_ms']}  p95 {sample['p95_ms']}  "
                f"p99 {sample['p99_ms']} ms  errors {sample['errors']}",
                file=sys.stderr,
                flush=True,
            )
            if server.process.poll() is not None:
                raise RuntimeError(f"the server exited (code {server.process.returncode})")
    finally:
        stop.set()
        await asyncio.wait(clients, timeout=35)
        for task in clients:
            task.cancel()
    return samples


def verdict(samples: list[dict[str, Any]], interval: float) -> dict[str, Any]:
    """RSS of the last third against the first third after the warm-up; p99 first vs last."""
    warm = min(max(1, round(WARM_UP_SECONDS / interval)), len(samples) - 1)
    steady = samples[warm:]
    third = max(1, len(steady) // 3)
    first, last = steady[:third], steady[-third:]
    rss_first = statistics.fmean(s["rss_mib"] for s in first)
    rss_last = statistics.fmean(s["rss_mib"] for s in last)
    return {
        "warm_up_windows": warm,
        "windows_compared": third,
        "comparable": len(steady) >= 3,
        "rss_first_third_mib": round(rss_first, 1),
        "rss_last_third_mib": round(rss_last, 1),
        "rss_growth_pct": round((rss_last - rss_first) / rss_first * 100, 1),
        "p99_first_ms": steady[0]["p99_ms"],
        "p99_last_ms": steady[-1]["p99_ms"],
        "errors": sum(s["errors"] for s in samples),
        "requests": sum(s["requests"] for s in samples),
    }


def _verdict_line(v: dict[str, Any]) -> str:
    growth = v["rss_growth_pct"]
    judged = (
        f"above the {GROWTH_ALARM:.0f} % worth a look"
        if growth > GROWTH_ALARM
        else f"within the {GROWTH_ALARM:.0f} % alarm"
    )
    note = (
        ""
        if v["comparable"]
        else " (too short a run for thirds: the same windows are compared; run 10 minutes)"
    )
    return (
        f"**Verdict:** RSS {v['rss_first_third_mib']} → {v['rss_last_third_mib']} MiB "
        f"({growth:+.1f} %, mean of the last {v['windows_compared']} window(s) against the first "
        f"{v['windows_compared']} after {v['warm_up_windows']} warm-up window(s); {judged}); "
        f"p99 {v['p99_first_ms']} → {v['p99_last_ms']} ms (first vs last window after warm-up); "
        f"{v['errors']} errors in {v['requests']:,} requests{note}."
    )


def render(results: dict[str, Any]) -> tuple[str, str]:
    setup = results["setup"]
    mix = ", ".join(f"{kind} {share} %" for kind, share in setup["mix"].items())
    lines = [
        "## Soak (`bench/soak.py`)",
        "",
        f"{setup['minutes']:g} minute{'' if setup['minutes'] == 1 else 's'} of mixed traffic "
        "against `openindustry serve` (one worker, "
        f"the SQLite default, the sweeper in-process) from {setup['concurrency']} asyncio httpx "
        f"clients in the benchmark's process, each pausing 0–{2 * setup['think_ms']:g} ms "
        f"between requests: {mix} (catalog = `GET /api/v1/slots`, page = the HTML slot page, "
        f"me = `GET /api/v1/me`) over {setup['slots']} slots × {setup['seats']} seats and "
        f"{setup['participants']:,} participants; cancellations start once "
        f"{setup['booked_share'] * 100:.0f} % of the seats are booked, so slots fill and seats "
        "churn. "
        f"Every {setup['interval']:g} s: "
        "the server's RSS (VmRSS of the process and its children) and the window's latency "
        "(ms) and errors (transport failures, 5xx, any refusal other than the expected 409s). "
        "Raw samples in docs/soak.json. Run: `python -m bench soak --minutes 10`.",
        "",
        "| minute | RSS MiB | requests | p50 | p95 | p99 | errors |",
        "|---:|---:|---:|---:|---:|---:|---:|",
        *(
            f"| {s['minute']:.1f} | {s['rss_mib']:.1f} | {s['requests']:,} | {s['p50_ms']} | "
            f"{s['p95_ms']} | {s['p99_ms']} | {s['errors']} |"
            for s in results["samples"]
        ),
        "",
        _verdict_line(results["verdict"]),
        "",
    ]
    versions = results["versions"]
    footer = report.machine_line(results["machine"]) + (
        "- " + ", ".join(f"{name} {version}" for name, version in versions.items()) + "\n"
    )
    return "\n".join(lines), footer


def _app_env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENINDUSTRY_")}
    env.update(
        OPENINDUSTRY_DATABASE_URL=database_url,
        OPENINDUSTRY_SECRET_KEY=secrets.token_urlsafe(32),
        OPENINDUSTRY_ENVIRONMENT="development",
        # Everyone comes from one address and a participant may churn faster than a person
        # would; the limiter still counts every request.
        OPENINDUSTRY_RATE_LIMIT_REGISTRATION_PER_IP="1000000/minute",
        OPENINDUSTRY_RATE_LIMIT_REGISTRATION_PER_PARTICIPANT="1000000/minute",
    )
    return env


def _versions() -> dict[str, str]:
    found = {"Python": sys.version.split()[0], "SQLite": sqlite3.sqlite_version}
    for name in ("openindustry", "uvicorn", "sqlalchemy", "aiosqlite", "httpx"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = "not installed"
    return found


def measure(args: argparse.Namespace) -> dict[str, Any]:
    servers.install_cleanup()
    directory = Path(tempfile.mkdtemp(prefix="bench-soak-"))
    db_file = directory / "app.db"
    url = f"sqlite+aiosqlite:///{db_file}"
    failed = True
    try:
        command = [servers.venv_bin("openindustry"), "serve", "--port", "{port}"]
        command.append("--no-access-log")
        server = servers.start("app-soak", command, _app_env(url), directory, "/healthz")
        settings = Settings(database_url=url)
        rush = asyncio.run(
            seed.app_rush(url, settings, run=0, hot=False, participants=args.participants)
        )
        traffic = Traffic(
            tokens=[line.split()[0] for line in rush.plan],
            slot_ids=rush.slot_ids,
            rng=random.Random(20261126),
            booked_target=int(BOOKED_SHARE * seed.SEATS * len(rush.slot_ids)),
        )
        print(
            f"[soak] serving {server.url}, {args.minutes:g} min, {args.concurrency} clients",
            file=sys.stderr,
            flush=True,
        )
        samples = asyncio.run(_soak(server, traffic, db_file, args))
        failed = False
    finally:
        servers.stop_all()
        if failed:
            kept = Path(tempfile.mkdtemp(prefix="bench-soak-log-"))
            with contextlib.suppress(OSError):
                shutil.copy(directory / "app-soak.log", kept)
                print(f"[soak] server log kept in {kept}", file=sys.stderr)
        shutil.rmtree(directory, ignore_errors=True)
    return {
        "machine": report.machine(),
        "versions": _versions(),
        "setup": {
            "minutes": args.minutes,
            "interval": args.interval,
            "concurrency": args.concurrency,
            "think_ms": args.think_ms,
            "participants": args.participants,
            "slots": seed.SLOTS,
            "seats": seed.SEATS,
            "mix": MIX,
            "booked_share": BOOKED_SHARE,
            "workers": 1,
            "database": "sqlite",
        },
        "samples": samples,
        "verdict": verdict(samples, args.interval),
    }


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=10, help="how long (default 10)")
    parser.add_argument("--concurrency", type=int, default=16, help="clients (default 16)")
    parser.add_argument(
        "--think-ms", type=float, default=50, help="mean pause between requests (default 50)"
    )
    parser.add_argument("--interval", type=float, default=30, help="seconds a sample (30)")
    parser.add_argument("--participants", type=int, default=PARTICIPANTS)
    args = parser.parse_args(argv)
    if args.minutes * 60 < args.interval or args.participants < 1:
        parser.error("--minutes must cover one --interval, and --participants be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    results = measure(parse(argv or []))
    SOAK_JSON.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    body, footer = render(results)
    report.write_section("soak", body, footer)
    print(body)
    print(f"written to {report.REPORT} and {SOAK_JSON}")
