"""A citizen on a phone: home, catalog, an industry filter, a slot; accessibility; no JavaScript."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.e2e.conftest import PHONE, assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="browser tests need Debian's chromium on the PATH (apt-get install chromium)",
    ),
]

STATE_WORDS = re.compile(
    r"Запись откроется \d+ \w+ в\s\d\d:\d\d|Идёт запись|Мест нет, можно встать в лист ожидания"
    r"|Запись по жребию до \d+ \w+, \d\d:\d\d|Запись закрыта"
)


def _choose_industry(page: Page) -> str:
    options = page.locator("#industry option").evaluate_all("els => els.map(e => e.value)")
    return "space" if "space" in options else next(v for v in options if v)


def test_a_citizen_finds_a_tour(phone: Page, screenshots: Path) -> None:
    page = phone
    page.goto("/")
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_role("link", name="Открытая промышленность")).to_be_visible()
    assert page.locator(".stat dd").first.inner_text().strip().isdigit()
    page.screenshot(path=screenshots / "home.png", full_page=True)
    assert_accessible(page, "home")

    page.get_by_role("link", name="Выбрать экскурсию").click()
    expect(page).to_have_url(re.compile(r"/catalog$"))
    expect(page.locator("h1")).to_have_text("Каталог экскурсий")
    page.screenshot(path=screenshots / "catalog.png", full_page=True)
    assert_accessible(page, "catalog")

    page.get_by_text("Фильтры", exact=True).click()
    industry = _choose_industry(page)
    with page.expect_navigation():
        page.select_option("#industry", industry)  # app.js submits the form on change
    expect(page).to_have_url(re.compile(rf"industry={industry}"))
    expect(page.locator("#industry")).to_have_value(industry)
    cards = page.locator(".slot-card")
    assert cards.count() > 0
    expect(page.locator(".results-title")).to_contain_text("Найдено экскурсий")
    page.screenshot(path=screenshots / "catalog-filtered.png", full_page=True)

    first = cards.first.locator(".card__link")
    title = first.inner_text().strip()
    first.click()
    expect(page).to_have_url(re.compile(r"/slots/\d+$"))
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator(".when__day")).to_have_text(re.compile(r"^\d{1,2} [а-я]+, [а-я]+$"))
    expect(page.locator(".when__time")).to_have_text(re.compile(r"^\d\d:\d\d–\d\d:\d\d$"))
    expect(page.locator(".seats")).to_have_text(re.compile(r"^\d+ из \d+$"))
    expect(page.locator(".register__state")).to_have_text(STATE_WORDS)
    page.screenshot(path=screenshots / "slot.png", full_page=True)
    assert_accessible(page, "slot")

    page.locator(".lead a").click()
    expect(page).to_have_url(re.compile(r"/enterprises/[a-z0-9-]+$"))
    expect(page.get_by_role("heading", name="Программы")).to_be_visible()
    page.screenshot(path=screenshots / "enterprise.png", full_page=True)
    assert_accessible(page, "enterprise")
    page.locator(".cards").first.locator(".card__link").first.click()
    expect(page).to_have_url(re.compile(r"/programs/\d+$"))
    page.screenshot(path=screenshots / "program.png", full_page=True)
    assert_accessible(page, "program")


def test_dark_theme_and_english(browser: Browser, live_server: str, screenshots: Path) -> None:
    context: BrowserContext = browser.new_context(
        base_url=live_server, color_scheme="dark", **PHONE
    )
    try:
        page = context.new_page()
        page.goto("/catalog?lang=en")
        expect(page.locator("h1")).to_have_text("Tour catalogue")
        page.screenshot(path=screenshots / "catalog-dark-en.png", full_page=True)
        assert_accessible(page, "catalog, dark, English")
        page.locator(".card__link").first.click()
        expect(page.locator(".register__state")).to_be_visible()
        page.screenshot(path=screenshots / "slot-dark-en.png", full_page=True)
        assert_accessible(page, "slot, dark, English")
        page.goto("/slots/2147483647")
        expect(page.locator("h1")).to_have_text("Page not found")
        page.screenshot(path=screenshots / "not-found-dark-en.png", full_page=True)
        assert_accessible(page, "404, dark, English")
    finally:
        context.close()


def test_the_catalog_works_without_javascript(
    browser: Browser, live_server: str, screenshots: Path
) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False, **PHONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        page.goto("/catalog")
        total = page.locator(".slot-card").count()
        assert total > 0
        page.locator("main summary").click()  # <details> opens natively
        industry = _choose_industry(page)
        page.select_option("#industry", industry)
        page.wait_for_timeout(300)
        expect(page).to_have_url(re.compile(r"/catalog$"))  # nothing submits by itself
        with page.expect_navigation():
            page.get_by_role("button", name="Показать", exact=True).click()
        expect(page).to_have_url(re.compile(rf"industry={industry}"))
        assert 0 < page.locator(".slot-card").count() <= total
        page.screenshot(path=screenshots / "catalog-no-js.png", full_page=True)

        expect(page.locator("summary .count")).to_have_text("1")  # the active filter is counted
        page.locator("main summary").click()
        page.fill("#date_from", "2030-12-20")
        page.fill("#date_to", "2030-12-10")
        with page.expect_navigation():
            page.get_by_role("button", name="Показать", exact=True).click()
        expect(page.get_by_role("alert")).to_contain_text("Дата «по» раньше даты «с».")
        expect(page.locator("#date_to")).to_have_attribute("aria-invalid", "true")
        page.screenshot(path=screenshots / "catalog-error.png", full_page=True)

        page.goto("/catalog")
        more = page.locator("a[data-more]")
        if more.count():
            with page.expect_navigation():
                more.click()
            expect(page).to_have_url(re.compile(r"offset=\d+"))
            assert page.locator(".slot-card").count() > 0
    finally:
        context.close()
