"""The organizer JSON API for the catalog and the bulk scheduler: codes, transactions, audit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.audit.models import AuditEntry
from openindustry.catalog.models import Program, Slot
from tests import factories
from tests.conftest import TokenFor

API = "/api/v1/admin"


@pytest.fixture
async def organizer(token_for: TokenFor) -> dict[str, str]:
    return {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}


def _code(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


def _monday_ahead() -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=14 - today.weekday())


async def _slots(session: AsyncSession) -> int:
    return await session.scalar(select(func.count(Slot.id))) or 0


async def _actions(session: AsyncSession) -> list[str]:
    entries = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [e.action for e in entries if not e.action.startswith("staff.")]


def _bulk(program_id: int, **changes: object) -> dict[str, object]:
    start = _monday_ahead()
    body: dict[str, object] = {
        "program_id": program_id,
        "date_from": start.isoformat(),
        "date_to": (start + timedelta(days=13)).isoformat(),
        "weekdays": [0, 1, 2, 3, 4],
        "times": ["11:00", "15:00"],
        "capacity": 20,
    }
    return body | changes


async def test_bulk_preview_creates_nothing(
    client: httpx.AsyncClient, session: AsyncSession, organizer: dict[str, str]
) -> None:
    program = await factories.program(session, duration_minutes=90)
    response = await client.post(
        f"{API}/slots/bulk", json=_bulk(program.id, preview=True), headers=organizer
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["preview"] is True
    assert body["count"] == 20
    assert all(s["id"] is None for s in body["slots"])
    first = datetime.fromisoformat(body["slots"][0]["starts_at"])
    assert first.utcoffset() == timedelta(hours=3)  # Moscow time
    assert first.hour == 11
    assert body["slots"][0]["ends_at"].endswith("12:30:00+03:00")
    assert await _slots(session) == 0
    assert await _actions(session) == []


async def test_bulk_creates_all_with_one_audit_entry(
    client: httpx.AsyncClient, session: AsyncSession, organizer: dict[str, str]
) -> None:
    program = await factories.program(session)
    series = await factories.series(session)
    response = await client.post(
        f"{API}/slots/bulk",
        json=_bulk(program.id, series_id=series.id, meeting_point="Проходная"),
        headers=organizer,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    ids = [s["id"] for s in body["slots"]]
    assert len(ids) == 20
    assert None not in ids
    rows = (await session.scalars(select(Slot).order_by(Slot.starts_at))).all()
    assert [r.id for r in rows] == ids
    assert {r.series_id for r in rows} == {series.id}
    assert {r.meeting_point for r in rows} == {"Проходная"}
    assert rows[0].starts_at.astimezone(UTC).hour == 8
    entries = (await session.scalars(select(AuditEntry))).all()
    bulk = [e for e in entries if e.action == "slot.bulk_created"]
    assert len(bulk) == 1
    assert bulk[0].after is not None
    assert bulk[0].after["count"] == 20
    assert bulk[0].after["slot_ids"] == ids


async def test_bulk_refusals_have_codes(
    client: httpx.AsyncClient, session: AsyncSession, organizer: dict[str, str]
) -> None:
    program = await factories.program(session, duration_minutes=90)
    start = _monday_ahead()
    existing = datetime.combine(start + timedelta(days=3), datetime.min.time(), tzinfo=UTC)
    await factories.slot(session, program_id=program.id, starts_at=existing + timedelta(hours=12))

    async def refused(**changes: object) -> httpx.Response:
        return await client.post(
            f"{API}/slots/bulk", json=_bulk(program.id, **changes), headers=organizer
        )

    overlap = await refused()
    assert overlap.status_code == 409
    assert _code(overlap) == "slot_overlap"
    assert await _slots(session) == 1  # all or nothing
    among = await refused(
        times=["11:00", "11:30"], date_from=(start + timedelta(days=7)).isoformat()
    )
    assert _code(among) == "slot_overlap"
    past = await refused(date_from="2020-01-06", date_to="2020-01-10")
    assert past.status_code == 422
    assert _code(past) == "past_date"
    reverse = await refused(date_to=(start - timedelta(days=1)).isoformat())
    assert _code(reverse) == "invalid_date_range"
    nothing = await refused(date_to=start.isoformat(), weekdays=[6])
    assert _code(nothing) == "nothing_to_schedule"
    many = await refused(
        date_to=(start + timedelta(days=400)).isoformat(),
        weekdays=list(range(7)),
        times=["08:00", "18:00"],
    )
    assert _code(many) == "too_many_slots"
    missing = await client.post(f"{API}/slots/bulk", json=_bulk(999_999), headers=organizer)
    assert missing.status_code == 404
    assert _code(missing) == "program_not_found"
    no_series = await refused(series_id=999_999)
    assert _code(no_series) == "series_not_found"
    malformed = await refused(weekdays=[7], times=["25:00"])
    assert malformed.status_code == 422
    assert await _slots(session) == 1
    assert "slot.bulk_created" not in await _actions(session)


async def test_enterprise_program_series_create_and_update(
    client: httpx.AsyncClient, session: AsyncSession, organizer: dict[str, str]
) -> None:
    industry = await factories.industry(session)
    enterprise = await client.post(
        f"{API}/enterprises",
        json={
            "slug": "zavod",
            "name": "Завод",
            "industry": industry.slug,
            "short_description": "Станки",
            "address": "Москва",
        },
        headers=organizer,
    )
    assert enterprise.status_code == 201, enterprise.text
    enterprise_id = enterprise.json()["id"]
    program = await client.post(
        f"{API}/programs",
        json={
            "enterprise_id": enterprise_id,
            "title": "Цех",
            "format": "excursion",
            "duration_minutes": 60,
        },
        headers=organizer,
    )
    assert program.status_code == 201
    program_id = program.json()["id"]
    changed = await client.patch(
        f"{API}/enterprises/{enterprise_id}", json={"name": "Ёлочный завод"}, headers=organizer
    )
    assert changed.status_code == 200
    assert changed.json()["name"] == "Ёлочный завод"
    assert changed.json()["short_description"] == "Станки"
    row = await session.get(Program, program_id)
    assert row is not None
    await session.refresh(row)
    assert "елочный завод" in row.search_text
    retitled = await client.patch(
        f"{API}/programs/{program_id}", json={"title": "Стекольный цех"}, headers=organizer
    )
    assert retitled.json()["title"] == "Стекольный цех"
    await session.refresh(row)
    assert "стекольный цех" in row.search_text
    found = await client.get("/api/v1/programs", params={"q": "стекольный"})
    assert [p["id"] for p in found.json()["items"]] == [program_id]

    series = await client.post(
        f"{API}/series",
        json={"title": "Весна", "starts_on": "2031-03-01", "ends_on": "2031-03-31"},
        headers=organizer,
    )
    assert series.status_code == 201
    series_id = series.json()["id"]
    policy = await client.patch(
        f"{API}/series/{series_id}",
        json={"allocation_mode": "lottery", "max_active_registrations": 2},
        headers=organizer,
    )
    assert policy.status_code == 200
    assert policy.json()["allocation_mode"] == "lottery"
    assert policy.json()["starts_on"] == "2031-03-01"
    backwards = await client.patch(
        f"{API}/series/{series_id}", json={"ends_on": "2031-02-01"}, headers=organizer
    )
    assert backwards.status_code == 422
    assert _code(backwards) == "invalid_date_range"
    taken = await client.post(
        f"{API}/enterprises",
        json={
            "slug": "zavod",
            "name": "Другой",
            "industry": industry.slug,
            "short_description": "x",
            "address": "y",
        },
        headers=organizer,
    )
    assert taken.status_code == 409
    assert _code(taken) == "slug_taken"
    unknown = await client.patch(f"{API}/programs/999999", json={}, headers=organizer)
    assert unknown.status_code == 404
    assert _code(unknown) == "program_not_found"
    no_industry = await client.patch(
        f"{API}/enterprises/{enterprise_id}", json={"industry": "no-such"}, headers=organizer
    )
    assert _code(no_industry) == "industry_not_found"
    assert await _actions(session) == [
        "enterprise.created",
        "program.created",
        "enterprise.updated",
        "program.updated",
        "series.created",
        "series.updated",
    ]


async def test_hosts_may_not(
    client: httpx.AsyncClient, session: AsyncSession, token_for: TokenFor
) -> None:
    program = await factories.program(session)
    host = {"Authorization": f"Bearer {await token_for(Role.HOST, [program.enterprise_id])}"}
    response = await client.post(f"{API}/slots/bulk", json=_bulk(program.id), headers=host)
    assert response.status_code == 403
    assert _code(response) == "forbidden"
