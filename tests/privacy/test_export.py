"""A participant downloads their data: everything each domain keeps about them, nothing about
anyone else, no secret that would work if the file leaked, the ID number masked."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.kit import clock
from openindustry.quests.schemas import TaskCreate
from openindustry.quests.service import QuestsService
from openindustry.rewards.schemas import PrizeCreate
from openindustry.rewards.service import RewardsService
from tests.privacy.conftest import DOCUMENT
from tests.registration.conftest import MakeParticipant, MakeSlot


async def test_the_download_holds_every_domain_and_no_secret(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    participant: MakeParticipant,
    open_slot: MakeSlot,
) -> None:
    slot = await open_slot(capacity=5)
    anna = await participant(birth_date="1990-05-20")
    await anna.patch("/api/v1/me", json={"phone": "+7 999 765-43-21", "name": "Анна Петрова"})
    assert (await anna.put("/api/v1/me/id-document", json=DOCUMENT)).status_code == 200
    [child] = await anna.companions(("Маша Петрова", "2015-03-03"))
    booked = (await anna.register(slot.id, companions=[child])).json()
    task = await QuestsService(session, settings).create_task(
        TaskCreate.model_validate(
            {"kind": "code_word", "title": "Слово с экскурсии", "points": 30, "code_word": "сталь"}
        )
    )
    tried = await anna.post(f"/api/v1/tasks/{task.id}/attempts", json={"code_word": "Сталь"})
    assert tried.json()["passed"] is True
    prize = await RewardsService(session, settings).create_prize(
        PrizeCreate(title="Термос", stock=3, price_points=20)
    )
    claim = (await anna.post(f"/api/v1/prizes/{prize.id}/claims")).json()
    boris = await participant()
    await boris.register(slot.id)

    response = await anna.get("/api/v1/me/export")
    assert response.status_code == 200, response.text
    assert "attachment" in response.headers["content-disposition"]
    assert response.headers["cache-control"] == "no-store"
    data = response.json()
    account = data["account"]
    profile = account["profile"]
    assert (profile["name"], profile["phone"], profile["birth_date"]) == (
        "Анна Петрова",
        "+79997654321",
        "1990-05-20",
    )
    assert [c["name"] for c in profile["companions"]] == ["Маша Петрова"]
    assert [(i["provider"], i["subject"]) for i in account["identities"]] == [
        ("telegram", "900001")
    ]
    [consent] = account["consents"]
    assert len(consent["text_sha256"]) == 64
    assert account["sign_in_days"] == [clock.now().date().isoformat()]
    assert consent["withdrawn_at"] is None
    document = account["profile"]["id_document"]
    assert document["masked_number"].endswith("3456")
    [registration] = data["registrations"]
    assert (registration["id"], registration["status"], registration["title"]) == (
        booked["id"],
        "confirmed",
        slot.title,
    )
    assert [m["name"] for m in registration["companions"]] == ["Маша Петрова"]
    [attempt] = data["quests"]["attempts"]
    assert (attempt["task_title"], attempt["passed"]) == ("Слово с экскурсии", True)
    assert [c["task_id"] for c in data["quests"]["completions"]] == [task.id]
    assert data["quests"]["referral"]["code"]
    assert data["rewards"]["balance"] == 10
    assert [e["amount"] for e in data["rewards"]["entries"]] == [30, -20]
    assert [c["prize_title"] for c in data["rewards"]["claims"]] == ["Термос"]
    assert "registration.confirmed" in {n["kind"] for n in data["notifications"]}

    _assert_no_secret(response.text, booked["ticket_code"], claim["pickup_code"], anna.token)

    # Only one's own: Boris's download knows nothing of Anna.
    theirs = (await boris.get("/api/v1/me/export")).text
    assert "Анна" not in theirs
    assert "Маша" not in theirs
    mine = (await boris.get("/api/v1/me/export")).json()["registrations"]
    assert booked["id"] not in {r["id"] for r in mine}


def _assert_no_secret(text: str, *secrets: str) -> None:
    assert "123456" not in text  # the ID number stays masked
    assert "4510" not in text
    for secret in secrets:
        assert secret not in text
    assert "pickup_code" not in text
    assert "ticket_code" not in text


async def test_strangers_get_nothing(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me/export")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "auth_required"
