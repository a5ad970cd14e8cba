"""Server CPU per request: `python -m bench cpu` (not part of `make bench`).

On a machine shared with other work, requests per second swing from run to run; the CPU time a
server process spends per request does not. This serves the app with one worker on a fresh
PostgreSQL database (or the SQLite default with BENCH_CPU_BACKEND=sqlite), reads the worker's CPU
time from /proc around a rush of BENCH_PARTICIPANTS registrations (1,500 by default) and around
a few seconds of each catalog request, and prints milliseconds of CPU per request. With
BENCH_CPU_PYSPY=<folder> py-spy samples each phase (GIL held only) into <folder>/<phase>.txt
(collapsed stacks; count them with any flame-graph tool).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from bench import loadgen, rush, seed, servers
from openindustry.config import Settings
from openindustry.db import migrate

PARTICIPANTS = int(os.environ.get("BENCH_CPU_PARTICIPANTS", "1500"))


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class _Sampler:
    """py-spy on the worker while one phase runs, when BENCH_CPU_PYSPY names a folder."""

    def __init__(self, worker: int, name: str) -> None:
        self.process: subprocess.Popen[bytes] | None = None
        folder = os.environ.get("BENCH_CPU_PYSPY")
        if folder:
            out = Path(folder) / f"{name}.txt"
            out.parent.mkdir(parents=True, exist_ok=True)
            command = [shutil.which("py-spy") or servers.venv_bin("py-spy"), "record"]
            command += ["--pid", str(worker), "--gil", "--rate", "500"]
            # BENCH_CPU_NATIVE=1: C frames too (the extensions' own time); it pauses the worker
            # for each sample, so the CPU figures are then not comparable.
            native = bool(os.environ.get("BENCH_CPU_NATIVE"))
            command.append("--native" if native else "--nonblocking")
            command += ["--format", "raw", "--output", str(out)]
            self.process = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
            )
            time.sleep(1)

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGINT)
            self.process.wait(timeout=60)


def warm_up(base_url: str, slot_id: int) -> None:
    """FastAPI builds its routing tables for nested routers at their first requests: not what a
    request costs afterwards."""
    # The URLs are the server's own, started here (http only).
    requests = [
        urllib.request.Request(f"{base_url}/api/v1/slots"),  # noqa: S310
        urllib.request.Request(f"{base_url}/slots/{slot_id}"),  # noqa: S310
        urllib.request.Request(  # noqa: S310
            f"{base_url}/api/v1/slots/{slot_id}/registrations",
            data=b"{}",
            headers={"Authorization": "Bearer warm-up", "Content-Type": "application/json"},
            method="POST",
        ),
    ]
    for request in requests * 3:
        with contextlib.suppress(urllib.error.HTTPError):
            urllib.request.urlopen(request, timeout=30).close()  # noqa: S310


def _measure(url: str, logs: Path) -> None:
    app = rush._serve_app("app-cpu", url, 1, logs)
    (worker,) = app.worker_pids()
    settings = Settings(database_url=url)
    planned = asyncio.run(seed.app_rush(url, settings, run=0, hot=False, participants=PARTICIPANTS))
    warm_up(app.url, planned.slot_ids[0])
    sampler = _Sampler(worker, "book")
    before = cpu_seconds(worker)
    measured = loadgen.run(app.url, "book", plan=planned.plan)
    used = cpu_seconds(worker) - before
    sampler.stop()
    booked = measured.of("book")
    print(
        f"registrations: {len(booked)} at {len(booked) / measured.seconds:.0f}/s, "
        f"CPU {1000 * used / len(booked):.2f} ms per request"
    )
    for label, name, paths in (
        ("GET /api/v1/slots", "json", ["/api/v1/slots"]),
        ("GET /slots/{id}", "page", [f"/slots/{i}" for i in planned.slot_ids]),
    ):
        sampler = _Sampler(worker, name)
        before = cpu_seconds(worker)
        got = loadgen.run(app.url, "get", paths=paths, seconds=4)
        used = cpu_seconds(worker) - before
        sampler.stop()
        print(
            f"{label}: {len(got.samples)} at {len(got.samples) / got.seconds:.0f}/s, "
            f"CPU {1000 * used / len(got.samples):.2f} ms per request"
        )


def main() -> None:
    servers.install_cleanup()
    logs = Path(tempfile.mkdtemp(prefix="bench-cpu-"))
    try:
        if os.environ.get("BENCH_CPU_BACKEND") == "sqlite":
            directory = tempfile.mkdtemp(prefix="bench-cpu-sqlite-")
            try:
                _measure(f"sqlite+aiosqlite:///{directory}/app.db", logs)
            finally:
                servers.stop_all()
                shutil.rmtree(directory, ignore_errors=True)
            return
        admin = make_url(os.environ.get("OPENINDUSTRY_BENCH_POSTGRES_URL", rush.DEFAULT_URL))
        admin_url = admin.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
        name = f"openindustry_cpu_{uuid.uuid4().hex[:8]}"
        url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
        asyncio.run(rush._admin(admin_url, f'CREATE DATABASE "{name}"'))
        try:
            migrate.upgrade(url)
            _measure(url, logs)
        finally:
            servers.stop_all()
            asyncio.run(rush._admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        shutil.rmtree(logs, ignore_errors=True)
