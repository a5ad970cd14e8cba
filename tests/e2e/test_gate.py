"""The gate on a phone and the dashboard on a laptop, in a real browser against the live server."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from openindustry.accounts.providers.vk import sign_vk_launch_params
from tests.e2e.conftest import BIN, E2E_TELEGRAM_TOKEN, E2E_VK_SECRET, PHONE, assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="browser tests need Debian's chromium on the PATH (apt-get install chromium)",
    ),
]

LAPTOP: dict[str, Any] = {
    "viewport": {"width": 1280, "height": 800},
    "locale": "ru-RU",
    "timezone_id": "Europe/Moscow",
}
assert E2E_TELEGRAM_TOKEN  # the same live server as the other browser tests


@dataclass
class World:
    host_email: str
    organizer_email: str
    slot_id: int
    ticket: str
    offline_ticket: str


def _cli(database_url: str, *args: str) -> str:
    env = {"OPENINDUSTRY_DATABASE_URL": database_url, "OPENINDUSTRY_ENVIRONMENT": "development"}
    import os

    done = subprocess.run(
        [str(BIN / "openindustry"), *args],
        env=os.environ | env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def world(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> World:
    """Staff accounts in the live server's database, a slot today and a participant's ticket."""
    found = sorted(tmp_path_factory.getbasetemp().glob("e2e*/e2e.db"))
    assert found, "the live server's database was not found"
    database_url = f"sqlite+aiosqlite:///{found[-1]}"
    stamp = str(time.time_ns())
    organizer = f"organizer{stamp}@example.org"
    _cli(database_url, "admin", "create-user", "--email", organizer, "--role", "organizer")
    token = _cli(database_url, "admin", "token", "--email", organizer).strip().split()[-1]
    api = httpx.Client(base_url=live_server, timeout=10)
    staff = {"Authorization": f"Bearer {token}"}
    program = api.get("/api/v1/programs").json()["items"][0]
    now = datetime.now(UTC)
    slot = api.post(
        "/api/v1/admin/slots",
        headers=staff,
        json={
            "program_id": program["id"],
            "starts_at": (now + timedelta(minutes=90)).isoformat(),
            "ends_at": (now + timedelta(minutes=150)).isoformat(),
            "capacity": 10,
            "registration": {
                "opens_at": (now - timedelta(hours=1)).isoformat(),
                "closes_at": (now + timedelta(minutes=60)).isoformat(),
            },
        },
    )
    assert slot.status_code == 201, slot.text
    slot_id = slot.json()["id"]
    enterprise_id = slot.json()["enterprise_id"]
    host = f"host{stamp}@example.org"
    _cli(
        database_url, "admin", "create-user", "--email", host, "--role", "host",
        "--enterprise", str(enterprise_id),
    )  # fmt: skip

    ticket = _book(api, slot_id, int(stamp[-9:]), "Анна Гостева")
    offline_ticket = _book(api, slot_id, int(stamp[-9:]) + 1, "Борис Офлайнов")
    api.close()
    return World(host, organizer, slot_id, ticket, offline_ticket)


def _book(api: httpx.Client, slot_id: int, vk_user: int, name: str) -> str:
    """A participant signed in from VK, with consent, registered for the slot: the ticket code."""
    params = {
        "vk_user_id": str(vk_user),
        "vk_app_id": "51000000",
        "vk_platform": "mobile_iphone",
        "vk_language": "ru",
        "vk_ts": str(int(time.time())),
    }
    launch = sign_vk_launch_params(params, E2E_VK_SECRET)
    signed = api.post("/api/v1/auth/vk", json={"launch_params": launch})
    assert signed.status_code == 200, signed.text
    me = {"Authorization": f"Bearer {signed.json()['token']}"}
    version = api.get("/api/v1/consent").json()["version"]
    assert api.post("/api/v1/me/consent", headers=me, json={"version": version}).status_code == 200
    api.patch("/api/v1/me", headers=me, json={"name": name, "birth_date": "1990-05-20"})
    booked = api.post(f"/api/v1/slots/{slot_id}/registrations", headers=me, json={})
    assert booked.status_code == 201, booked.text
    return str(booked.json()["ticket_code"])


def _context_page(browser: Browser, live_server: str, options: dict[str, Any]) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server, **options)
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Page]:
    yield from _context_page(browser, live_server, PHONE)


@pytest.fixture
def laptop(browser: Browser, live_server: str) -> Iterator[Page]:
    yield from _context_page(browser, live_server, LAPTOP)


def _sign_in(page: Page, email: str, target: str) -> None:
    page.goto(f"/backoffice/login?next={target}")
    page.fill("#email", email)
    page.get_by_role("button", name="Получить код").click()
    note = page.get_by_text(re.compile(r"Режим разработки: письмо не отправлено, ваш код \d{6}"))
    expect(note).to_be_visible()
    code = re.search(r"\d{6}", note.inner_text())
    assert code
    page.fill("#code", code.group())
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(target) + "$"))


def test_a_host_checks_a_guest_in_by_typing_the_code(
    phone: Page, world: World, screenshots: Path
) -> None:
    page = phone
    _sign_in(page, world.host_email, "/backoffice/gate")
    page.get_by_role("link", name="Отмечать вход").first.click()
    expect(page).to_have_url(re.compile(rf"/backoffice/gate/{world.slot_id}$"))
    expect(page.get_by_label("Код билета")).to_be_visible()
    page.screenshot(path=screenshots / "gate-empty.png", full_page=True)
    assert_accessible(page, "gate")

    page.fill("#code", world.ticket)
    page.get_by_role("button", name="Отметить").click()
    expect(page.get_by_text("Проходите!")).to_be_visible()
    expect(page.get_by_text("Анна Гостева").first).to_be_visible()
    page.screenshot(path=screenshots / "gate-checked-in.png", full_page=True)
    assert_accessible(page, "gate, checked in")

    page.fill("#code", world.ticket)
    page.get_by_role("button", name="Отметить").click()
    expect(page.get_by_text(re.compile(r"Уже отмечен в \d\d:\d\d"))).to_be_visible()
    page.screenshot(path=screenshots / "gate-already.png", full_page=True)

    page.get_by_role("link", name="Список гостей").first.click()
    expect(page.get_by_role("heading", name="Список гостей")).to_be_visible()
    expect(page.get_by_text(re.compile(r"пришли в \d\d:\d\d"))).to_be_visible()
    page.screenshot(path=screenshots / "guests.png", full_page=True)
    assert_accessible(page, "guest list")


def test_offline_check_in_is_synced_later(phone: Page, world: World, screenshots: Path) -> None:
    page = phone
    _sign_in(page, world.host_email, f"/backoffice/gate/{world.slot_id}")
    page.get_by_role("button", name="Скачать список для работы без связи").click()
    expect(page.locator("#gate-offline-status")).to_contain_text("Список сохранён")

    page.context.set_offline(True)
    page.fill("#code", world.offline_ticket)
    page.get_by_role("button", name="Отметить").click()
    expect(page.get_by_text("Проходите! (без связи)")).to_be_visible()
    expect(page.locator("#gate-offline-status")).to_contain_text("Ждут отправки: 1")
    page.fill("#code", world.offline_ticket)
    page.get_by_role("button", name="Отметить").click()
    expect(page.get_by_text(re.compile(r"Уже отмечен в \d\d:\d\d \(без связи\)"))).to_be_visible()
    page.screenshot(path=screenshots / "gate-offline.png", full_page=True)

    page.context.set_offline(False)
    expect(page.locator("#gate-offline-status")).to_contain_text("Отправлено отметок: 1")
    page.goto(f"/backoffice/slots/{world.slot_id}/guests")
    # His row, whichever other guests this worker's earlier tests checked in.
    boris = page.locator("tr", has_text="Борис Офлайнов")
    expect(boris).to_contain_text(re.compile(r"пришли в \d\d:\d\d"))


def test_the_dashboard_renders_its_charts(laptop: Page, world: World, screenshots: Path) -> None:
    page = laptop
    _sign_in(page, world.organizer_email, "/backoffice/stats")
    expect(page.get_by_role("heading", name="Статистика", exact=True)).to_be_visible()
    assert page.locator(".chart svg").count() >= 3
    assert page.locator("main script").count() == 0
    expect(page.get_by_role("heading", name=re.compile("Посещаемость"))).to_be_visible()
    expect(page.get_by_role("heading", name=re.compile("Охват"))).to_be_visible()
    page.screenshot(path=screenshots / "dashboard.png", full_page=True)
    assert_accessible(page, "dashboard")
