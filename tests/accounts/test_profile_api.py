"""The profile over the JSON API: companions, consent, ID data encrypted at rest, purge."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
import time_machine
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.service import AccountsService
from openindustry.config import Settings
from tests.accounts.conftest import TokenFor


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_profile_fields_change(client: httpx.AsyncClient, token_for: TokenFor) -> None:
    auth = bearer(await token_for())
    response = await client.patch(
        "/api/v1/me",
        headers=auth,
        json={
            "name": "Мария Иванова",
            "phone": "8 (916) 123-45-67",
            "birth_date": "1990-05-17",
            "notification_channels": ["telegram", "email"],
        },
    )
    assert response.status_code == 200, response.text
    me = response.json()
    assert me["name"] == "Мария Иванова"
    assert me["phone"] == "+79161234567"
    assert me["birth_date"] == "1990-05-17"
    assert me["notification_channels"] == ["telegram", "email"]
    # A partial change leaves the rest alone.
    again = await client.patch("/api/v1/me", headers=auth, json={"phone": "+7 916 000-00-00"})
    assert again.json()["name"] == "Мария Иванова"


async def test_companions_are_replaced_as_a_list(
    client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    auth = bearer(await token_for())
    created = await client.patch(
        "/api/v1/me",
        headers=auth,
        json={
            "companions": [
                {"name": "Петя", "birth_date": "2016-03-01"},
                {"name": "Бабушка", "birth_date": "1955-01-20"},
            ]
        },
    )
    petya, granny = created.json()["companions"]
    assert (petya["name"], granny["name"]) == ("Петя", "Бабушка")

    changed = await client.patch(
        "/api/v1/me",
        headers=auth,
        json={"companions": [{"id": petya["id"], "name": "Пётр", "birth_date": "2016-03-01"}]},
    )
    assert changed.json()["companions"] == [
        {"id": petya["id"], "name": "Пётр", "birth_date": "2016-03-01"}
    ]


async def test_someone_elses_companion_cannot_be_edited(
    client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    owner = bearer(await token_for())
    child = (
        await client.patch(
            "/api/v1/me",
            headers=owner,
            json={"companions": [{"name": "Лиза", "birth_date": "2018-09-09"}]},
        )
    ).json()["companions"][0]
    intruder = bearer(await token_for())
    response = await client.patch(
        "/api/v1/me",
        headers=intruder,
        json={"companions": [{"id": child["id"], "name": "Чужая", "birth_date": "2018-09-09"}]},
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "companion_not_found"
    mine = (await client.get("/api/v1/me", headers=owner)).json()["companions"]
    assert mine == [child]


@pytest.mark.parametrize(
    "body",
    [
        {"birth_date": "2999-01-01"},
        {"birth_date": "1800-01-01"},
        {"phone": "call me"},
        {"name": ""},
        {"locale": "de"},
        {"notification_channels": ["pigeon"]},
        {"companions": [{"name": "Без даты"}]},
        {"companions": [{"name": "Ребёнок", "birth_date": "2015-01-01"}] * 11},
        {"role": "admin"},
    ],
)
async def test_bad_profile_input_is_refused(
    client: httpx.AsyncClient, token_for: TokenFor, body: dict[str, object]
) -> None:
    auth = bearer(await token_for())
    before = (await client.get("/api/v1/me", headers=auth)).json()
    response = await client.patch("/api/v1/me", headers=auth, json=body)
    if "role" in body:
        # Unknown fields are ignored; a participant can never raise their own role.
        assert response.status_code == 200
        assert response.json()["role"] == "participant"
    else:
        assert response.status_code == 422
    assert (await client.get("/api/v1/me", headers=auth)).json()["companions"] == before[
        "companions"
    ]


async def test_consent_must_match_the_current_text(
    client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    auth = bearer(await token_for())
    consent = (await client.get("/api/v1/consent")).json()
    assert consent["version"] == CONSENT_VERSION
    assert "персональных данных" in consent["text"]
    assert (await client.get("/api/v1/me", headers=auth)).json()["consent"] is None

    stale = await client.post("/api/v1/me/consent", headers=auth, json={"version": "1999-01"})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "consent_version_mismatch"

    given = await client.post(
        "/api/v1/me/consent", headers=auth, json={"version": consent["version"]}
    )
    assert given.status_code == 200
    state = given.json()["consent"]
    assert state["version"] == CONSENT_VERSION
    assert state["current"] is True
    assert datetime.fromisoformat(state["given_at"]) <= datetime.now(UTC)


async def test_id_document_is_encrypted_at_rest_and_shown_masked(
    client: httpx.AsyncClient, token_for: TokenFor, session: AsyncSession, settings: Settings
) -> None:
    auth = bearer(await token_for())
    number, full_name = "4510 987654", "Сидоров Иван Петрович"
    response = await client.put(
        "/api/v1/me/id-document",
        headers=auth,
        json={"document_type": "passport_rf", "number": number, "full_name": full_name},
    )
    assert response.status_code == 200, response.text
    document = response.json()["id_document"]
    assert document["masked_number"].endswith("7654")
    assert "987654" not in response.text

    # What the database holds: no clear text anywhere in the row.
    row = (await session.execute(text("SELECT * FROM id_document"))).one()
    stored = " ".join(
        value.hex() + repr(bytes(value)) if isinstance(value, bytes | memoryview) else str(value)
        for value in row
    )
    for secret in ("987654", "4510", "Сидоров", full_name.encode().hex()):
        assert secret not in stored

    me = (await client.get("/api/v1/me", headers=auth)).json()
    plain = await AccountsService(session, settings).id_document(me["id"])
    assert plain is not None
    assert plain.number == number
    assert plain.full_name == full_name

    # Another key cannot read it.
    other = Settings(database_url=settings.database_url, environment="test", secret_key="x" * 40)
    with pytest.raises(ValueError, match="does not decrypt"):
        await AccountsService(session, other).id_document(me["id"])

    assert (await client.delete("/api/v1/me/id-document", headers=auth)).status_code == 204
    assert (await client.get("/api/v1/me", headers=auth)).json()["id_document"] is None


async def test_purge_deletes_id_data_when_due(
    client: httpx.AsyncClient, token_for: TokenFor, session: AsyncSession, settings: Settings
) -> None:
    auth = bearer(await token_for())
    await client.put(
        "/api/v1/me/id-document",
        headers=auth,
        json={"document_type": "passport_rf", "number": "4510 123456", "full_name": "Иван"},
    )
    user_id = (await client.get("/api/v1/me", headers=auth)).json()["id"]
    accounts = AccountsService(session, settings)
    assert (await accounts.purge())["id_documents"] == 0
    assert await accounts.id_document(user_id) is not None
    later = datetime.now(UTC) + timedelta(days=settings.id_data_retention_days, minutes=1)
    with time_machine.travel(later, tick=False):
        assert (await accounts.purge())["id_documents"] == 1
    assert await accounts.id_document(user_id) is None


@pytest.mark.parametrize(
    "body",
    [
        {"document_type": "library_card", "number": "123456", "full_name": "Иван"},
        {"document_type": "passport_rf", "number": "12", "full_name": "Иван"},
        {"document_type": "passport_rf", "number": "<script>", "full_name": "Иван"},
        {"document_type": "passport_rf", "number": "4510 123456"},
    ],
)
async def test_bad_id_document_is_422(
    client: httpx.AsyncClient, token_for: TokenFor, body: dict[str, str]
) -> None:
    response = await client.put(
        "/api/v1/me/id-document", headers=bearer(await token_for()), json=body
    )
    assert response.status_code == 422


def test_birth_dates_are_checked_against_today() -> None:
    from openindustry.accounts.schemas import UserUpdate

    assert UserUpdate(birth_date=date.today()).birth_date == date.today()  # noqa: DTZ011
