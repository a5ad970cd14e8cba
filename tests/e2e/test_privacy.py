"""On a phone: download one's data from the profile, then delete the account by the typed word."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import assert_accessible, vk_launch_query

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="browser tests need Debian's chromium on the PATH (apt-get install chromium)",
    ),
]


def test_download_my_data_then_delete_the_profile(phone: Page, screenshots: Path) -> None:
    page = phone
    page.goto(f"/entry?{vk_launch_query(int(time.time() * 1000) % 2_000_000_000 + 7)}")
    expect(page.get_by_role("link", name="Мои билеты")).to_be_visible()
    page.goto("/profile")
    expect(page.locator("#data-title")).to_have_text("Ваши данные")

    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать мои данные").click()
    saved = download.value
    assert re.fullmatch(r"openindustry-my-data-\d{8}\.json", saved.suggested_filename)
    data = json.loads(Path(saved.path()).read_text(encoding="utf-8"))
    assert [i["provider"] for i in data["account"]["identities"]] == ["vk"]

    page.get_by_role("link", name="Удалить профиль", exact=True).click()
    expect(page.locator("h1")).to_have_text("Удалить профиль?")
    page.screenshot(path=screenshots / "account-delete.png", full_page=True)
    assert_accessible(page, "account deletion")

    page.fill("#confirmation", "не то")
    page.get_by_role("button", name="Удалить профиль навсегда").click()
    expect(page.locator("#confirmation")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#confirmation-error")).to_have_text(
        "Напишите слово УДАЛИТЬ, чтобы удалить профиль."
    )
    assert_accessible(page, "account deletion, wrong word")

    page.fill("#confirmation", "УДАЛИТЬ")
    page.get_by_role("button", name="Удалить профиль навсегда").click()
    expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/$"))
    expect(page.get_by_role("status").first).to_have_text(
        "Профиль удалён. Спасибо, что были с нами."
    )
    expect(page.get_by_role("link", name="Войти")).to_be_visible()
    page.goto("/profile")
    expect(page).to_have_url(re.compile(r"/login\?next=%2Fprofile$"))
