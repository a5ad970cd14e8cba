"""The demo program: what a newcomer finds after `make run`, loaded once however often it runs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import httpx
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.demo import load_demo
from openindustry.demo.loader import series_years

MSK = ZoneInfo("Europe/Moscow")
LOADED_AT = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)


async def _all_slots(client: httpx.AsyncClient, **params: str) -> list[dict[str, object]]:
    response = await client.get("/api/v1/slots", params={"limit": "200", **params})
    assert response.status_code == 200
    items: list[dict[str, object]] = response.json()["items"]
    return items


async def test_the_demo_is_the_december_series_and_loads_once(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    with time_machine.travel(LOADED_AT, tick=False):
        first = await load_demo(session, settings, now=LOADED_AT)
        second = await load_demo(session, settings, now=LOADED_AT)
        december = await _all_slots(client, date_from="2026-12-01", date_to="2026-12-31")
        november = await _all_slots(client, date_from="2025-11-01", date_to="2025-11-30")
        enterprises = (await client.get("/api/v1/enterprises", params={"limit": "200"})).json()
        tasks = (await client.get("/api/v1/tasks")).json()
        prizes = (await client.get("/api/v1/prizes")).json()
    assert first.created
    assert (first.enterprises, first.slots) == (14, 46)
    assert not second.created

    assert enterprises["total"] == 14
    names = " ".join(e["name"] for e in enterprises["items"])
    for named in ("Эстет", "Научные развлечения", "Хруничева", "Ил", "Молния", "кондитеры"):
        assert named in names

    assert len(december) == 36
    days = {datetime.fromisoformat(str(s["starts_at"])).astimezone(MSK).date() for s in december}
    assert min(days) >= date(2026, 12, 11)
    assert max(days) <= date(2026, 12, 22)
    assert all(15 <= int(str(s["capacity"])) <= 30 for s in december)
    assert {s["format"] for s in december} >= {"excursion", "master_class"}
    assert len({s["age_rating"] for s in december}) >= 3
    states = [s["registration"]["state"] for s in december]  # type: ignore[index]
    assert states.count("open") >= 4  # a newcomer can register at once…
    gated = [s for s in december if s["required_tasks"]]
    open_free = [
        s for s in december if not s["required_tasks"] and s["registration"]["state"] == "open"
    ]  # type: ignore[index]
    assert gated  # …some slots only after the quiz…
    assert open_free  # …and some without any task
    assert november  # a past series for the statistics

    quiz = next(t for t in tasks["items"] if t["kind"] == "quiz")
    assert all(s["required_tasks"] == [quiz["id"]] for s in gated)
    assert {t["kind"] for t in tasks["items"]} >= {"quiz", "code_word", "attendance"}
    assert any(p["price_points"] is None for p in prizes["items"])  # drawn
    assert any(p["price_points"] for p in prizes["items"])  # claimed for points


def test_the_coming_december_and_the_past_november() -> None:
    assert series_years(date(2026, 11, 26)) == (2026, 2025)
    assert series_years(date(2026, 12, 10)) == (2026, 2026)
    assert series_years(date(2026, 12, 11)) == (2027, 2026)
    assert series_years(date(2027, 3, 1)) == (2027, 2026)
