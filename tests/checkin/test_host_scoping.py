"""A host of enterprise A against every resource of enterprise B: refused, and nothing leaks.

Guest lists, exports and the offline kit answer 403 `forbidden` (slots themselves are public, so
403 reveals nothing a 404 would hide); a B ticket scanned by A's host answers 403
`wrong_enterprise` with no details. The same requests by B's host and by an organizer succeed.
"""

from __future__ import annotations

import pytest

from openindustry.accounts.models import Role
from tests.checkin.conftest import Book, MakeSlot, MakeStaff

SLOT_RESOURCES = ["guests", "guests.csv", "guests.xlsx", "checkin-kit"]


@pytest.mark.parametrize("resource", SLOT_RESOURCES)
async def test_slot_resources_of_another_enterprise(
    resource: str, make_slot: MakeSlot, book: Book, staff: MakeStaff
) -> None:
    slot_a = await make_slot()
    slot_b = await make_slot()
    await book(slot_b.id)
    host_a = await staff(Role.HOST, [slot_a.enterprise_id])
    host_b = await staff(Role.HOST, [slot_b.enterprise_id])
    both = await staff(Role.HOST, [slot_a.enterprise_id, slot_b.enterprise_id])
    organizer = await staff(Role.ORGANIZER)
    url = f"/api/v1/admin/slots/{slot_b.id}/{resource}"

    refused = await host_a.get(url)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    assert "Гость" not in refused.text
    for allowed in (host_b, both, organizer):
        assert (await allowed.get(url)).status_code == 200
    missing = await organizer.get(f"/api/v1/admin/slots/{slot_b.id + 1000}/{resource}")
    assert missing.status_code == 404


async def test_checkin_and_sync_of_another_enterprises_ticket(
    make_slot: MakeSlot, book: Book, staff: MakeStaff
) -> None:
    slot_a = await make_slot()
    slot_b = await make_slot()
    guest_b = await book(slot_b.id)
    host_a = await staff(Role.HOST, [slot_a.enterprise_id])
    refused = await host_a.checkin(guest_b.ticket, scan_id="x1")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "wrong_enterprise"
    synced = await host_a.post(
        "/api/v1/checkin/sync",
        json={
            "scans": [
                {
                    "scan_id": "x2",
                    "ticket_code": guest_b.ticket,
                    "scanned_at": "2030-12-11T09:00:00+03:00",
                }
            ]
        },
    )
    item = synced.json()["items"][0]
    assert item["ok"] is False
    assert item["error"]["code"] == "wrong_enterprise"
    assert item["result"] is None
    # B's host still finds the ticket unused, and the refused scan ids left no trace.
    host_b = await staff(Role.HOST, [slot_b.enterprise_id])
    assert (await host_b.checkin(guest_b.ticket)).json()["already_checked_in"] is False


async def test_participants_cannot_reach_host_routes(
    make_slot: MakeSlot, book: Book, staff: MakeStaff
) -> None:
    slot = await make_slot()
    guest = await book(slot.id)
    response = await guest.person.post("/api/v1/checkin", json={"ticket_code": guest.ticket})
    assert response.status_code == 403
    assert (await guest.person.get(f"/api/v1/admin/slots/{slot.id}/guests")).status_code == 403
