"""The organizers' dashboard (inline SVG charts, tables, CSV links) and the audit log page."""

from __future__ import annotations

import csv
import io
import re

import httpx

from openindustry.accounts.models import Role
from tests.backoffice.test_gate_pages import Pages, pages, text
from tests.checkin.conftest import Book, MakeSlot, book, make_slot, morning, participant

__all__ = ["book", "make_slot", "morning", "pages", "participant"]


async def test_the_dashboard_renders_charts_and_tables(
    pages: Pages, make_slot: MakeSlot, book: Book
) -> None:
    slot = await make_slot()
    await book(slot.id)
    organizer = await pages(Role.ORGANIZER)
    board = await organizer.get("/backoffice/stats")
    assert board.status_code == 200, board.text
    main = board.text.split("<main", 1)[-1]
    assert main.count("<svg") >= 4
    assert "<script" not in main
    page = text(board)
    assert "Посещаемость" in page
    assert "Охват" in page
    assert "Это не посещения" in page

    links = sorted(set(re.findall(r'href="(/backoffice/stats/[a-z]+\.csv[^"]*)"', board.text)))
    assert len(links) == 7
    for link in links:
        response = await organizer.get(link.replace("&amp;", "&"))
        assert response.status_code == 200, link
        assert response.content.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
        assert rows
        assert rows[0]


async def test_filters(pages: Pages) -> None:
    organizer = await pages(Role.ORGANIZER)
    day = await organizer.get("/backoffice/stats?date_from=2030-12-01&date_to=2030-12-31")
    assert day.status_code == 200
    assert "date_from=2030-12-01" in day.text  # the CSV links keep the filter
    wrong = await organizer.get("/backoffice/stats?date_from=2030-12-31&date_to=2030-12-01")
    assert wrong.status_code == 422
    assert "Начальная дата позже конечной" in text(wrong)
    bad = await organizer.get("/backoffice/stats?date_from=вчера")
    assert bad.status_code == 422
    assert 'aria-invalid="true"' in bad.text
    unknown = await organizer.get("/backoffice/stats/nothing.csv")
    assert unknown.status_code == 404


async def test_hosts_and_participants_get_403(pages: Pages, make_slot: MakeSlot) -> None:
    slot = await make_slot()
    host = await pages(Role.HOST, [slot.enterprise_id])
    for path in ("/backoffice/stats", "/backoffice/stats/days.csv", "/backoffice/audit"):
        assert (await host.get(path)).status_code == 403, path
    participant_client = await pages(Role.PARTICIPANT)
    assert (await participant_client.get("/backoffice/stats")).status_code == 403


async def test_anonymous_is_sent_to_sign_in(client: httpx.AsyncClient) -> None:
    response = await client.get("/backoffice/stats")
    assert response.status_code == 303


async def test_the_audit_page_lists_a_staff_change_and_filters_it(
    pages: Pages, make_slot: MakeSlot, book: Book
) -> None:
    slot = await make_slot()
    await book(slot.id)
    organizer = await pages(Role.ORGANIZER)
    export = await organizer.get(f"/backoffice/slots/{slot.id}/guests.csv")  # audited
    assert export.status_code == 200
    log = await organizer.get("/backoffice/audit")
    assert log.status_code == 200
    assert "guests.exported" in text(log)
    found = await organizer.get(f"/backoffice/audit?action=guests&subject_id={slot.id}")
    assert "guests.exported" in text(found)
    assert re.search(r"format\s*:\s*csv", text(found))
    none = await organizer.get("/backoffice/audit?action=prize")
    assert "Записей: 0" in text(none)
    bad = await organizer.get("/backoffice/audit?action=DROP TABLE")
    assert bad.status_code == 422


async def test_english_pages(pages: Pages) -> None:
    organizer = await pages(Role.ORGANIZER)
    board = await organizer.get("/backoffice/stats?lang=en")
    assert board.status_code == 200
    assert "Reach" in text(board)
    log = await organizer.get("/backoffice/audit?lang=en&offset=abc")
    assert log.status_code == 200
