"""An organizer creates a series in the catalog and fills it with the bulk scheduler.

At a laptop (1280×800) and a tablet (820×1180); the organizer signs in at /backoffice/login with
the code that development mode shows on the page; axe-core finds nothing serious or critical.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="browser tests need Debian's chromium on the PATH (apt-get install chromium)",
    ),
]

ORGANIZER = "organizer-e2e@example.org"
SCREENS: dict[str, dict[str, Any]] = {
    "laptop": {"viewport": {"width": 1280, "height": 800}},
    "tablet": {"viewport": {"width": 820, "height": 1180}, "has_touch": True},
}


@pytest.fixture(scope="module")
def organizer(live_server: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An organizer account in the live server's database, made with the admin command."""
    databases = sorted(tmp_path_factory.getbasetemp().glob("e2e*/e2e.db"))
    assert databases, "the live server's database was not found"
    env = os.environ | {
        "OPENINDUSTRY_DATABASE_URL": f"sqlite+aiosqlite:///{databases[-1]}",
        "OPENINDUSTRY_ENVIRONMENT": "development",
    }
    command = [str(Path(sys.executable).parent / "openindustry"), "admin", "create-user"]
    made = subprocess.run(
        [*command, "--email", ORGANIZER, "--role", "organizer", "--name", "Организатор"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert made.returncode == 0, made.stdout + made.stderr
    return ORGANIZER


@pytest.fixture(params=list(SCREENS))
def office(request: pytest.FixtureRequest, browser: Browser, live_server: str) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server, locale="ru-RU", timezone_id="Europe/Moscow", **SCREENS[request.param]
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.screen = request.param  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors: {errors}"


def _sign_in(page: Page, email: str) -> None:
    page.goto("/backoffice/login?next=/backoffice/catalog")
    page.fill("#email", email)
    page.get_by_role("button", name="Получить код").click()
    note = page.get_by_text(re.compile(r"Режим разработки: письмо не отправлено, ваш код \d{6}"))
    expect(note).to_be_visible()
    code = re.search(r"\d{6}", note.inner_text())
    assert code
    page.fill("#code", code.group())
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page).to_have_url(re.compile(r"/backoffice/catalog$"))


def test_organizer_creates_a_series_with_the_bulk_scheduler(
    office: Page, organizer: str, screenshots: Path
) -> None:
    page = office
    screen: str = page.screen  # type: ignore[attr-defined]
    _sign_in(page, organizer)
    expect(page.locator("h1")).to_have_text("Каталог программы")
    assert_accessible(page, "catalog")

    # A series a few weeks ahead, so every weekday in it is still to come.
    today = datetime.now(UTC).date()
    start = today + timedelta(days=21 - today.weekday())  # a Monday three weeks on
    end = start + timedelta(days=11)  # to Friday of the next week
    title = f"Зимняя серия ({screen})"
    page.fill("#series-title", title)
    page.fill("#series-starts_on", start.isoformat())
    page.fill("#series-ends_on", end.isoformat())
    page.screenshot(path=screenshots / f"backoffice-catalog-{screen}.png", full_page=True)
    page.get_by_role("button", name="Сохранить серию").click()
    expect(page.get_by_text("Изменения сохранены.")).to_be_visible()
    expect(page.get_by_role("cell", name=title, exact=True)).to_be_visible()

    page.get_by_role("link", name=f"Расписание {title}").click()
    expect(page.locator("h1")).to_have_text("Расписание")
    # Sensible defaults: the series' dates, Monday to Friday, 11:00 and 15:00.
    expect(page.locator("#date_from")).to_have_value(start.isoformat())
    expect(page.locator("#date_to")).to_have_value(end.isoformat())
    expect(page.locator("#times")).to_have_value("11:00, 15:00")
    expect(page.locator("#weekday-0")).to_be_checked()
    expect(page.locator("#weekday-5")).not_to_be_checked()
    assert_accessible(page, "scheduler")

    # A demo program per screen, early and late, clear of the demo's own tours.
    page.locator("#program_id").select_option(index=1 if screen == "laptop" else 3)
    page.fill("#times", "08:00\n19:00")
    page.get_by_role("button", name="Показать, что получится").click()
    expect(page.get_by_role("heading", name="Будет создано: 20")).to_be_visible()
    expect(page.locator("table").first.locator("tbody tr")).to_have_count(20)
    page.screenshot(path=screenshots / f"backoffice-schedule-preview-{screen}.png", full_page=True)
    assert_accessible(page, "scheduler preview")

    page.get_by_role("button", name="Создать 20 экскурсий").click()
    expect(page.get_by_text("Экскурсии созданы.")).to_be_visible()
    slots = page.locator("#slots tbody tr")
    expect(slots).to_have_count(20)
    page.screenshot(path=screenshots / f"backoffice-schedule-created-{screen}.png", full_page=True)

    slots.first.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Количество мест")).to_be_visible()
    expect(page.get_by_text("Записей пока нет.")).to_be_visible()
    page.screenshot(path=screenshots / f"backoffice-slot-{screen}.png", full_page=True)
    assert_accessible(page, "slot registrations")
