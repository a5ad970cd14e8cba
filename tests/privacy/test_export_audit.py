"""Organizers' and hosts' exports are written to the audit log: who, when, which export, of
which slot or with which filter — from the JSON API and from the back office's buttons alike."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.audit.schemas import AuditFilter
from openindustry.audit.service import AuditService
from tests.backoffice.test_gate_pages import Pages, pages
from tests.checkin.conftest import (
    Book,
    MakeSlot,
    MakeStaff,
    book,
    make_slot,
    morning,
    participant,
    staff,
)
from tests.privacy.conftest import user_id_of

__all__ = ["book", "make_slot", "morning", "pages", "participant", "staff"]


async def test_every_export_leaves_an_audit_entry(
    client: httpx.AsyncClient,
    session: AsyncSession,
    make_slot: MakeSlot,
    book: Book,
    staff: MakeStaff,
    pages: Pages,
) -> None:
    slot = await make_slot()
    await book(slot.id, companions=(("Маша Иванова", "2018-01-01"),))
    host = await staff(Role.HOST, [slot.enterprise_id])
    host_id = await user_id_of(client, host.token)
    organizer = await staff(Role.ORGANIZER)
    organizer_id = await user_id_of(client, organizer.token)
    page = await pages(Role.ORGANIZER)
    page_id = await user_id_of(client, str(page.cookies["oi_session"]))

    downloads = [
        (host, f"/api/v1/admin/slots/{slot.id}/guests.csv"),
        (host, f"/api/v1/admin/slots/{slot.id}/guests.xlsx"),
        (page, f"/backoffice/slots/{slot.id}/guests.csv"),
        (page, f"/backoffice/slots/{slot.id}/guests.xlsx"),
        (organizer, "/api/v1/admin/stats/ages.csv?date_from=2030-12-01"),
        (page, "/backoffice/stats/days.csv"),
    ]
    for who, url in downloads:
        response = await who.get(url)
        assert response.status_code == 200, (url, response.text[:200])

    audit = AuditService(session)
    guests = (await audit.entries(AuditFilter(action="guests.exported"))).items
    logged = sorted((e.actor_id, e.subject_id, e.after["format"]) for e in guests if e.after)
    assert logged == sorted(
        [
            (host_id, slot.id, "csv"),
            (host_id, slot.id, "xlsx"),
            (page_id, slot.id, "csv"),
            (page_id, slot.id, "xlsx"),
        ]
    )
    assert all("Маша" not in str(e.after) for e in guests)
    stats = (await audit.entries(AuditFilter(action="stats.exported"))).items
    tables = sorted((e.actor_id, e.after["table"], e.after["date_from"]) for e in stats if e.after)
    assert tables == sorted([(organizer_id, "ages", "2030-12-01"), (page_id, "days", None)])
    assert all(e.created_at is not None for e in [*guests, *stats])

    # A refused export is not an export: nothing is logged for it.
    assert (await organizer.get("/api/v1/admin/stats/nothing.csv")).status_code == 404
    assert len((await audit.entries(AuditFilter(action="stats.exported"))).items) == 2
