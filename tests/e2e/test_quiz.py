"""On a phone: a gated demo slot sends the participant to the December quiz; they play it one
question per screen, pass, come back and register. Plus axe-core on the quest and reward pages."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect

from openindustry.accounts.providers.vk import sign_vk_launch_params
from openindustry.quests.demo import QUIZ
from tests.e2e.conftest import E2E_VK_SECRET, PHONE, assert_accessible

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        shutil.which("chromium") is None,
        reason="browser tests need Debian's chromium on the PATH (apt-get install chromium)",
    ),
]

RIGHT = {text: {o for o, right in options if right} for text, options, _multiple in QUIZ}


def _sign_in_and_consent(page: Page) -> None:
    params = {
        "vk_user_id": str(int(time.time() * 1000) % 2_000_000_000 + 7),
        "vk_app_id": "51000000",
        "vk_platform": "mobile_iphone",
        "vk_language": "ru",
        "vk_is_app_user": "1",
        "vk_ts": str(int(time.time())),
    }
    page.goto(f"/entry?{sign_vk_launch_params(params, E2E_VK_SECRET)}")
    expect(page.get_by_role("link", name="Мои билеты")).to_be_visible()
    page.goto("/profile/consent")
    page.get_by_role("button", name="Даю согласие").click()
    expect(page.get_by_role("status").first).to_have_text("Спасибо! Согласие сохранено.")


def _gated_slot(live_server: str) -> dict[str, Any]:
    """An open demo slot that requires the quiz, not at a secure site, for ages up to 16."""
    response = httpx.get(f"{live_server}/api/v1/slots", params={"limit": 200}, timeout=10)
    assert response.status_code == 200
    for slot in response.json()["items"]:
        if (
            slot["required_tasks"]
            and slot["registration"]["state"] == "open"
            and slot["age_rating"] <= 16
            and not slot["requirements"]["id_document"]
            and slot["requirements"]["min_age"] is None
            and slot["seats_left"] >= 1
        ):
            return dict(slot)
    pytest.fail("the demo data has no open gated slot right now")


def test_play_the_quiz_pass_and_register_for_the_gated_slot(
    phone: Page, live_server: str, screenshots: Path
) -> None:
    page = phone
    slot = _gated_slot(live_server)
    slot_path = f"/slots/{slot['id']}"
    _sign_in_and_consent(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"], f"signed in, the page is {width}px wide"

    page.goto(slot_path)
    gate = page.locator("#gate")
    expect(gate).to_contain_text("Чтобы записаться, выполните задание:")
    expect(page.get_by_role("button", name="Записаться", exact=True)).to_have_count(0)
    page.screenshot(path=screenshots / "slot-gated.png", full_page=True)
    assert_accessible(page, "gated slot page")
    gate.get_by_role("link").first.click()

    expect(page).to_have_url(re.compile(r"/tasks/\d+\?next="))
    expect(page.locator("h1")).to_have_text("Декабрьская викторина о промышленности Москвы")
    page.screenshot(path=screenshots / "task-quiz.png", full_page=True)
    page.get_by_role("button", name="Начать викторину").click()

    _play_the_quiz(page, screenshots)

    expect(page.locator("h1")).to_have_text("Викторина пройдена!")
    expect(page.locator(".result__score")).to_have_text(f"{len(QUIZ)} из {len(QUIZ)}")
    expect(page.locator("main")).to_contain_text("Начислено: 50 баллов.")
    page.screenshot(path=screenshots / "quiz-result.png", full_page=True)
    assert_accessible(page, "quiz result")
    page.get_by_role("link", name="Вернуться к записи").click()

    expect(page).to_have_url(re.compile(rf"{slot_path}$"))
    expect(page.locator("#gate")).to_have_count(0)
    page.get_by_role("button", name="Записаться", exact=True).click()
    expect(page).to_have_url(re.compile(r"/me/tickets/\d+$"))
    expect(page.get_by_role("status").first).to_contain_text("вы записаны")
    expect(page.locator("svg.ticket-qr")).to_be_visible()
    page.screenshot(path=screenshots / "gated-ticket.png", full_page=True)

    _look_around(page, screenshots)


def _choose_right(page: Page, question: str) -> None:
    for label in page.locator(".quiz__option label").all():
        if label.inner_text().strip() in RIGHT[question]:
            label.click()


def _play_the_quiz(page: Page, screenshots: Path) -> None:
    """Answer every question right, one screen each, checking the timer and «Назад» on the way."""
    total = len(QUIZ)
    first = ""
    for number in range(1, total + 1):
        expect(page.locator(".quiz__step")).to_have_text(f"Вопрос {number} из {total}")
        question = page.locator(".quiz__text").inner_text().strip()
        assert question in RIGHT, question
        _choose_right(page, question)
        if number == 1:
            first = question
            expect(page.locator(".quiz__deadline")).to_contain_text("Время на попытку — до")
            expect(page.locator("[data-timer]")).to_have_text(re.compile(r"^1[45]:\d\d$"))
            page.screenshot(path=screenshots / "quiz-question.png", full_page=True)
            assert_accessible(page, "quiz question")
        if number == 2:
            # «Назад» keeps the answer given on the first screen.
            page.get_by_role("link", name="Назад").click()
            expect(page.locator(".quiz__step")).to_have_text(f"Вопрос 1 из {total}")
            # Questions come shuffled: the first may have several right options.
            expect(page.locator(".quiz__option input:checked")).to_have_count(len(RIGHT[first]))
            page.get_by_role("button", name="Далее").click()
            expect(page.locator(".quiz__step")).to_have_text(f"Вопрос 2 из {total}")
            _choose_right(page, question)
        if number < total:
            page.get_by_role("button", name="Далее").click()
        else:
            page.screenshot(path=screenshots / "quiz-last-question.png", full_page=True)
            page.get_by_role("button", name="Завершить").click()


def _look_around(page: Page, screenshots: Path) -> None:
    """The quest and reward pages, signed in after the quiz: screenshots and axe-core."""
    for path, name in [
        ("/tasks", "tasks"),
        ("/me/points", "points"),
        ("/leaderboard", "leaderboard"),
        ("/prizes", "prizes"),
    ]:
        page.goto(path)
        expect(page.locator("h1")).to_be_visible()
        page.screenshot(path=screenshots / f"{name}.png", full_page=True)
        assert_accessible(page, name)
    page.goto("/me/points")
    expect(page.locator(".ledger")).to_contain_text("+50")
    page.goto("/leaderboard")
    expect(page.locator(".leaders__item--me")).to_be_visible()


def test_the_header_menu_fits_a_phone_and_opens_without_javascript(
    browser: Browser, live_server: str, screenshots: Path
) -> None:
    context = browser.new_context(base_url=live_server, java_script_enabled=False, **PHONE)
    try:
        page = context.new_page()
        page.goto("/tasks")
        nav = page.locator(".site-nav")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["viewport"]["width"], f"the page is {width}px wide"
        right = nav.locator("summary").evaluate("el => el.getBoundingClientRect().right")
        assert right <= PHONE["viewport"]["width"] - 8, right
        page.get_by_text("Ещё", exact=True).click()
        prizes = nav.get_by_role("link", name="Призы")
        expect(prizes).to_be_visible()
        page.screenshot(path=screenshots / "nav-more-open.png")
        prizes.click()
        expect(page.locator("h1")).to_have_text("Призы")
    finally:
        context.close()
