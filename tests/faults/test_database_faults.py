"""The database fails under running app processes (issue 9, item 2).

Connections are cut in the middle of requests (pg_terminate_backend, as a failover or an
administrator would), and PostgreSQL becomes unreachable for one process (a TCP proxy in front of
it is switched off; the shared server itself is never restarted). Requests caught by the fault get
503 with the code `database_unavailable` (JSON error shape; an HTML error page for pages), never a
500 or a trace; /healthz says 503; once the database is back the processes serve again by
themselves, and a retry with the same Idempotency-Key books once.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import httpx
from sqlalchemy import text

from tests.faults.conftest import Apps, FaultDb
from tests.faults.rush import Answer, Booking, book, clients


def assert_database_unavailable(status: int, body: dict[str, Any], headers: httpx.Headers) -> None:
    assert status == 503, body
    assert set(body) == {"error"}, body
    assert body["error"]["code"] == "database_unavailable", body
    assert body["error"]["message"], body
    assert int(headers["Retry-After"]) >= 1


async def wait_for_lock_waiters(fault_db: FaultDb, count: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        waiting = await fault_db.scalar(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = :db AND wait_event_type = 'Lock'",
            db=fault_db.name,
        )
        if waiting == count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{count} requests never came to wait for the slot's lock")


async def test_connections_cut_mid_request_answer_503_and_the_app_recovers(
    fault_db: FaultDb, apps: Apps
) -> None:
    [slot_id] = await fault_db.open_slots(5)
    bookings = [Booking(p, slot_id, f"cut-{n}") for n, p in enumerate(fault_db.people[300:302])]
    async with clients(*(p.base_url for p in apps.both)) as targets:
        # Hold the slot's row, so that one booking in each process stops mid-transaction,
        # holding its connection, when the connections are cut.
        async with fault_db.session() as holder, holder.begin():
            await holder.execute(
                text("SELECT id FROM slot WHERE id = :id FOR UPDATE"), {"id": slot_id}
            )
            mine = (await holder.execute(text("SELECT pg_backend_pid()"))).scalar()
            sent = [asyncio.create_task(book(c, b)) for c, b in zip(targets, bookings, strict=True)]
            await wait_for_lock_waiters(fault_db, 2)
            cut = await fault_db.scalar(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :db AND pid NOT IN (:mine, pg_backend_pid())",
                db=fault_db.name,
                mine=mine,
            )
            answers: list[Answer] = list(await asyncio.gather(*sent))
        assert isinstance(cut, int)
        assert cut >= 2
        for answer in answers:
            assert answer.status == 503, f"{answer.body}\n{apps.logs()}"
            assert answer.code == "database_unavailable"

        # The pools drop the dead connections by themselves: the same requests now book.
        again = [await book(c, b) for c, b in zip(targets, bookings, strict=True)]
        assert [(a.status, a.body.get("status")) for a in again] == [(201, "confirmed")] * 2
        for client in targets:
            assert (await client.get("/healthz")).status_code == 200
    booked = await fault_db.scalar(
        "SELECT count(*) FROM registration WHERE slot_id = :id", id=slot_id
    )
    assert booked == 2


async def test_an_unreachable_database_answers_503_and_the_app_recovers(
    fault_db: FaultDb, apps: Apps
) -> None:
    [slot_id] = await fault_db.open_slots(5)
    booking = Booking(fault_db.people[302], slot_id, "unreachable")
    async with clients(apps.proxied.base_url, apps.direct.base_url) as (cut_off, healthy):
        assert (await cut_off.get("/healthz")).status_code == 200
        apps.proxy.stop()
        try:
            started = time.monotonic()
            health = await cut_off.get("/healthz")
            assert_database_unavailable(health.status_code, health.json(), health.headers)
            catalog = await cut_off.get("/api/v1/slots")
            assert_database_unavailable(catalog.status_code, catalog.json(), catalog.headers)
            refused = await book(cut_off, booking)
            assert refused.status == 503, refused.body
            assert refused.code == "database_unavailable"
            page = await cut_off.get("/catalog")
            assert page.status_code == 503
            assert page.headers["content-type"].startswith("text/html")
            assert "Сервис временно недоступен" in page.text
            assert "Traceback" not in page.text
            assert time.monotonic() - started < 10, "requests hung instead of failing fast"
            # The other process has its own way to the database and keeps serving.
            assert (await healthy.get("/api/v1/slots")).status_code == 200
        finally:
            apps.proxy.start()

        deadline = time.monotonic() + 15
        while (await cut_off.get("/healthz")).status_code != 200:
            assert time.monotonic() < deadline, apps.logs()
            await asyncio.sleep(0.1)
        assert (await cut_off.get("/api/v1/slots")).status_code == 200
        assert (await cut_off.get("/catalog")).status_code == 200
        booked = await book(cut_off, booking)
        assert (booked.status, booked.body.get("status")) == (201, "confirmed"), booked.body
    assert "Traceback" not in apps.proxied.log.read_text()
