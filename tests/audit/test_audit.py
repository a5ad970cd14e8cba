"""Every staff change leaves an audit entry (who, what, before, after); the log is filterable."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.config import Settings
from openindustry.rewards.service import RewardsService
from tests import factories
from tests.conftest import TokenFor


class Caller:
    def __init__(self, client: httpx.AsyncClient, token: str, user_id: int) -> None:
        self.client, self.user_id = client, user_id
        self.headers = {"Authorization": f"Bearer {token}"}

    async def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, url, headers=self.headers, **kwargs)

    async def log(self, **params: Any) -> list[dict[str, Any]]:
        response = await self.request("GET", "/api/v1/admin/audit", params=params)
        assert response.status_code == 200, response.text
        items: list[dict[str, Any]] = response.json()["items"]
        return items


async def _caller(client: httpx.AsyncClient, token_for: TokenFor, role: Role) -> Caller:
    token = await token_for(role)
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    return Caller(client, token, me.json()["id"])


@pytest.fixture
async def organizer(client: httpx.AsyncClient, token_for: TokenFor) -> Caller:
    return await _caller(client, token_for, Role.ORGANIZER)


@pytest.fixture
async def admin(client: httpx.AsyncClient, token_for: TokenFor) -> Caller:
    return await _caller(client, token_for, Role.ADMIN)


async def test_slot_created_changed_cancelled(session: AsyncSession, organizer: Caller) -> None:
    program = await factories.program(session)
    starts = datetime.now(UTC) + timedelta(days=10)
    created = await organizer.request(
        "POST",
        "/api/v1/admin/slots",
        json={
            "program_id": program.id,
            "starts_at": starts.isoformat(),
            "ends_at": (starts + timedelta(hours=1)).isoformat(),
            "capacity": 5,
        },
    )
    assert created.status_code == 201, created.text
    slot_id = created.json()["id"]
    url = f"/api/v1/admin/slots/{slot_id}"
    assert (await organizer.request("PATCH", url, json={"capacity": 8})).status_code == 200
    assert (await organizer.request("PATCH", url, json={"status": "cancelled"})).status_code == 200

    entries = await organizer.log(subject_type="slot", subject_id=slot_id)
    assert [e["action"] for e in entries] == ["slot.cancelled", "slot.updated", "slot.created"]
    cancelled, updated, made = entries
    assert all(e["actor_id"] == organizer.user_id for e in entries)
    assert made["before"] is None
    assert made["after"]["capacity"] == 5
    assert made["after"]["starts_at"].startswith(starts.date().isoformat())  # ISO strings
    assert (updated["before"], updated["after"]) == ({"capacity": 5}, {"capacity": 8})
    assert cancelled["before"]["status"] == "scheduled"
    assert cancelled["after"]["status"] == "cancelled"


async def test_staff_saved(admin: Caller, session: AsyncSession) -> None:
    enterprise = await factories.enterprise(session)
    body = {"email": "host@example.org", "role": "host", "enterprise_ids": [enterprise.id]}
    first = await admin.request("POST", "/api/v1/admin/users", json=body)
    assert first.status_code == 201
    user_id = first.json()["id"]
    await admin.request("POST", "/api/v1/admin/users", json=body | {"role": "organizer"})
    entries = await admin.log(subject_type="user", subject_id=user_id)
    assert [e["action"] for e in entries] == ["staff.updated", "staff.created"]
    assert entries[1]["after"]["enterprise_ids"] == [enterprise.id]
    assert entries[0]["before"]["role"] == "host"
    assert entries[0]["after"]["role"] == "organizer"
    assert all(e["actor_id"] == admin.user_id for e in entries)
    assert "token" not in str(entries)


async def test_prize_update_and_hand_over(
    organizer: Caller, session: AsyncSession, settings: Settings, token_for: TokenFor
) -> None:
    made = await organizer.request(
        "POST", "/api/v1/admin/prizes", json={"title": "Термос", "stock": 3, "price_points": 5}
    )
    prize_id = made.json()["id"]
    changed = await organizer.request(
        "PATCH", f"/api/v1/admin/prizes/{prize_id}", json={"stock": 10, "title": "Термос"}
    )
    assert changed.status_code == 200
    entries = await organizer.log(subject_type="prize")
    assert [e["action"] for e in entries] == ["prize.updated", "prize.created"]
    assert (entries[0]["before"], entries[0]["after"]) == ({"stock": 3}, {"stock": 10})

    rewards = RewardsService(session, settings)
    token = await token_for()
    me = await organizer.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    user_id = me.json()["id"]
    await rewards.award(user_id, 20, reason="adjustment", ref_type="seed", ref_id=1)
    claim = await rewards.claim(user_id, prize_id)
    url = f"/api/v1/admin/claims/{claim.pickup_code}/hand-over"
    assert (await organizer.request("POST", url)).status_code == 200
    assert (await organizer.request("POST", url)).status_code == 200  # again: nothing new
    handed = await organizer.log(action="claim")
    assert len(handed) == 1
    assert handed[0]["action"] == "claim.handed_over"
    assert handed[0]["subject_id"] == claim.id
    assert handed[0]["before"] == {"status": "reserved"}
    assert handed[0]["after"]["status"] == "handed_over"
    assert claim.pickup_code not in str(handed)

    second = await rewards.claim(
        user_id,
        (
            await organizer.request(
                "POST",
                "/api/v1/admin/prizes",
                json={"title": "Кружка", "stock": 1, "price_points": 5},
            )
        ).json()["id"],
    )
    cancel = f"/api/v1/admin/claims/{second.pickup_code}/cancel"
    assert (await organizer.request("POST", cancel)).status_code == 200
    cancelled = await organizer.log(action="claim.cancelled")
    assert [e["subject_id"] for e in cancelled] == [second.id]
    assert cancelled[0]["after"] == {"status": "cancelled", "points_refunded": 5}


async def test_task_created_and_updated(organizer: Caller) -> None:
    made = await organizer.request(
        "POST",
        "/api/v1/admin/tasks",
        json={"kind": "code_word", "title": "Слово", "points": 5, "code_word": "СТАЛЬ"},
    )
    assert made.status_code == 201, made.text
    task_id = made.json()["id"]
    changed = await organizer.request("PATCH", f"/api/v1/admin/tasks/{task_id}", json={"points": 7})
    assert changed.status_code == 200, changed.text
    entries = await organizer.log(action="task")
    assert [e["action"] for e in entries] == ["task.updated", "task.created"]
    assert (entries[0]["before"], entries[0]["after"]) == ({"points": 5}, {"points": 7})
    assert entries[1]["after"]["code_word_set"] is True
    assert "СТАЛЬ" not in str(entries)


async def test_filters_and_access(
    organizer: Caller, admin: Caller, session: AsyncSession, token_for: TokenFor
) -> None:
    program = await factories.program(session)
    for day, capacity in ((3, 4), (4, 6)):
        # Two different times: one program never has two slots starting together.
        starts = datetime.now(UTC) + timedelta(days=day)
        created = await organizer.request(
            "POST",
            "/api/v1/admin/slots",
            json={
                "program_id": program.id,
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
                "capacity": capacity,
            },
        )
        assert created.status_code == 201, created.text
    await admin.request(
        "POST", "/api/v1/admin/users", json={"email": "o2@example.org", "role": "organizer"}
    )
    assert len(await organizer.log(action="slot")) == 2
    assert len(await organizer.log(action="slot.created")) == 2
    assert await organizer.log(action="slot.cancelled") == []
    assert await organizer.log(action="slo") == []  # a prefix is a whole dotted part
    assert {e["action"] for e in await organizer.log(actor_id=admin.user_id)} == {"staff.created"}
    mine = await organizer.log(actor_id=organizer.user_id)
    assert [e["after"]["capacity"] for e in mine] == [6, 4]
    assert len(await organizer.log(actor_id=organizer.user_id, limit=1, offset=1)) == 1
    today = datetime.now(UTC).date()
    assert len(await organizer.log(action="slot", date_from=today.isoformat())) == 2
    past = (today - timedelta(days=5)).isoformat()
    assert await organizer.log(action="slot", date_from=past, date_to=past) == []
    page = await organizer.request("GET", "/api/v1/admin/audit", params={"limit": 1})
    assert page.json()["total"] >= 3

    bad = await organizer.request("GET", "/api/v1/admin/audit", params={"action": "a b"})
    assert bad.status_code == 422
    host = await token_for(Role.HOST)
    refused = await organizer.client.get(
        "/api/v1/admin/audit", headers={"Authorization": f"Bearer {host}"}
    )
    assert refused.status_code == 403
