"""A flame graph of the app during a rush: `python -m bench profile` (not part of `make bench`).

Serves the app with one worker on a fresh PostgreSQL database, samples that worker with py-spy
(`pip install py-spy`; it needs to be allowed to ptrace, as root is) while a rush of participants
registers, and writes docs/profiles/rush.svg (BENCH_PROFILE_OUT to change). Only samples where
the worker holds the GIL are kept, so the graph shows where the CPU goes, not waiting.
Also prints the server's CPU time per request: the figure that stays meaningful on a busy machine.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from sqlalchemy.engine import make_url

from bench import cpu, loadgen, report, rush, seed, servers
from openindustry.config import Settings
from openindustry.db import migrate

PARTICIPANTS = 3_000


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    py_spy = shutil.which("py-spy") or servers.venv_bin("py-spy")
    if not Path(py_spy).exists() and shutil.which(py_spy) is None:
        raise SystemExit("py-spy is not installed: `pip install py-spy`")
    servers.install_cleanup()
    out = Path(os.environ.get("BENCH_PROFILE_OUT", report.ROOT / "docs" / "profiles" / "rush.svg"))
    out.parent.mkdir(parents=True, exist_ok=True)
    admin = make_url(os.environ.get("OPENINDUSTRY_BENCH_POSTGRES_URL", rush.DEFAULT_URL))
    admin_url = admin.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
    name = f"openindustry_profile_{uuid.uuid4().hex[:8]}"
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    logs = Path(tempfile.mkdtemp(prefix="bench-profile-"))
    asyncio.run(rush._admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        migrate.upgrade(url)
        app = rush._serve_app("app-profile", url, 1, logs)
        planned = asyncio.run(
            seed.app_rush(
                url, Settings(database_url=url), run=0, hot=False, participants=PARTICIPANTS
            )
        )
        (worker,) = app.worker_pids()
        cpu.warm_up(app.url, planned.slot_ids[0])
        command = [py_spy, "record", "--pid", str(worker), "--gil", "--rate", "250"]
        sampler = subprocess.Popen(
            [*command, "--format", "flamegraph", "--output", str(out), "--nonblocking"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        before = _cpu_seconds(worker)
        measured = loadgen.run(app.url, "book", plan=planned.plan)
        used = _cpu_seconds(worker) - before
        sampler.send_signal(2)  # py-spy writes the graph on SIGINT
        sampler.wait(timeout=60)
        booked = measured.of("book")
        print(
            f"{len(booked)} registrations, {len(booked) / measured.seconds:.0f}/s with one "
            f"worker, server CPU {1000 * used / len(booked):.1f} ms per request; "
            f"flame graph: {out}"
        )
    finally:
        servers.stop_all()
        asyncio.run(rush._admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        shutil.rmtree(logs, ignore_errors=True)
