"""Entering the mini-app from a messenger on a phone; the profile, companions, consent, sign-out."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import Page, expect

from openindustry.accounts.providers.webapp import sign_webapp_data
from tests.e2e.conftest import E2E_TELEGRAM_TOKEN, assert_accessible, vk_launch_query

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="browser tests need Debian's chromium on the PATH (apt-get install chromium)",
    ),
]


def test_enter_from_vk_and_manage_the_profile(phone: Page, screenshots: Path) -> None:
    page = phone
    page.goto(f"/entry?{vk_launch_query(int(time.time()))}")

    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    assert "sign" not in page.url
    assert "vk_" not in page.url
    expect(page.get_by_role("link", name="Профиль")).to_be_visible()
    expect(page.get_by_role("link", name="Войти")).to_have_count(0)
    page.screenshot(path=screenshots / "signed-in-home.png", full_page=True)

    page.get_by_role("link", name="Профиль").click()
    expect(page.locator("h1")).to_have_text("Профиль")
    page.screenshot(path=screenshots / "profile.png", full_page=True)
    assert_accessible(page, "profile")

    page.get_by_role("link", name="Добавить сопровождающего").click()
    expect(page.locator("h1")).to_have_text("Сопровождающие")
    expect(page.get_by_text("Пока никого")).to_be_visible()
    page.fill("#new-name", "Маша Петрова")
    page.fill("#new-birth_date", "2016-04-12")
    page.get_by_role("button", name="Добавить", exact=True).click()
    expect(page.get_by_role("status").first).to_have_text("Сопровождающий добавлен.")
    companion = page.locator(".companion")
    expect(companion.locator("h2")).to_have_text("Маша Петрова")
    expect(companion).to_contain_text("Ребёнок")
    expect(companion).to_contain_text("12 апреля 2016 г.")
    page.screenshot(path=screenshots / "companions.png", full_page=True)
    assert_accessible(page, "companions")

    page.get_by_text("Изменить", exact=False).first.click()
    page.screenshot(path=screenshots / "companions-edit.png", full_page=True)
    assert_accessible(page, "companions, editing")

    page.get_by_role("link", name="← Профиль").click()
    page.get_by_role("link", name="Прочитать и согласиться").click()
    expect(page.locator("h1")).to_have_text("Согласие на обработку персональных данных")
    page.screenshot(path=screenshots / "consent.png", full_page=True)
    assert_accessible(page, "consent")
    page.get_by_role("button", name="Даю согласие").click()
    expect(page).to_have_url(re.compile(r"/profile$"))
    expect(page.get_by_role("status").first).to_have_text("Спасибо! Согласие сохранено.")
    expect(page.locator("#consent-title + p")).to_contain_text("Дано")
    expect(page.locator("body")).to_contain_text("Маша Петрова")

    page.get_by_role("button", name="Выйти").click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("status").first).to_have_text("Вы вышли из профиля.")
    expect(page.get_by_role("link", name="Войти")).to_be_visible()
    page.goto("/profile")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fprofile$"))


def test_login_page_is_accessible(phone: Page, screenshots: Path) -> None:
    page = phone
    page.goto("/login")
    expect(page.locator("h1")).to_have_text("Вход по электронной почте")
    page.screenshot(path=screenshots / "login.png", full_page=True)
    assert_accessible(page, "login")
    page.fill("#email", "не почта")
    page.get_by_role("button", name="Получить код").click()
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=screenshots / "login-error.png", full_page=True)
    assert_accessible(page, "login, error")

    page.fill("#email", "guest@example.org")
    page.get_by_role("button", name="Получить код").click()
    expect(page).to_have_url(re.compile(r"/login/code\?"))
    # No SMTP on the live server: development mode shows the code on the page.
    note = page.get_by_text(re.compile(r"Режим разработки: письмо не отправлено, ваш код \d{6}"))
    expect(note).to_be_visible()
    page.screenshot(path=screenshots / "login-code.png", full_page=True)
    assert_accessible(page, "login code")
    code = re.search(r"\d{6}", note.inner_text())
    assert code
    page.fill("#code", code.group())
    page.get_by_role("button", name="Войти", exact=True).click()
    expect(page).to_have_url(re.compile(r"/$"))
    expect(page.get_by_role("link", name="Профиль")).to_be_visible()


def test_telegram_entry_posts_the_fragment(phone: Page, screenshots: Path) -> None:
    page = phone
    user = {"id": int(time.time()), "first_name": "Вера", "language_code": "ru"}
    fields = {"query_id": "AAE", "user": json.dumps(user), "auth_date": str(int(time.time()))}
    init_data = sign_webapp_data(fields, E2E_TELEGRAM_TOKEN)
    theme = json.dumps({"bg_color": "#ffffff", "button_color": "#2481cc"})
    fragment = f"tgWebAppData={quote(init_data, safe='')}&tgWebAppThemeParams={quote(theme)}"
    page.goto(f"/entry?next=/profile#{fragment}")

    expect(page).to_have_url(re.compile(r"/profile$"))
    assert "tgWebAppData" not in page.url
    expect(page.locator("#name")).to_have_value("Вера")
    page.screenshot(path=screenshots / "telegram-profile.png", full_page=True)


def test_tampered_fragment_ends_on_a_polite_page(phone: Page, screenshots: Path) -> None:
    page = phone
    fields = {"user": json.dumps({"id": 1}), "auth_date": str(int(time.time()))}
    init_data = sign_webapp_data(fields, "not-the-bot-token")
    page.goto(f"/entry#tgWebAppData={quote(init_data, safe='')}")
    expect(page.get_by_role("alert")).to_contain_text(
        "Не удалось подтвердить вход. Откройте приложение заново."
    )
    expect(page.get_by_role("link", name="Войти по электронной почте")).to_be_visible()
    page.wait_for_timeout(300)
    expect(page.get_by_role("alert")).to_have_count(1)  # no resubmission loop
    page.screenshot(path=screenshots / "entry-failed.png", full_page=True)
    assert_accessible(page, "entry failed")
