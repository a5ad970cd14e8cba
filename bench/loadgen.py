"""The load generator: wrk in its own process, driven by bench/wrk/driver.lua.

wrk is C and needs a few percent of one core where a Python generator would take a whole one
on a 2-core machine shared with the servers under test. It runs one thread per connection, so
the Lua script sees each request and its response in turn and measures every latency itself.

Modes: `get` requests pages for a fixed time; `book` sends each participant of a plan exactly
once (a registration with its token and Idempotency-Key) and ends when all are answered; `mix`
is `book` with page views in between (the "opening minute").
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "wrk" / "driver.lua"
CONCURRENCY = 64


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit(
            "wrk is not installed: `apt-get install wrk` (make bench installs it when it can)"
        )
    return found


def wrk_version() -> str:
    done = subprocess.run([wrk_binary(), "-v"], capture_output=True, text=True, check=False)
    return done.stdout.split("[")[0].strip() or "wrk"


@dataclass
class Sample:
    kind: str  # "book" or "page"
    status: int
    code: str
    registration_id: int | None
    latency: float  # seconds
    at: float  # wall clock of the answer


@dataclass
class Run:
    samples: list[Sample]
    started: float  # wall clock of the first request
    ended: float  # wall clock of the last answer
    errors: list[str] = field(default_factory=list)

    def of(self, kind: str) -> list[Sample]:
        return [s for s in self.samples if s.kind == kind]

    @property
    def seconds(self) -> float:
        return max(self.ended - self.started, 1e-9)


def summary(samples: list[Sample], seconds: float) -> dict[str, object]:
    """Throughput, latency quantiles (ms) and counts by status and code."""
    if not samples:
        return {"requests": 0}
    latencies = sorted(s.latency * 1000 for s in samples)
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else []

    def q(p: int) -> float:
        return round(cuts[p - 1], 2) if cuts else round(latencies[0], 2)

    by = Counter(f"{s.status} {s.code}" if s.code != "-" else str(s.status) for s in samples)
    return {
        "requests": len(samples),
        "per_second": round(len(samples) / seconds, 1),
        "p50_ms": q(50),
        "p95_ms": q(95),
        "p99_ms": q(99),
        "max_ms": round(latencies[-1], 2),
        "by_status": dict(sorted(by.items())),
    }


def run(
    base_url: str,
    mode: str,
    *,
    paths: list[str] | None = None,
    plan: list[str] | None = None,
    seconds: int = 8,
    booking_share: float = 0.2,
    limit: int = 120,
    concurrency: int = CONCURRENCY,
) -> Run:
    """Run wrk against `base_url`; `plan` lines are "token slot_id key" (book and mix)."""
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as tmp:
        work = Path(tmp)
        out, done = work / "out.txt", work / "done.txt"
        env = dict(
            os.environ,
            BENCH_MODE=mode,
            BENCH_THREADS=str(concurrency),
            BENCH_PATHS=" ".join(paths or []),
            BENCH_BOOKING=str(booking_share),
            BENCH_OUT=str(out),
            BENCH_DONE=str(done),
        )
        if plan is not None:
            if len(plan) < concurrency:
                raise ValueError("a plan needs at least one participant per connection")
            (work / "plan.txt").write_text("\n".join(plan) + "\n")
            env["BENCH_PLAN"] = str(work / "plan.txt")
        duration = seconds if mode == "get" else limit
        command = [
            wrk_binary(),
            f"-t{concurrency}",
            f"-c{concurrency}",
            f"-d{duration}s",
            "--timeout",
            "60s",
            "-s",
            str(SCRIPT),
            base_url,
        ]
        process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            if mode != "get":
                _wait_for_threads(process, done, concurrency, limit)
            output, _ = process.communicate(timeout=duration + 60)
        finally:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if not out.exists():
            raise RuntimeError(f"wrk wrote no results:\n{output}")
        return _parse(out.read_text(), output)


def _wait_for_threads(process: subprocess.Popen[str], done: Path, threads: int, limit: int) -> None:
    """Every wrk thread notes when its share is answered; then wrk is told to stop (SIGINT)."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline and process.poll() is None:
        if done.exists() and len(done.read_text().split()) >= threads:
            break
        time.sleep(0.05)
    if process.poll() is None:
        process.send_signal(signal.SIGINT)


def _parse(text: str, wrk_output: str) -> Run:
    samples: list[Sample] = []
    firsts, lasts = [], []
    for line in text.splitlines():
        parts = line.split()
        if parts[0] == "thread":
            if float(parts[2]) > 0:
                firsts.append(float(parts[2]))
                lasts.append(float(parts[3]))
            continue
        kind, status, code, rid, latency, at = parts
        samples.append(
            Sample(
                kind=kind,
                status=int(status),
                code=code,
                registration_id=int(rid) if rid.isdigit() else None,
                latency=float(latency),
                at=float(at),
            )
        )
    errors = [line.strip() for line in wrk_output.splitlines() if "Socket errors" in line]
    if not samples:
        raise RuntimeError(f"wrk recorded no answers:\n{wrk_output}")
    return Run(samples=samples, started=min(firsts), ended=max(lasts), errors=errors)
