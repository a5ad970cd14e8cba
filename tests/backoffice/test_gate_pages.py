"""The gate pages: a host checks guests in by typing the code, guest lists, exports, offline kit."""

from __future__ import annotations

import csv
import html
import io
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import httpx
import pytest
from openpyxl import load_workbook

from openindustry.accounts.models import Role
from tests.checkin.conftest import Book, MakeSlot, book, make_slot, morning, participant, sign
from tests.conftest import TokenFor

__all__ = ["book", "make_slot", "morning", "participant", "sign"]

Pages = Callable[..., Awaitable[httpx.AsyncClient]]


def text(response: httpx.Response) -> str:
    body = re.sub(r"<(script|style|template)\b.*?</\1>", " ", response.text, flags=re.S)
    body = html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("\u00a0", " ")
    return " ".join(body.split())


def csrf(response: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def scan_id(response: httpx.Response) -> str:
    found = re.search(r'name="scan_id" value="([^"]+)"', response.text)
    assert found
    return found.group(1)


@pytest.fixture
async def pages(app: object, token_for: TokenFor) -> AsyncIterator[Pages]:
    """A browser-like client signed in (session cookie) as staff of some enterprises."""
    opened: list[httpx.AsyncClient] = []

    async def make(
        role: Role = Role.HOST, enterprise_ids: list[int] | None = None
    ) -> httpx.AsyncClient:
        token = await token_for(role, enterprise_ids or [])
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://testserver",
            cookies={"oi_session": token},
        )
        opened.append(client)
        return client

    yield make
    for client in opened:
        await client.aclose()


async def checkin(host: httpx.AsyncClient, slot_id: int, code: str) -> httpx.Response:
    form = await host.get(f"/backoffice/gate/{slot_id}")
    assert form.status_code == 200, form.text
    return await host.post(
        f"/backoffice/gate/{slot_id}",
        data={"csrf_token": csrf(form), "scan_id": scan_id(form), "code": code},
    )


async def test_a_host_checks_a_guest_in_by_typing_the_code(
    pages: Pages, make_slot: MakeSlot, book: Book
) -> None:
    slot = await make_slot()
    guest = await book(slot.id, companions=(("Маша", "2015-03-01"),))
    host = await pages(Role.HOST, [slot.enterprise_id])

    start = await host.get("/backoffice/gate")
    assert start.status_code == 200
    assert f"/backoffice/gate/{slot.id}" in start.text
    assert "Отмечать вход" in text(start)

    done = await checkin(host, slot.id, guest.ticket.lower())  # typed in lower case
    assert done.status_code == 303
    result = await host.get(done.headers["location"])
    page = text(result)
    assert "Проходите!" in page
    assert "человек: 2" in page
    assert "Маша" in page

    again = await checkin(host, slot.id, guest.ticket)
    assert again.status_code == 303
    page = text(await host.get(again.headers["location"]))
    assert re.search(r"Уже отмечен в \d\d:\d\d", page)


async def test_a_double_submit_counts_once(pages: Pages, make_slot: MakeSlot, book: Book) -> None:
    slot = await make_slot()
    guest = await book(slot.id)
    host = await pages(Role.HOST, [slot.enterprise_id])
    form = await host.get(f"/backoffice/gate/{slot.id}")
    data = {"csrf_token": csrf(form), "scan_id": scan_id(form), "code": guest.ticket}
    first = await host.post(f"/backoffice/gate/{slot.id}", data=data)
    twin = await host.post(f"/backoffice/gate/{slot.id}", data=data)
    assert first.headers["location"] == twin.headers["location"]
    assert "Проходите!" in text(await host.get(twin.headers["location"]))


async def test_refusals_in_clear_russian(
    pages: Pages,
    make_slot: MakeSlot,
    book: Book,
    sign: Callable[[int, int, int], str],
) -> None:
    slot = await make_slot()
    other = await make_slot()
    host = await pages(Role.HOST, [slot.enterprise_id])

    foreign = await book(other.id)
    refused = await checkin(host, slot.id, foreign.ticket)
    assert refused.status_code == 403
    assert "другого предприятия" in text(refused)
    assert 'name="code"' in refused.text  # the form is there to try again

    cancelled = await book(slot.id)
    response = await cancelled.person.post(f"/api/v1/registrations/{cancelled.id}/cancel")
    assert response.status_code == 200, response.text
    refused = await checkin(host, slot.id, cancelled.ticket)
    assert refused.status_code == 409
    assert "Запись отменена" in text(refused)

    real = await book(slot.id)
    forged = sign(real.id, slot.id, 1)[:-4] + "AAAA"
    refused = await checkin(host, slot.id, forged)
    assert refused.status_code == 422
    assert "Билет недействителен" in text(refused)

    empty = await checkin(host, slot.id, "   ")
    assert empty.status_code == 422
    assert "Введите код билета" in text(empty)


async def test_a_host_of_another_enterprise_gets_403(
    pages: Pages, make_slot: MakeSlot, book: Book
) -> None:
    slot = await make_slot()
    other = await make_slot()
    await book(slot.id)
    stranger = await pages(Role.HOST, [other.enterprise_id])
    for path in ("guests", "guests.csv", "guests.xlsx"):
        assert (await stranger.get(f"/backoffice/slots/{slot.id}/{path}")).status_code == 403
    for path in ("", "/kit.json"):
        assert (await stranger.get(f"/backoffice/gate/{slot.id}{path}")).status_code == 403
    participant_client = await pages(Role.PARTICIPANT)
    assert (await participant_client.get(f"/backoffice/gate/{slot.id}")).status_code == 403


async def test_anonymous_is_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/backoffice/gate/1")
    assert response.status_code == 303
    assert response.headers["location"].startswith("/backoffice/login?next=")


async def test_guest_list_and_exports(pages: Pages, make_slot: MakeSlot, book: Book) -> None:
    slot = await make_slot()
    guest = await book(slot.id, companions=(("Пётр", "2012-06-01"),))
    organizer = await pages(Role.ORGANIZER)
    listing = await organizer.get(f"/backoffice/slots/{slot.id}/guests")
    assert listing.status_code == 200
    page = text(listing)
    assert "Пётр" in page
    assert "Скачать для охраны (XLSX)" in page
    assert f"/backoffice/gate/{slot.id}" in listing.text

    raw = await organizer.get(f"/backoffice/slots/{slot.id}/guests.csv")
    assert raw.status_code == 200
    assert raw.headers["content-type"].startswith("text/csv")
    assert raw.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.content.decode("utf-8-sig")), delimiter=";"))
    assert any("Пётр" in cell for row in rows for cell in row)

    book_file = await organizer.get(f"/backoffice/slots/{slot.id}/guests.xlsx")
    assert book_file.status_code == 200
    sheet = load_workbook(io.BytesIO(book_file.content)).active
    assert sheet is not None
    cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
    assert any("Пётр" in c for c in cells)
    assert guest.id


async def test_offline_kit_and_sync(pages: Pages, make_slot: MakeSlot, book: Book) -> None:
    slot = await make_slot()
    guest = await book(slot.id)
    gone = await book(slot.id)
    await gone.person.post(f"/api/v1/registrations/{gone.id}/cancel")
    host = await pages(Role.HOST, [slot.enterprise_id])

    kit = await host.get(f"/backoffice/gate/{slot.id}/kit.json")
    assert kit.status_code == 200
    body = kit.json()
    assert body["public_key"]
    assert [g["registration_id"] for g in body["guests"]] == [guest.id]
    assert body["revoked"] == [gone.id]

    form = await host.get(f"/backoffice/gate/{slot.id}")
    token = csrf(form)
    now = datetime.now(UTC).isoformat()
    scans = {
        "scans": [
            {"scan_id": "off-1", "ticket_code": guest.ticket, "scanned_at": now},
            {"scan_id": "off-2", "ticket_code": guest.ticket, "scanned_at": now},
        ]
    }
    url = f"/backoffice/gate/{slot.id}/sync"
    missing = await host.post(url, json=scans)
    assert missing.status_code == 403
    synced = await host.post(url, json=scans, headers={"X-CSRF-Token": token})
    assert synced.status_code == 200, synced.text
    result = synced.json()
    assert result["checked_in"] == 1
    assert result["duplicates"] == 1


async def test_check_in_without_csrf_is_403(pages: Pages, make_slot: MakeSlot, book: Book) -> None:
    slot = await make_slot()
    guest = await book(slot.id)
    host = await pages(Role.HOST, [slot.enterprise_id])
    response = await host.post(f"/backoffice/gate/{slot.id}", data={"code": guest.ticket})
    assert response.status_code == 403
    listing = await host.get(f"/backoffice/slots/{slot.id}/guests")
    assert "пришли в" not in text(listing)


async def test_an_unknown_slot_is_404_and_english_works(
    pages: Pages, make_slot: MakeSlot, book: Book
) -> None:
    slot = await make_slot()
    await book(slot.id)
    organizer = await pages(Role.ORGANIZER)
    for path in ("/backoffice/gate/999999", "/backoffice/slots/999999/guests"):
        assert (await organizer.get(path)).status_code == 404
    english = await organizer.get(f"/backoffice/gate/{slot.id}?lang=en")
    assert english.status_code == 200
    assert "Ticket code" in text(english) or "Код билета" in text(english)
    assert "Download the list for offline use" in english.text
    listing = await organizer.get(f"/backoffice/slots/{slot.id}/guests?lang=en")
    assert "Download for security (XLSX)" in listing.text
