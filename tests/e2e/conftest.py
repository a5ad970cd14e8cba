"""A real `openindustry serve` on a fresh SQLite file with the demo data, and Debian's chromium.

Everything here is synchronous: Playwright's sync API must not run inside an asyncio loop.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = shutil.which("chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NO_CHROMIUM = "browser tests need Debian's chromium on the PATH (apt-get install chromium)"
BIN = Path(sys.executable).parent
# The live server verifies launch data signed with these, as the messengers would sign it.
E2E_VK_SECRET = "e2e-vk-app-secret"
E2E_TELEGRAM_TOKEN = "123456:e2e-telegram-bot-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server did not become healthy in 30 s:\n{log.read_text()}")


def _environment(database: Path, settings: dict[str, str]) -> dict[str, str]:
    env = os.environ | {
        "OPENINDUSTRY_DATABASE_URL": f"sqlite+aiosqlite:///{database}",
        "OPENINDUSTRY_ENVIRONMENT": "development",
    }
    return env | {f"OPENINDUSTRY_{name.upper()}": value for name, value in settings.items()}


@contextlib.contextmanager
def serving(
    workdir: Path, port: int, *, database: str = "app.db", **settings: str
) -> Iterator[str]:
    """`openindustry serve` on the SQLite file `database` in `workdir` (migrated by `serve`
    itself) with these extra OPENINDUSTRY_* settings; yields its base URL while it runs."""
    base_url = f"http://127.0.0.1:{port}"
    log = workdir / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BIN / "openindustry"), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=_environment(workdir / database, settings),
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_healthy(base_url, process, log)
            yield base_url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The base URL of a served app with the demo program loaded."""
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    workdir = tmp_path_factory.mktemp("e2e")
    secrets = {"vk_app_secret": E2E_VK_SECRET, "telegram_bot_token": E2E_TELEGRAM_TOKEN}
    demo = subprocess.run(
        [str(BIN / "openindustry"), "demo"],
        check=False,
        env=_environment(workdir / "e2e.db", secrets),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if demo.returncode != 0:
        pytest.fail(f"`openindustry demo` failed:\n{demo.stdout}\n{demo.stderr}")
    with serving(workdir, _free_port(), database="e2e.db", **secrets) as base_url:
        yield base_url


class FramingPage:
    """A page on another origin that shows the app in an iframe, as a messenger's web client;
    `html()` makes the page for each visit. `url` is its address, `origin` what the app's
    `frame_ancestors` must list to admit it."""

    def __init__(self, html: Callable[[], str]) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = html().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.url = f"{self.origin}/"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if CHROMIUM is None:
        pytest.skip(NO_CHROMIUM)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def screenshots(artifacts_dir: Path) -> Path:
    path = artifacts_dir / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


# Shared by the browser tests: a phone as participants hold it, axe-core's verdict, VK entry.
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "ru-RU",
    "timezone_id": "Europe/Moscow",
}
BLOCKING = {"serious", "critical"}


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Page]:
    """A phone-sized page that fails its test if the page throws a JavaScript error."""
    context = browser.new_context(base_url=live_server, **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def assert_accessible(page: Page, name: str) -> None:
    """No serious or critical axe-core violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    blocking = [v for v in results.response["violations"] if v["impact"] in BLOCKING]
    assert not blocking, f"{name}: " + results.generate_report()


def vk_launch_query(user_id: int) -> str:
    """Launch parameters as VK would pass them, signed with the live server's secret."""
    from openindustry.accounts.providers.vk import sign_vk_launch_params

    params = {
        "vk_user_id": str(user_id),
        "vk_app_id": "51000000",
        "vk_platform": "mobile_iphone",
        "vk_language": "ru",
        "vk_is_app_user": "1",
        "vk_ts": str(int(time.time())),
    }
    return sign_vk_launch_params(params, E2E_VK_SECRET)
