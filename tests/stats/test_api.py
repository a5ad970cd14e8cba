"""The statistics routes: public counters, the organizer's JSON, CSV tables and SVG charts."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET

import httpx
import pytest

from openindustry.accounts.models import Role
from openindustry.stats.charts import CHARTS
from openindustry.stats.exports import TABLES
from tests.conftest import TokenFor
from tests.stats.conftest import Fixture

SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(text: str) -> ET.Element:
    # Our own server's output in a test, not untrusted input.
    return ET.fromstring(text)  # noqa: S314


@pytest.fixture
async def organizer(token_for: TokenFor) -> dict[str, str]:
    return {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}


async def test_public_counters_need_no_sign_in(
    client: httpx.AsyncClient, program_data: Fixture
) -> None:
    response = await client.get("/api/v1/stats/public")
    assert response.status_code == 200
    assert response.json() == {
        "excursions_held": 3,
        "master_classes_held": 1,
        "visitors": 7,
        "enterprises": 3,
        "upcoming_slots": 1,
        "seats_upcoming": 25,
    }
    schema = (await client.get("/openapi.json")).json()["components"]["schemas"]["PublicStats"]
    assert schema["properties"]["visitors"]["description"].startswith("People checked in")


async def test_dashboard_json(
    client: httpx.AsyncClient, program_data: Fixture, organizer: dict[str, str]
) -> None:
    response = await client.get(
        "/api/v1/admin/stats", params={"series_id": program_data.s1}, headers=organizer
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["filters"] == {"series_id": program_data.s1, "date_from": None, "date_to": None}
    assert body["lottery"][0]["people_per_seat"] == 2.5
    assert body["attendance"]["people"] == 6
    assert {r["name"]: r["fill_rate"] for r in body["by_industry"]} == {
        "Кондитерская": 0.5333,
        "Авиация": 0.5,
    }


async def test_hosts_and_strangers_get_no_dashboard(
    client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    host = {"Authorization": f"Bearer {await token_for(Role.HOST)}"}
    assert (await client.get("/api/v1/admin/stats", headers=host)).status_code == 403
    assert (await client.get("/api/v1/admin/stats/days.csv")).status_code == 401


async def test_csv_tables(
    client: httpx.AsyncClient, program_data: Fixture, organizer: dict[str, str]
) -> None:
    params = {"series_id": program_data.s1}
    for table in TABLES:
        response = await client.get(
            f"/api/v1/admin/stats/{table}.csv", params=params, headers=organizer
        )
        assert response.status_code == 200, (table, response.text)
        assert response.headers["content-type"].startswith("text/csv")
        assert response.content.startswith(b"\xef\xbb\xbf"), table
    response = await client.get(
        "/api/v1/admin/stats/enterprises.csv", params=params, headers=organizer
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Предприятие", "Отрасль", "Слотов"]
    by_name = {row[0]: row for row in rows[1:]}
    assert by_name["«Объединённые кондитеры»"][1:6] == ["Кондитерская", "1", "10", "2", "5"]
    assert by_name["«Объединённые кондитеры»"][6] == "0.5"
    response = await client.get("/api/v1/admin/stats/prizes.csv", headers=organizer)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][1:] == ["Термос «Моспром»", "3", "2", "1"]
    response = await client.get("/api/v1/admin/stats/ages.csv", params=params, headers=organizer)
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == ["Возраст", "Участники", "Сопровождающие", "Всего"]
    assert rows[-1] == ["unknown", "1", "0", "1"]


async def test_unknown_table_and_chart_are_404(
    client: httpx.AsyncClient, organizer: dict[str, str]
) -> None:
    response = await client.get("/api/v1/admin/stats/users.csv", headers=organizer)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_table"
    response = await client.get("/api/v1/admin/stats/charts/pie.svg", headers=organizer)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_chart"


async def test_charts_are_static_svg(
    client: httpx.AsyncClient, program_data: Fixture, organizer: dict[str, str]
) -> None:
    titles = {
        "registrations": "Заявки и места по дням",
        "fill": "Заполняемость по предприятиям, %",
        "ages": "Аудитория по возрасту",
        "lottery": "Спрос на лотерейные слоты: человек на место",
    }
    assert set(titles) == set(CHARTS)
    for chart, title in titles.items():
        response = await client.get(
            f"/api/v1/admin/stats/charts/{chart}.svg",
            params={"series_id": program_data.s1},
            headers=organizer,
        )
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("image/svg+xml")
        root = parse_svg(response.text)
        assert root.tag == f"{SVG}svg"
        assert root.find(f".//{SVG}script") is None
        assert "<script" not in response.text
        texts = " ".join(t for t in root.itertext())
        assert title in texts
    response = await client.get(
        "/api/v1/admin/stats/charts/fill.svg",
        params={"series_id": program_data.s1},
        headers=organizer,
    )
    assert "«Эстет»" in " ".join(parse_svg(response.text).itertext())


async def test_empty_charts_render(client: httpx.AsyncClient, organizer: dict[str, str]) -> None:
    for chart in ("registrations", "fill", "lottery"):  # the age chart always has its 8 groups
        response = await client.get(f"/api/v1/admin/stats/charts/{chart}.svg", headers=organizer)
        assert response.status_code == 200
        assert "Нет данных" in " ".join(parse_svg(response.text).itertext())


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"date_from": "2024-12-02", "date_to": "2024-12-01"}, "invalid_date_range"),
        ({"date_from": "вчера"}, "validation_error"),
        ({"date_to": "2024-13-01"}, "validation_error"),
        ({"date_from": "1900-01-01"}, "validation_error"),
        ({"date_to": "9999-12-31"}, "validation_error"),
        ({"series_id": "0"}, "validation_error"),
        ({"series_id": "abc"}, "validation_error"),
        ({"series_id": str(2**40)}, "validation_error"),
        ({"series_id": "999999"}, "unknown_series"),
    ],
)
async def test_bad_filters_are_422(
    client: httpx.AsyncClient, organizer: dict[str, str], params: dict[str, str], code: str
) -> None:
    for url in (
        "/api/v1/admin/stats",
        "/api/v1/admin/stats/days.csv",
        "/api/v1/admin/stats/charts/ages.svg",
    ):
        response = await client.get(url, params=params, headers=organizer)
        assert response.status_code == 422, (url, params, response.text)
        assert response.json()["error"]["code"] == code
