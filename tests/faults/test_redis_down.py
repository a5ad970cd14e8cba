"""Redis goes away under two app processes (issue 9, item 2).

Rate limits fall back to each process's memory (kit/ratelimit.py): every process still refuses an
address over the limit, but the processes no longer share counts, so with N processes an address
gets up to N times the limit until Redis is back. Registration and pages keep working, without
waiting on the dead Redis; when Redis returns, the limits are shared again by themselves.
"""

from __future__ import annotations

import asyncio
import time

from tests.faults.conftest import SIGN_IN_PER_IP, Apps, FaultDb
from tests.faults.limits import an_address, sign_ins_until_refused
from tests.faults.rush import Booking, book, clients


async def test_without_redis_limits_hold_per_process_and_nothing_else_breaks(
    fault_db: FaultDb, apps: Apps
) -> None:
    [slot_id] = await fault_db.open_slots(5)
    people = fault_db.people[303:305]
    async with clients(*(p.base_url for p in apps.both)) as (a, b):
        assert await sign_ins_until_refused([a, b], an_address()) == SIGN_IN_PER_IP  # shared
        apps.redis.kill()

        started = time.monotonic()
        ip = an_address()
        # Each process still limits the address, counting in its own memory...
        assert await sign_ins_until_refused([a], ip) == SIGN_IN_PER_IP
        # ...so the other process, which has not seen it, lets it in again.
        assert await sign_ins_until_refused([b], ip) == SIGN_IN_PER_IP
        # Registration and pages go on as before.
        for client, person in zip((a, b), people, strict=True):
            answer = await book(client, Booking(person, slot_id, f"no-redis-{person.user_id}"))
            assert (answer.status, answer.body.get("status")) == (201, "confirmed"), answer.body
            for page in ("/", "/catalog", f"/api/v1/slots/{slot_id}"):
                assert (await client.get(page)).status_code == 200, page
        # About 40 requests: none waited long on the dead Redis.
        assert time.monotonic() - started < 20

        apps.redis.start()
        apps.redis.wait_ready()
        # Each process tries Redis again a few seconds after it failed; then counts are shared.
        deadline = time.monotonic() + 30
        while await sign_ins_until_refused([a, b], an_address()) != SIGN_IN_PER_IP:
            assert time.monotonic() < deadline, "the limits never became shared again"
            await asyncio.sleep(0.5)
    assert "Traceback" not in apps.direct.log.read_text()
