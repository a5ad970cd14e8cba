"""A parent on a phone registers with a child, gets the QR ticket, cancels, and the seats return."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
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

CHILD = "Маша Петрова"
CHILD_BIRTH_DATE = "2016-04-12"  # nine or older in any demo December: fits a 6+ program


def _family_slot(live_server: str) -> dict[str, Any]:
    """An open first-come demo slot for ages 6 and under, not at a secure site, with seats."""
    response = httpx.get(f"{live_server}/api/v1/slots", params={"limit": 200}, timeout=10)
    assert response.status_code == 200
    for slot in response.json()["items"]:
        if (
            slot["registration"]["state"] == "open"
            and slot["registration"]["mode"] == "fcfs"
            and slot["age_rating"] <= 6
            and not slot["requirements"]["id_document"]
            and slot["requirements"]["min_age"] is None
            and slot["seats_left"] >= 4
            and not slot["required_tasks"]  # the gated ones are tests/e2e/test_quiz.py's
        ):
            return dict(slot)
    pytest.fail("the demo data has no open family slot right now")


def _seats_left(page: Page) -> int:
    found = re.match(r"\s*(\d+) из \d+", page.locator("dd.seats").inner_text())
    assert found, page.locator("dd.seats").inner_text()
    return int(found.group(1))


def test_register_with_a_child_get_the_ticket_cancel_and_the_seats_return(
    phone: Page, live_server: str, screenshots: Path
) -> None:
    page = phone
    slot = _family_slot(live_server)
    slot_path = f"/slots/{slot['id']}"

    # Signed out, the slot page invites to sign in and come back.
    page.goto(slot_path)
    expect(page.get_by_role("link", name="Войдите, чтобы записаться")).to_be_visible()

    _sign_in_and_consent(page)
    page.goto(slot_path)
    seats_before = _seats_left(page)
    _add_a_child_on_the_way(page, slot_path)
    page.screenshot(path=screenshots / "slot-signed-in.png", full_page=True)
    assert_accessible(page, "slot page, signed in")

    page.get_by_label(re.compile(CHILD)).check()
    page.get_by_role("button", name="Записаться", exact=True).click()

    expect(page).to_have_url(re.compile(r"/me/tickets/\d+$"))
    _check_the_ticket(page, screenshots)
    ticket_url = page.url

    page.get_by_role("link", name="Мои билеты").first.click()
    expect(page.locator("h1")).to_have_text("Мои билеты")
    expect(page.locator(".ticket-card")).to_contain_text("Подтверждено")
    page.screenshot(path=screenshots / "my-tickets.png", full_page=True)
    assert_accessible(page, "my tickets")

    page.goto(slot_path)
    assert _seats_left(page) == seats_before - 2
    expect(page.get_by_text("Вы записаны на эту экскурсию.")).to_be_visible()

    page.goto(ticket_url)
    page.get_by_role("link", name="Отменить запись").click()
    expect(page.locator("h1")).to_have_text("Точно отменить?")
    expect(page.locator("main")).to_contain_text("Освободятся места для всей компании (2)")
    page.screenshot(path=screenshots / "cancel-confirm.png", full_page=True)
    assert_accessible(page, "cancel confirmation")
    page.get_by_role("button", name="Да, отменить запись").click()

    expect(page).to_have_url(ticket_url)
    expect(page.get_by_role("status").first).to_have_text("Запись отменена.")
    expect(page.locator("svg.ticket-qr")).to_have_count(0)
    page.screenshot(path=screenshots / "ticket-cancelled.png", full_page=True)

    page.goto(slot_path)
    assert _seats_left(page) == seats_before
    expect(page.get_by_role("button", name="Записаться", exact=True)).to_be_visible()


def _sign_in_and_consent(page: Page) -> None:
    page.goto(f"/entry?{vk_launch_query(int(time.time() * 1000) % 2_000_000_000)}")
    expect(page.get_by_role("link", name="Мои билеты")).to_be_visible()
    page.goto("/profile/consent")
    page.get_by_role("button", name="Даю согласие").click()
    expect(page.get_by_role("status").first).to_have_text("Спасибо! Согласие сохранено.")


def _add_a_child_on_the_way(page: Page, slot_path: str) -> None:
    page.get_by_role("link", name="Добавить сопровождающего").click()
    expect(page.locator("h1")).to_have_text("Сопровождающие")
    page.fill("#new-name", CHILD)
    page.fill("#new-birth_date", CHILD_BIRTH_DATE)
    page.get_by_role("button", name="Добавить", exact=True).click()
    # Straight back to the slot, the child ready to be chosen.
    expect(page).to_have_url(re.compile(rf"{slot_path}$"))
    expect(page.get_by_role("status").first).to_have_text("Сопровождающий добавлен.")
    expect(page.get_by_label(re.compile(CHILD))).to_be_visible()


def _check_the_ticket(page: Page, screenshots: Path) -> None:
    expect(page.get_by_role("status").first).to_contain_text("вы записаны")
    qr = page.locator("svg.ticket-qr")
    expect(qr).to_be_visible()
    modules = qr.locator("path").evaluate_all(
        "els => els.reduce((n, e) => n + (e.getAttribute('d') || '').split(/[mh]/).length, 0)"
    )
    assert modules > 200, "the QR has too few modules to be a ticket code"
    box = qr.bounding_box()
    assert box is not None
    assert 280 <= box["width"] <= 330, box  # big enough to scan from the screen
    expect(page.locator(".ticket__code code")).to_have_text(re.compile(r"^OI1[A-Z2-7]+$"))
    expect(page.locator(".party")).to_contain_text(CHILD)
    expect(page.get_by_role("link", name="Добавить в календарь")).to_be_visible()
    page.screenshot(path=screenshots / "ticket.png", full_page=True)
    assert_accessible(page, "ticket")
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=screenshots / "ticket-dark.png", full_page=True)
    background = qr.evaluate("el => getComputedStyle(el.parentElement).backgroundColor")
    assert background == "rgb(255, 255, 255)"
    page.emulate_media(color_scheme="light")
