"""The messengers' SDKs, served from /static/vendor: loaded inside the messenger that shows the
pages, and only there. VK Bridge greets VK's page with VKWebAppInit (without it VK does not show
the mini-app); Telegram's script takes the theme passed in the launch data."""

from __future__ import annotations

import json
import re
import shutil
import time
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from playwright.sync_api import Browser, Page, expect

from openindustry.accounts.providers.webapp import sign_webapp_data
from tests.e2e.conftest import (
    E2E_TELEGRAM_TOKEN,
    E2E_VK_SECRET,
    FramingPage,
    _free_port,
    serving,
    vk_launch_query,
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="browser tests need Debian's chromium on the PATH (apt-get install chromium)",
    ),
]

VENDOR = "/static/vendor/"
VK_BRIDGE = "/static/vendor/vk-bridge.js"
TELEGRAM_SDK = "/static/vendor/telegram-web-app.js"
CSP_MESSAGE = re.compile(r"Content[ -]Security[ -]Policy", re.I)


def _requested(page: Page) -> list[str]:
    """The paths of every request the page and its frames make from now on."""
    paths: list[str] = []
    page.on("request", lambda request: paths.append(re.sub(r"^https?://[^/]+", "", request.url)))
    return paths


# VK --------------------------------------------------------------------------------------------


def _vk_page(app: str) -> str:
    """VK's web client as the mini-app sees it: the app in an iframe, launched with parameters
    signed per visit (they are only fresh for a while), keeping every message the frame posts."""
    return (
        "<!doctype html><title>VK</title><script>"
        "window.received = [];"
        'window.addEventListener("message", function (event) {'
        "  window.received.push({origin: event.origin, data: event.data});"
        "});"
        f'</script><iframe src="{app}/entry?{vk_launch_query(880_100)}"></iframe>'
    )


@pytest.fixture(scope="module")
def vk_page(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """(VK's page, the app) with the app letting only that page frame it, as VK's would."""
    port = _free_port()
    app = f"http://127.0.0.1:{port}"
    parent = FramingPage(lambda: _vk_page(app))
    workdir = tmp_path_factory.mktemp("vk")
    try:
        with serving(
            workdir, port, frame_ancestors=parent.origin, vk_app_secret=E2E_VK_SECRET
        ) as served:
            yield parent.url, served
    finally:
        parent.close()


def test_vk_entry_loads_vk_bridge_and_greets_vk(browser: Browser, vk_page: tuple[str, str]) -> None:
    parent_url, app = vk_page
    page = browser.new_page()
    page.set_default_timeout(10_000)
    requested = _requested(page)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if CSP_MESSAGE.search(m.text) else None)
    try:
        page.goto(parent_url)
        frame = page.frame_locator("iframe")
        # Signed in by VK's parameters, on the home page, the address clean again.
        expect(frame.get_by_role("link", name="Профиль")).to_be_visible()
        page.wait_for_function(
            "() => window.received.some(m => m.data && m.data.handler === 'VKWebAppInit')"
        )
        received = page.evaluate("window.received")
        greeting = next(m for m in received if m["data"].get("handler") == "VKWebAppInit")
        assert greeting["origin"] == app
        assert greeting["data"]["type"] == "vk-connect"
        inner = next(f for f in page.frames if f.url.startswith(app))
        assert inner.url == f"{app}/"  # neither the signature nor the platform mark stays
        assert inner.evaluate("window.openindustry.platform") == "vk"
    finally:
        page.close()
    assert VK_BRIDGE in requested
    assert TELEGRAM_SDK not in requested
    assert not refused, refused
    assert not errors, errors


# Telegram --------------------------------------------------------------------------------------

ACCENT = "#e23c3c"


def test_telegram_entry_loads_its_script_and_takes_the_theme(phone: Page) -> None:
    page = phone
    requested = _requested(page)
    user = {"id": int(time.time()) + 17, "first_name": "Лев", "language_code": "ru"}
    fields = {"query_id": "AAF", "user": json.dumps(user), "auth_date": str(int(time.time()))}
    init_data = sign_webapp_data(fields, E2E_TELEGRAM_TOKEN)
    theme = json.dumps({"bg_color": "#fdfcf7", "button_color": ACCENT, "text_color": "#202124"})
    fragment = (
        f"tgWebAppData={quote(init_data, safe='')}&tgWebAppVersion=8.0&tgWebAppPlatform=android"
        f"&tgWebAppThemeParams={quote(theme)}"
    )
    page.goto(f"/entry?next=/catalog#{fragment}")
    expect(page).to_have_url(re.compile(r"/catalog$"))
    expect(page.get_by_role("link", name="Профиль")).to_be_visible()

    accent = "getComputedStyle(document.documentElement).getPropertyValue('--c-accent').trim()"
    for path in ("/catalog", "/tasks"):  # every page of the tab, not only the first
        if path != "/catalog":
            page.goto(path)
        page.wait_for_function("() => window.Telegram && window.Telegram.WebApp")
        # The script read the launch data on the entry page and kept it for the tab.
        assert page.evaluate("window.Telegram.WebApp.themeParams.button_color") == ACCENT
        assert page.evaluate("window.openindustry.platform") == "telegram"
        page.wait_for_function(f"() => {accent} === '{ACCENT}'")
    assert requested.count(TELEGRAM_SDK) >= 3  # the entry page, /catalog, /tasks
    assert VK_BRIDGE not in requested


# The website -------------------------------------------------------------------------------------


def test_the_website_loads_no_messenger_script(phone: Page) -> None:
    page = phone
    requested = _requested(page)
    for path in ("/", "/catalog", "/entry"):
        page.goto(path)
        expect(page.locator("html")).to_have_class(re.compile(r"\bjs\b"))
    assert page.evaluate("window.openindustry.platform") == ""
    assert page.evaluate("typeof window.Telegram + typeof window.vkBridge") == "undefinedundefined"
    assert "/static/app.js" in requested  # the requests were seen
    assert not [path for path in requested if path.startswith(VENDOR)], requested
