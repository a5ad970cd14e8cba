"""Real app processes for the fault tests: `openindustry serve` and `openindustry worker`.

Each process gets its configuration from the environment only, as in production; nothing of the
caller's own OPENINDUSTRY_* environment leaks in. Processes are killed and reaped by their owner
(the fixtures) whatever happens in the test.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def clean_environment(config: Mapping[str, str]) -> dict[str, str]:
    """The test's environment minus any OPENINDUSTRY_* setting, plus `config`."""
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("OPENINDUSTRY_")}
    # Unbuffered, so a process's log is complete up to the moment it is killed.
    return inherited | {"PYTHONUNBUFFERED": "1"} | dict(config)


@dataclass
class Process:
    """One child process with its log; `kill()` is SIGKILL, `stop()` a clean shutdown."""

    name: str
    command: list[str]
    env: dict[str, str]
    log: Path
    popen: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    def start(self) -> None:
        with self.log.open("ab") as output:
            self.popen = subprocess.Popen(
                self.command, env=self.env, stdout=output, stderr=subprocess.STDOUT
            )

    @property
    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL: no shutdown handler runs, sockets are closed by the kernel."""
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
        self.popen.wait()

    def stop(self) -> None:
        if self.popen is None:
            return
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self.popen.wait()

    def log_tail(self, lines: int = 30) -> str:
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return f"--- {self.name} ---\n" + "\n".join(text.splitlines()[-lines:])


@dataclass
class AppProcess(Process):
    port: int = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_healthy(self, timeout: float = 90.0) -> None:
        # Generous: importing the app takes seconds on a shared 2-core machine under load.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"{self.name} exited early\n{self.log_tail()}")
            try:
                if httpx.get(f"{self.base_url}/healthz", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} was not healthy within {timeout} s\n{self.log_tail()}")


def app_process(name: str, workdir: Path, config: Mapping[str, str]) -> AppProcess:
    port = free_port()
    command = [str(BIN / "openindustry"), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return AppProcess(name, command, clean_environment(config), workdir / f"{name}.log", port=port)


def worker_process(name: str, workdir: Path, config: Mapping[str, str]) -> Process:
    command = [str(BIN / "openindustry"), "worker"]
    return Process(name, command, clean_environment(config), workdir / f"{name}.log")


@dataclass
class RedisProcess(Process):
    """A Redis of the test's own (no persistence), so it can be killed without harm."""

    port: int = 0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive:
                raise RuntimeError(f"{self.name} exited early\n{self.log_tail()}")
            with socket.socket() as sock:
                sock.settimeout(0.5)
                try:
                    sock.connect(("127.0.0.1", self.port))
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.name} did not answer PING within {timeout} s")


def redis_process(workdir: Path) -> RedisProcess:
    port = free_port()
    command = [
        *("redis-server", "--port", str(port), "--bind", "127.0.0.1"),
        *("--save", "", "--appendonly", "no", "--dir", str(workdir)),
    ]
    return RedisProcess("redis", command, clean_environment({}), workdir / "redis.log", port=port)


@contextmanager
def running(*processes: Process) -> Iterator[None]:
    """Start every process (apps in parallel), wait until the apps answer /healthz; always reap."""
    with ExitStack() as stack:
        for process in processes:
            stack.callback(process.stop)
            process.start()
        for process in processes:
            if isinstance(process, AppProcess):
                process.wait_healthy()
            elif isinstance(process, RedisProcess):
                process.wait_ready()
        yield
