"""The catalog JSON API as DESIGN.md documents it, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.catalog.schemas import RegistrationWindowInput
from tests import factories

MSK = ZoneInfo("Europe/Moscow")
SLOT_KEYS = {
    "id", "program_id", "enterprise_id", "format", "starts_at", "ends_at", "capacity",
    "seats_left", "age_rating", "registration", "required_tasks",
}  # fmt: skip


def _error_code(response: httpx.Response) -> str:
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["message"]
    code: str = body["error"]["code"]
    return code


async def test_slot_carries_the_documented_fields(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    starts = datetime(2030, 12, 11, 11, 0, tzinfo=MSK)
    slot = await factories.slot(session, starts_at=starts, capacity=25)

    response = await client.get(f"/api/v1/slots/{slot.id}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) >= SLOT_KEYS
    assert body["starts_at"] == "2030-12-11T11:00:00+03:00"
    assert body["ends_at"] == "2030-12-11T12:30:00+03:00"
    assert body["capacity"] == 25
    assert body["seats_left"] == 25
    assert body["required_tasks"] == []
    registration = body["registration"]
    assert set(registration) >= {"state", "mode", "opens_at", "closes_at"}
    assert registration["mode"] == "fcfs"
    assert registration["opens_at"] == "2030-12-08T10:00:00+03:00"
    assert registration["closes_at"] == "2030-12-10T11:00:00+03:00"


async def test_registration_state_moves_with_the_clock(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    starts = datetime(2030, 12, 11, 11, 0, tzinfo=MSK)
    slot = await factories.slot(session, starts_at=starts)
    lottery = await factories.slot(
        session, starts_at=starts, registration=RegistrationWindowInput(mode="lottery")
    )
    expectations = [
        (datetime(2030, 12, 8, 9, 59, tzinfo=MSK), "not_open", "not_open"),
        (datetime(2030, 12, 8, 10, 0, tzinfo=MSK), "open", "lottery"),
        (datetime(2030, 12, 10, 11, 0, tzinfo=MSK), "closed", "closed"),
    ]
    for moment, fcfs_state, lottery_state in expectations:
        with time_machine.travel(moment, tick=False):
            fcfs = (await client.get(f"/api/v1/slots/{slot.id}")).json()
            drawn = (await client.get(f"/api/v1/slots/{lottery.id}")).json()
        assert fcfs["registration"]["state"] == fcfs_state, moment
        assert drawn["registration"]["state"] == lottery_state, moment


async def test_filters_narrow_the_slot_list(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    sweets = await factories.industry(session, slug="confectionery", name="Кондитерская")
    space = await factories.industry(session, slug="space", name="Космос")
    factory = await factories.enterprise(session, industry=sweets.slug, name="Фабрика «Ёлка»")
    rocket = await factories.enterprise(session, industry=space.slug, name="Ракетный центр")
    kids = await factories.program(
        session, enterprise_id=factory.id, title="Как делают карамель", age_rating=6
    )
    adults = await factories.program(
        session,
        enterprise_id=rocket.id,
        title="Сборка ракет-носителей",
        format="lecture",
        age_rating=16,
    )
    day1 = datetime(2030, 12, 11, 11, 0, tzinfo=MSK)
    day2 = datetime(2030, 12, 15, 11, 0, tzinfo=MSK)
    a = await factories.slot(session, program_id=kids.id, starts_at=day1)
    b = await factories.slot(session, program_id=adults.id, starts_at=day2, capacity=0)

    async def ids(**params: object) -> list[int]:
        response = await client.get("/api/v1/slots", params=params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["total"] == len(body["items"])
        return [item["id"] for item in body["items"]]

    assert await ids() == [a.id, b.id]
    assert await ids(industry="space") == [b.id]
    assert await ids(format="lecture") == [b.id]
    assert await ids(age=10) == [a.id]
    assert await ids(available="true") == [a.id]
    assert await ids(date_from="2030-12-12") == [b.id]
    assert await ids(date_from="2030-12-11", date_to="2030-12-11") == [a.id]
    assert await ids(q="ЁЛКА") == [a.id]  # enterprise name, other case, ё written as Ё
    assert await ids(q="елка") == [a.id]
    assert await ids(q="космос") == [b.id]  # the industry's name
    assert await ids(q="100%_") == []
    assert await ids(enterprise_id=rocket.id) == [b.id]
    assert await ids(program_id=kids.id) == [a.id]


async def test_lists_paginate_with_a_total(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    program = await factories.program(session)
    base = datetime(2030, 12, 11, 10, 0, tzinfo=MSK)
    created = [
        (
            await factories.slot(
                session, program_id=program.id, starts_at=base + timedelta(hours=i)
            )
        ).id
        for i in range(5)
    ]
    first = (await client.get("/api/v1/slots", params={"limit": 2})).json()
    rest = (await client.get("/api/v1/slots", params={"limit": 2, "offset": 2})).json()
    assert first["total"] == rest["total"] == 5
    assert [s["id"] for s in first["items"] + rest["items"]] == created[:4]


async def test_past_slots_are_hidden_unless_asked_for(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    program = await factories.program(session)
    past = await factories.slot(
        session, program_id=program.id, starts_at=datetime.now(UTC) - timedelta(days=3)
    )
    future = await factories.slot(session, program_id=program.id)
    listed = (await client.get("/api/v1/slots")).json()["items"]
    assert [s["id"] for s in listed] == [future.id]
    since = (datetime.now(UTC) - timedelta(days=5)).date().isoformat()
    listed = (await client.get("/api/v1/slots", params={"date_from": since})).json()["items"]
    assert [s["id"] for s in listed] == [past.id, future.id]
    assert listed[0]["registration"]["state"] == "closed"


async def test_enterprises_and_programs(client: httpx.AsyncClient, session: AsyncSession) -> None:
    jewels = await factories.industry(session, slug="jewellery", name="Ювелирное дело")
    estet = await factories.enterprise(
        session, slug="estet", name="Эстет", industry=jewels.slug, requires_id_document=False
    )
    program = await factories.program(
        session, enterprise_id=estet.id, title="3D-печать украшений", format="master_class"
    )
    other = await factories.enterprise(session)

    listed = (await client.get("/api/v1/enterprises", params={"industry": "jewellery"})).json()
    assert [e["id"] for e in listed["items"]] == [estet.id]
    assert listed["items"][0]["industry"]["slug"] == "jewellery"
    one = (await client.get(f"/api/v1/enterprises/{other.id}")).json()
    assert one["slug"] == other.slug

    programs = (await client.get("/api/v1/programs", params={"enterprise_id": estet.id})).json()
    assert programs["total"] == 1
    assert programs["items"][0]["format"] == "master_class"
    by_search = (await client.get("/api/v1/programs", params={"q": "3d-ПЕЧАТЬ"})).json()
    assert [p["id"] for p in by_search["items"]] == [program.id]
    assert (await client.get(f"/api/v1/programs/{program.id}")).json()["title"] == program.title


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/api/v1/slots/424242", "slot_not_found"),
        ("/api/v1/enterprises/424242", "enterprise_not_found"),
        ("/api/v1/programs/424242", "program_not_found"),
        ("/api/v1/no-such-thing", "not_found"),
    ],
)
async def test_unknown_ids_are_404_with_a_code(
    client: httpx.AsyncClient, path: str, code: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 404
    assert _error_code(response) == code


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"age": "abc"}, "validation_error"),
        ({"age": "-1"}, "validation_error"),
        ({"format": "circus"}, "validation_error"),
        ({"industry": "../../etc"}, "validation_error"),
        ({"date_from": "2030-13-01"}, "validation_error"),
        ({"available": "perhaps"}, "validation_error"),
        ({"limit": "0"}, "validation_error"),
        ({"limit": "100000"}, "validation_error"),
        ({"offset": "-5"}, "validation_error"),
        ({"enterprise_id": "99999999999999999999"}, "validation_error"),
        ({"date_from": "2030-12-10", "date_to": "2030-12-01"}, "invalid_date_range"),
    ],
)
async def test_bad_filters_are_422_with_a_code(
    client: httpx.AsyncClient, params: dict[str, str], code: str
) -> None:
    response = await client.get("/api/v1/slots", params=params)
    assert response.status_code == 422
    assert _error_code(response) == code


@pytest.mark.parametrize(
    "path", ["/api/v1/slots/99999999999999999999", "/api/v1/slots/-1", "/api/v1/slots/x"]
)
async def test_impossible_ids_are_a_client_error(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 422
    assert _error_code(response) == "validation_error"


params_strategy = st.dictionaries(
    st.sampled_from(
        [
            "date_from",
            "date_to",
            "industry",
            "format",
            "age",
            "available",
            "q",
            "limit",
            "offset",
            "enterprise_id",
            "program_id",
            "series_id",
        ]
    ),
    st.text(max_size=30) | st.integers(-(2**70), 2**70).map(str) | st.dates().map(date.isoformat),
    max_size=6,
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=params_strategy)
async def test_no_filter_input_yields_a_server_error(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    for path in ("/api/v1/slots", "/api/v1/programs", "/api/v1/enterprises"):
        response = await client.get(path, params=params)
        assert response.status_code in {200, 422}, (path, params, response.text)
        if response.status_code == 422:
            assert _error_code(response)


async def test_health_and_openapi(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json()["status"] == "ok"
    spec = (await client.get("/openapi.json")).json()
    assert "/api/v1/slots" in spec["paths"]
    assert "/api/v1/slots/{slot_id}" in spec["paths"]
    assert (await client.get("/docs")).status_code == 200


async def test_slots_of_a_date_are_read_on_the_moscow_calendar(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    # 00:30 on 12 December in Moscow is 21:30 on 11 December in UTC: it belongs to the 12th.
    slot = await factories.slot(session, starts_at=datetime(2030, 12, 12, 0, 30, tzinfo=MSK))
    on_11 = (
        await client.get(
            "/api/v1/slots", params={"date_from": "2030-12-11", "date_to": "2030-12-11"}
        )
    ).json()
    on_12 = (
        await client.get(
            "/api/v1/slots", params={"date_from": "2030-12-12", "date_to": "2030-12-12"}
        )
    ).json()
    assert on_11["total"] == 0
    assert [s["id"] for s in on_12["items"]] == [slot.id]
