"""Two bulk runs at once (a double click, two organizers) never schedule a program twice at the
same time: the service's overlap check reads before it writes, so the database has the last word
(a unique index on program and start among scheduled slots), and its refusal reads like the
scheduler's own: `slot_overlap`."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, time, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from openindustry.accounts.models import Role
from openindustry.catalog.errors import SlotOverlap
from openindustry.catalog.models import Slot
from openindustry.catalog.schemas import BulkScheduleResult, SlotBulkCreate
from openindustry.catalog.service import CatalogService
from openindustry.config import Settings
from openindustry.kit import db
from openindustry.kit.tx import transaction
from tests import factories
from tests.conftest import TokenFor


@pytest.fixture
async def rival_engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """A second connection pool, as a second app process would have."""
    engine = db.create_engine(settings.database_url)
    yield engine
    await engine.dispose()


async def _week(session: AsyncSession) -> SlotBulkCreate:
    program = await factories.program(session)
    monday = datetime.now(UTC).date() + timedelta(days=14 - datetime.now(UTC).weekday())
    return SlotBulkCreate(
        program_id=program.id,
        date_from=monday,
        date_to=monday + timedelta(days=4),
        weekdays=[0, 1, 2, 3, 4],
        times=[time(11), time(15)],
        capacity=20,
    )


async def _scheduled(session: AsyncSession, program_id: int) -> int:
    query = select(func.count(Slot.id)).where(Slot.program_id == program_id)
    return await session.scalar(query) or 0


async def test_the_database_refuses_a_run_that_read_before_the_other_committed(
    engine: AsyncEngine, rival_engine: AsyncEngine, session: AsyncSession, settings: Settings
) -> None:
    plan = await _week(session)
    inserting = asyncio.Event()

    def on_execute(*args: Any) -> None:
        statement: str = args[2]
        if statement.lstrip().upper().startswith("INSERT INTO SLOT"):
            inserting.set()

    event.listen(rival_engine.sync_engine, "before_cursor_execute", on_execute)
    sessions = db.create_sessionmaker(engine)
    async with (
        sessions() as first_session,
        db.create_sessionmaker(rival_engine)() as rival_session,
    ):
        first = CatalogService(first_session, settings.tz)
        rival = CatalogService(rival_session, settings.tz)
        async with transaction(first_session):
            # The first run's rows are written but not committed while the rival reads and
            # finds nothing scheduled: the service check cannot see them, only the index can.
            await first.bulk_schedule(plan)
            second = asyncio.create_task(rival.bulk_schedule(plan))
            await asyncio.wait_for(inserting.wait(), timeout=30)
            await asyncio.sleep(0.3)
            assert not second.done(), "the rival's insert should wait for the first run"
        with pytest.raises(SlotOverlap) as refused:
            await second
    assert refused.value.code == "slot_overlap"
    assert refused.value.details == {"reason": "same_start"}
    assert await _scheduled(session, plan.program_id) == 10


async def test_two_runs_at_the_same_moment_create_the_week_once(
    engine: AsyncEngine, rival_engine: AsyncEngine, session: AsyncSession, settings: Settings
) -> None:
    plan = await _week(session)

    async def run(pool: AsyncEngine) -> BulkScheduleResult | SlotOverlap:
        async with db.create_sessionmaker(pool)() as own:
            try:
                return await CatalogService(own, settings.tz).bulk_schedule(plan, actor_id=None)
            except SlotOverlap as refusal:
                return refusal

    outcomes = await asyncio.gather(run(engine), run(rival_engine))

    created = [o for o in outcomes if isinstance(o, BulkScheduleResult)]
    assert len(created) == 1
    assert created[0].count == 10
    assert sum(isinstance(o, SlotOverlap) for o in outcomes) == 1
    assert await _scheduled(session, plan.program_id) == 10


async def test_one_slot_at_a_taken_start_is_refused_until_the_first_is_cancelled(
    client: httpx.AsyncClient, token_for: TokenFor, session: AsyncSession
) -> None:
    auth = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}
    program = await factories.program(session)
    starts = (datetime.now(UTC) + timedelta(days=9)).replace(microsecond=0)
    body = {
        "program_id": program.id,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(minutes=90)).isoformat(),
        "capacity": 10,
    }
    first = await client.post("/api/v1/admin/slots", json=body, headers=auth)
    assert first.status_code == 201, first.text

    twin = await client.post("/api/v1/admin/slots", json=body, headers=auth)
    assert (twin.status_code, twin.json()["error"]["code"]) == (409, "slot_overlap")

    cancel = {"status": "cancelled"}
    patched = await client.patch(
        f"/api/v1/admin/slots/{first.json()['id']}", json=cancel, headers=auth
    )
    assert patched.status_code == 200
    again = await client.post("/api/v1/admin/slots", json=body, headers=auth)
    assert again.status_code == 201  # a cancelled slot leaves its time free
    back = {"status": "scheduled"}
    revived = await client.patch(
        f"/api/v1/admin/slots/{first.json()['id']}", json=back, headers=auth
    )
    assert (revived.status_code, revived.json()["error"]["code"]) == (409, "slot_overlap")
    assert await _scheduled(session, program.id) == 2
