"""The gate: a scan checks a party in once, says when on a repeat, and refuses clearly."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from openindustry.accounts.models import Role
from openindustry.registration.tickets import verify_ticket
from tests.checkin.conftest import Book, MakeSlot, MakeStaff


async def test_scan_checks_in_once_and_a_repeat_says_when(
    make_slot: MakeSlot, book: Book, staff: MakeStaff
) -> None:
    slot = await make_slot()
    guest = await book(slot.id, companions=(("Маша Иванова", "2018-03-01"),))
    host = await staff(Role.HOST, [slot.enterprise_id])

    first = await host.checkin(guest.ticket)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["registration_id"] == guest.id
    assert body["already_checked_in"] is False
    assert body["party_size"] == 2
    assert [m["name"] for m in body["members"]] == ["Гость", "Маша Иванова"]
    assert [m["age"] for m in body["members"]] == [40, 12]
    assert body["status"] == "confirmed"

    again = await host.checkin(guest.ticket)
    assert again.status_code == 200
    repeat = again.json()
    assert repeat["already_checked_in"] is True
    assert repeat["checked_in_at"] == body["checked_in_at"]
    assert repeat["message"] == "Уже отмечен в 10:00."  # Moscow time of the first scan


async def test_a_replayed_scan_id_gets_the_same_answer(
    make_slot: MakeSlot, book: Book, staff: MakeStaff
) -> None:
    slot = await make_slot()
    guest = await book(slot.id)
    host = await staff(Role.HOST, [slot.enterprise_id])
    first = await host.checkin(guest.ticket, scan_id="phone-1:0001")
    replay = await host.checkin(guest.ticket, scan_id="phone-1:0001")
    assert first.status_code == replay.status_code == 200
    assert replay.json() == first.json()
    assert replay.json()["already_checked_in"] is False
    other = await host.checkin(guest.ticket, scan_id="phone-1:0002")
    assert other.json()["already_checked_in"] is True
    assert other.json()["duplicate"] is True


async def test_attendance_task_pays_once(
    make_slot: MakeSlot, book: Book, staff: MakeStaff, attendance_task: int
) -> None:
    slot = await make_slot()
    guest = await book(slot.id)
    host = await staff(Role.HOST, [slot.enterprise_id])
    for _ in range(3):
        assert (await host.checkin(guest.ticket)).status_code == 200
    points = (await guest.person.get("/api/v1/me/points")).json()
    assert points["balance"] == 15
    task = (await guest.person.get(f"/api/v1/tasks/{attendance_task}")).json()
    assert task["progress"]["done"] is True


def _altered(code: str) -> str:
    index = 40
    swap = "B" if code[index] != "B" else "C"
    return code[:index] + swap + code[index + 1 :]


async def test_refusals_carry_clear_codes(
    make_slot: MakeSlot,
    book: Book,
    staff: MakeStaff,
    sign: Callable[[int, int, int], str],
) -> None:
    slot = await make_slot(capacity=1)
    guest = await book(slot.id)
    waiting = await book(slot.id, waitlist_ok=True)
    assert waiting.registration["status"] == "waitlisted"
    host = await staff(Role.HOST, [slot.enterprise_id])

    async def refused(code: str, **body: object) -> tuple[int, str]:
        response = await host.checkin(code, **body)
        return response.status_code, response.json()["error"]["code"]

    assert await refused("OI1" + "A" * 119) == (422, "invalid_ticket")
    assert await refused("hello") == (422, "invalid_ticket")
    assert await refused(_altered(guest.ticket)) == (422, "invalid_ticket")
    # Genuinely signed, but for a registration that does not exist or with other claims.
    assert await refused(sign(999_999, slot.id, 1)) == (422, "invalid_ticket")
    assert await refused(sign(guest.id, slot.id, 3)) == (422, "invalid_ticket")
    assert await refused(sign(waiting.id, slot.id, 1)) == (409, "not_confirmed")
    assert await refused(guest.ticket, slot_id=slot.id + 1000) == (409, "wrong_slot")

    tomorrow = await make_slot(slot.enterprise_id, starts_in=timedelta(days=1))
    later = await book(tomorrow.id)
    assert await refused(later.ticket) == (409, "wrong_day")

    cancel = await guest.person.post(f"/api/v1/registrations/{guest.id}/cancel")
    assert cancel.status_code == 200
    assert await refused(guest.ticket) == (409, "cancelled")


async def test_another_enterprises_host_learns_nothing(
    make_slot: MakeSlot, book: Book, staff: MakeStaff
) -> None:
    slot = await make_slot()
    guest = await book(slot.id)
    stranger = await staff(Role.HOST, [(await make_slot()).enterprise_id])
    response = await stranger.checkin(guest.ticket)
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "wrong_enterprise"
    assert "details" not in error
    assert "Гость" not in response.text
    # Nobody was checked in by the refusal; an organizer can check in anywhere.
    organizer = await staff(Role.ORGANIZER)
    assert (await organizer.checkin(guest.ticket)).json()["already_checked_in"] is False


async def test_offline_kit_lets_a_phone_validate(
    make_slot: MakeSlot, book: Book, staff: MakeStaff
) -> None:
    slot = await make_slot()
    kept = await book(slot.id, companions=(("Петя", "2015-01-01"),))
    gone = await book(slot.id)
    await gone.person.post(f"/api/v1/registrations/{gone.id}/cancel")
    host = await staff(Role.HOST, [slot.enterprise_id])
    kit = (await host.get(f"/api/v1/admin/slots/{slot.id}/checkin-kit")).json()
    assert kit["slot_id"] == slot.id
    assert [g["registration_id"] for g in kit["guests"]] == [kept.id]
    assert kit["guests"][0] | {"checked_in_at": None} == {
        "registration_id": kept.id,
        "name": "Гость",
        "party_size": 2,
        "status": "confirmed",
        "checked_in_at": None,
    }
    assert kit["revoked"] == [gone.id]
    claims = verify_ticket(kit["public_key"], kept.ticket)
    assert (claims.ticket_id, claims.slot_id, claims.party_size) == (kept.id, slot.id, 2)


async def test_sync_reports_double_entries_and_is_replayable(
    make_slot: MakeSlot, book: Book, staff: MakeStaff
) -> None:
    slot = await make_slot()
    guest = await book(slot.id)
    other = await book(slot.id)
    host = await staff(Role.HOST, [slot.enterprise_id])
    at = "2030-12-11T09:55:00+03:00"  # before the sync: the phone scanned offline
    scans = {
        "scans": [
            {"scan_id": "a1", "ticket_code": guest.ticket, "scanned_at": at},
            {"scan_id": "a2", "ticket_code": guest.ticket, "scanned_at": at},
            {"scan_id": "a3", "ticket_code": other.ticket, "scanned_at": at},
            {"scan_id": "a4", "ticket_code": "OI1" + "A" * 119, "scanned_at": at},
        ]
    }
    response = await host.post("/api/v1/checkin/sync", json=scans)
    assert response.status_code == 200, response.text
    result = response.json()
    items = {i["scan_id"]: i for i in result["items"]}
    assert items["a1"]["ok"]
    assert not items["a1"]["duplicate"]
    assert items["a1"]["result"]["offline"] is True
    assert items["a1"]["result"]["checked_in_at"].startswith("2030-12-11T06:55:00")
    assert items["a2"]["ok"]
    assert items["a2"]["duplicate"]
    assert items["a3"]["ok"]
    assert not items["a3"]["duplicate"]
    assert not items["a4"]["ok"]
    assert items["a4"]["error"]["code"] == "invalid_ticket"
    assert (result["checked_in"], result["duplicates"], result["refused"]) == (2, 1, 1)

    again = (await host.post("/api/v1/checkin/sync", json=scans)).json()
    assert again == result
    guests = (await host.get(f"/api/v1/admin/slots/{slot.id}/guests")).json()
    assert all(g["checked_in_at"] for g in guests["items"])
