"""The profile page's «Ваши данные»: download one's data, delete the account behind a typed word
in a CSRF-checked form; afterwards the session opens nothing."""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from openindustry.accounts.models import Role
from tests.conftest import TokenFor
from tests.registration.conftest import MakeParticipant, MakeSlot

PageClient = Callable[[str], httpx.AsyncClient]


def text(response: httpx.Response) -> str:
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", response.text, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("\u00a0", " ").split())


def csrf(response: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


@pytest.fixture
async def page_client(app: object) -> AsyncIterator[PageClient]:
    opened: list[httpx.AsyncClient] = []

    def make(token: str) -> httpx.AsyncClient:
        browser = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://testserver",
            cookies={"oi_session": token},
        )
        opened.append(browser)
        return browser

    yield make
    for browser in opened:
        await browser.aclose()


async def test_download_and_delete_from_the_profile(
    page_client: PageClient, participant: MakeParticipant, open_slot: MakeSlot
) -> None:
    slot = await open_slot()
    anna = await participant()
    await anna.patch("/api/v1/me", json={"name": "Анна Петрова"})
    assert (await anna.register(slot.id)).status_code == 201
    browser = page_client(anna.token)

    profile = await browser.get("/profile")
    assert 'href="/profile/export"' in profile.text
    assert 'href="/profile/delete"' in profile.text

    download = await browser.get("/profile/export")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment;")
    assert json.loads(download.text)["account"]["profile"]["name"] == "Анна Петрова"

    page = await browser.get("/profile/delete")
    assert page.status_code == 200
    assert "Записи на предстоящие экскурсии (1) будут отменены" in text(page)
    token = csrf(page)
    forged = await browser.post("/profile/delete", data={"confirmation": "УДАЛИТЬ"})
    assert forged.status_code == 403
    wrong = await browser.post("/profile/delete", data={"csrf_token": token, "confirmation": "ок"})
    assert wrong.status_code == 422
    assert 'aria-invalid="true"' in wrong.text
    assert "Напишите слово УДАЛИТЬ, чтобы удалить профиль." in text(wrong)
    assert (await anna.get("/api/v1/me")).status_code == 200  # nothing happened yet

    done = await browser.post(
        "/profile/delete", data={"csrf_token": token, "confirmation": "удалить"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/"
    cookies = done.headers.get_list("set-cookie")
    assert any(c.startswith("oi_session=") and "Max-Age=0" in c for c in cookies)
    assert any(c.startswith("oi_flash=account_deleted") for c in cookies)
    assert (await anna.get("/api/v1/me")).status_code == 401
    assert (await anna.get(f"/api/v1/slots/{slot.id}")).json()["seats_left"] == slot.capacity

    after = page_client("")
    after.cookies.set("oi_flash", "account_deleted")
    assert "Профиль удалён" in text(await after.get("/"))


async def test_strangers_are_sent_to_sign_in_and_staff_are_told_who_deletes(
    client: httpx.AsyncClient, page_client: PageClient, token_for: TokenFor
) -> None:
    for path in ("/profile/export", "/profile/delete"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login?")
    organizer = page_client(await token_for(Role.ORGANIZER))
    page = await organizer.get("/profile/delete")
    assert "служебный профиль" in text(page)
    assert 'action="/profile/delete"' not in page.text


async def test_the_english_page_asks_for_the_english_word(
    page_client: PageClient, token_for: TokenFor
) -> None:
    browser = page_client(await token_for())
    page = await browser.get("/profile/delete?lang=en")
    assert "To confirm, type the word DELETE" in text(page)
