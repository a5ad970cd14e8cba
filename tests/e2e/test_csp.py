"""The pages under their Content-Security-Policy in a real chromium: the browser refuses nothing
on them (scripts run, charts and QR codes show), and `frame-ancestors` lets a listed origin show
the pages in a frame, as the messengers' web clients do, while keeping any other origin out."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import BIN, PHONE, FramingPage, _free_port, serving, vk_launch_query

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="browser tests need Debian's chromium on the PATH (apt-get install chromium)",
    ),
]

CSP_MESSAGE = re.compile(r"Content[ -]Security[ -]Policy|frame-ancestors", re.I)
ORGANIZER = "csp-organizer@example.org"


def _watch(page: Page) -> list[str]:
    """Every console message in which the browser reports refusing something under the CSP."""
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if CSP_MESSAGE.search(m.text) else None)
    return refused


def _visit(page: Page, paths: list[str]) -> None:
    for path in paths:
        response = page.goto(path)
        assert response is not None
        assert response.status < 400, (path, response.status)
        # app.js ran (script-src 'self' admits it): it marks the document.
        expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))


def test_participant_pages_run_under_their_policy(browser: Browser, live_server: str) -> None:
    slots = httpx.get(f"{live_server}/api/v1/slots", params={"limit": 5}, timeout=10).json()
    tasks = httpx.get(f"{live_server}/api/v1/tasks", params={"limit": 5}, timeout=10).json()
    context = browser.new_context(base_url=live_server, **PHONE)
    page = context.new_page()
    refused = _watch(page)
    try:
        _visit(page, ["/login", "/catalog"])
        page.goto(f"/entry?{vk_launch_query(880_001)}")
        expect(page).to_have_url(f"{live_server}/")
        _visit(
            page,
            [
                "/",
                f"/slots/{slots['items'][0]['id']}",
                "/tasks",
                f"/tasks/{tasks['items'][0]['id']}",
                "/prizes",
                "/leaderboard",
                "/me/tickets",
                "/profile",
            ],
        )
    finally:
        context.close()
    assert not refused, refused


@pytest.fixture(scope="module")
def organizer(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    databases = sorted(tmp_path_factory.getbasetemp().glob("e2e*/e2e.db"))
    assert databases, "the live server's database was not found"
    env = os.environ | {
        "OPENINDUSTRY_DATABASE_URL": f"sqlite+aiosqlite:///{databases[-1]}",
        "OPENINDUSTRY_ENVIRONMENT": "development",
    }
    command = [str(BIN / "openindustry"), "admin", "create-user", "--email", ORGANIZER]
    made = subprocess.run(
        [*command, "--role", "organizer", "--name", "Организатор"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    return ORGANIZER


def test_back_office_pages_run_under_their_policy(
    browser: Browser, live_server: str, organizer: str
) -> None:
    context = browser.new_context(base_url=live_server, viewport={"width": 1280, "height": 800})
    page = context.new_page()
    refused = _watch(page)
    try:
        page.goto("/backoffice/login?next=/backoffice/stats")
        page.fill("#email", organizer)
        page.get_by_role("button", name="Получить код").click()
        note = page.get_by_text(re.compile(r"ваш код \d{6}"))
        code = re.search(r"\d{6}", note.inner_text())
        assert code
        page.fill("#code", code.group())
        page.get_by_role("button", name="Войти", exact=True).click()
        expect(page).to_have_url(re.compile(r"/backoffice/stats$"))
        expect(page.locator("figure.chart svg").first).to_be_visible()  # pygal, inline styles
        _visit(page, ["/backoffice/stats", "/backoffice/gate", "/backoffice/catalog"])
    finally:
        context.close()
    assert not refused, refused


# Framing ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def framed_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, FramingPage]]:
    """The app served with only the parent page's origin in `frame_ancestors`."""
    port = _free_port()
    login = f"http://127.0.0.1:{port}/login"
    parent = FramingPage(
        lambda: f'<!doctype html><title>messenger</title><iframe src="{login}"></iframe>'
    )
    try:
        workdir = tmp_path_factory.mktemp("framed")
        with serving(workdir, port, frame_ancestors=parent.origin) as base_url:
            yield base_url, parent
    finally:
        parent.close()


def test_a_listed_origin_may_frame_the_pages(
    browser: Browser, framed_app: tuple[str, FramingPage]
) -> None:
    _, parent = framed_app
    page = browser.new_page()
    refused = _watch(page)
    try:
        page.goto(f"http://127.0.0.1:{parent.port}/")
        expect(page.frame_locator("iframe").locator("#email")).to_be_visible()
    finally:
        page.close()
    assert not refused, refused


def test_any_other_origin_is_kept_out(
    browser: Browser, framed_app: tuple[str, FramingPage]
) -> None:
    _, parent = framed_app
    page = browser.new_page()
    refused = _watch(page)
    try:
        # The same parent page, reached by another name: another origin, not in the list.
        page.goto(f"http://localhost:{parent.port}/")
        page.wait_for_load_state("load")
        expect(page.frame_locator("iframe").locator("#email")).to_have_count(0)
        page.wait_for_timeout(300)  # the console report follows the refusal
    finally:
        page.close()
    assert any("frame-ancestors" in message for message in refused), refused
