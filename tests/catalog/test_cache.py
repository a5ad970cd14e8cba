"""The per-process cache of the catalog's static parts (catalog/_cache.py): an organizer's edit is
seen at once by the process that made it, seats are never cached, and an edit not yet committed
is seen by its own transaction only."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.catalog._cache import catalog_cache
from openindustry.catalog.models import Program
from openindustry.catalog.schemas import SeriesCreate
from openindustry.catalog.service import CatalogService
from openindustry.kit.tx import transaction
from tests import factories
from tests.conftest import TokenFor

MSK = ZoneInfo("Europe/Moscow")


async def test_an_organizers_edits_are_seen_at_once(
    client: httpx.AsyncClient, session: AsyncSession, token_for: TokenFor
) -> None:
    starts = datetime.now(UTC) + timedelta(days=10)
    series = await factories.catalog(session).create_series(
        SeriesCreate(
            title="Серия",
            starts_on=starts.date() - timedelta(days=1),
            ends_on=starts.date() + timedelta(days=1),
        )
    )
    slot = await factories.slot(session, starts_at=starts, series_id=series.id)
    organizer = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}
    # Read twice: the second answer comes from the cache.
    for _ in range(2):
        before = (await client.get(f"/api/v1/slots/{slot.id}")).json()
        listed = (await client.get("/api/v1/slots")).json()["items"]
        program = (await client.get(f"/api/v1/programs/{slot.program_id}")).json()
    assert [s["title"] for s in listed] == [before["title"]] == [program["title"]]
    assert before["registration"]["max_active_registrations"] is None

    edits = {
        f"/api/v1/admin/programs/{slot.program_id}": {"title": "Новое название"},
        f"/api/v1/admin/enterprises/{slot.enterprise_id}": {"name": "Новый завод"},
        f"/api/v1/admin/series/{series.id}": {"max_active_registrations": 2},
    }
    for path, change in edits.items():
        answer = await client.patch(path, json=change, headers=organizer)
        assert answer.status_code == 200, answer.text

    after = (await client.get(f"/api/v1/slots/{slot.id}")).json()
    assert after["title"] == "Новое название"
    assert after["enterprise_name"] == "Новый завод"
    assert after["registration"]["max_active_registrations"] == 2
    listed = (await client.get("/api/v1/slots")).json()["items"]
    assert [(s["title"], s["enterprise_name"]) for s in listed] == [
        ("Новое название", "Новый завод")
    ]
    program = (await client.get(f"/api/v1/programs/{slot.program_id}")).json()
    assert program["title"] == "Новое название"
    enterprise = (await client.get(f"/api/v1/enterprises/{slot.enterprise_id}")).json()
    assert enterprise["name"] == "Новый завод"


async def test_seats_are_read_fresh(client: httpx.AsyncClient, session: AsyncSession) -> None:
    slot = await factories.slot(session, capacity=3)
    assert (await client.get(f"/api/v1/slots/{slot.id}")).json()["seats_left"] == 3
    catalog = CatalogService(session, MSK)
    assert await catalog.take_seats(slot.id, 2)
    await session.commit()
    assert (await client.get(f"/api/v1/slots/{slot.id}")).json()["seats_left"] == 1
    listed = (await client.get("/api/v1/slots")).json()
    assert [s["seats_left"] for s in listed["items"]] == [1]
    assert listed["total"] == 1


async def test_an_uncommitted_edit_is_seen_by_its_own_transaction_only(
    session: AsyncSession,
) -> None:
    slot = await factories.slot(session)
    catalog = CatalogService(session, MSK)
    assert (await catalog.slot(slot.id)).title == slot.title  # now cached
    generation = catalog_cache.generation
    try:
        async with transaction(session):
            program = await session.get(Program, slot.program_id)
            assert program is not None
            program.title = "Черновик"
            await session.flush()
            assert (await catalog.slot(slot.id)).title == "Черновик"
            raise RuntimeError("roll back")
    except RuntimeError:
        pass
    assert catalog_cache.generation == generation  # nothing committed, nothing forgotten
    assert (await catalog.slot(slot.id)).title == slot.title
