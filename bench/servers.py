"""Server processes under test: started in their own process group, always stopped.

Every process started here is remembered; `stop_all` (called from `finally`, from atexit and
on SIGTERM/SIGINT) ends each group — uvicorn's supervisor and its workers — so a failed or
interrupted benchmark leaves nothing running.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_RUNNING: list[subprocess.Popen[bytes]] = []


@dataclass
class Server:
    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def worker_pids(self) -> list[int]:
        """The worker processes (children of uvicorn's supervisor, or the server itself)."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        pids = [int(p) for p in children.read_text().split()] if children.exists() else []
        return [p for p in pids if _is_python(p)] or [self.process.pid]


def _is_python(pid: int) -> bool:
    # multiprocessing's resource tracker is a child too; the workers run uvicorn's code.
    with contextlib.suppress(OSError):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        return b"resource_tracker" not in cmdline
    return False


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(name: str, command: list[str], env: dict[str, str], log_dir: Path, health: str) -> Server:
    """Start `command` (which must listen on the port in its URL) and wait until it answers."""
    server = launch(name, command, env, log_dir)
    wait_ready(server, health)
    return server


def launch(name: str, command: list[str], env: dict[str, str], log_dir: Path) -> Server:
    """Start `command` with a free port put in for "{port}"; `wait_ready` before using it."""
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    log = log_dir / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    _RUNNING.append(process)
    return Server(name=name, url=f"http://127.0.0.1:{port}", process=process, log=log)


def wait_ready(server: Server, health: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited:\n{server.log.read_text()[-3000:]}")
        with (
            contextlib.suppress(OSError, urllib.error.URLError),
            urllib.request.urlopen(server.url + health, timeout=2) as answer,  # noqa: S310
        ):
            if answer.status == 200:
                time.sleep(0.5)  # let every worker finish its start-up
                return
        time.sleep(0.2)
    stop(server)
    raise RuntimeError(f"{server.name} did not answer {health} within {timeout:.0f} s")


def stop(server: Server) -> None:
    _stop(server.process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    # Workers left behind by a supervisor that died first are in the same group.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if process in _RUNNING:
        _RUNNING.remove(process)


def stop_all() -> None:
    for process in list(_RUNNING):
        _stop(process)


@contextlib.contextmanager
def running(*args: object, **kwargs: object) -> Iterator[Server]:
    server = start(*args, **kwargs)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        stop(server)


def _on_signal(signum: int, _frame: object) -> None:
    stop_all()
    sys.exit(128 + signum)


def install_cleanup() -> None:
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)


def venv_bin(name: str) -> str:
    """A console script of the interpreter running the benchmark (the project's venv)."""
    candidate = Path(sys.executable).parent / name
    return str(candidate) if candidate.exists() else name
