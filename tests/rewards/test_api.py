"""The rewards JSON API: points, leaderboard, prizes, claims, the prize desk; refusals by code."""

from __future__ import annotations

import httpx

from openindustry.accounts.models import Role
from openindustry.rewards.service import RewardsService
from tests.conftest import TokenFor


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _me(client: httpx.AsyncClient, token: str) -> int:
    response = await client.get("/api/v1/me", headers=_auth(token))
    user_id: int = response.json()["id"]
    return user_id


async def _prize(client: httpx.AsyncClient, organizer: str, **body: object) -> int:
    data = {"title": "Пауэрбанк", "stock": 5, "price_points": 10} | body
    response = await client.post("/api/v1/admin/prizes", json=data, headers=_auth(organizer))
    assert response.status_code == 201, response.text
    prize_id: int = response.json()["id"]
    return prize_id


async def test_claiming_a_prize_for_points(
    client: httpx.AsyncClient, token_for: TokenFor, rewards: RewardsService
) -> None:
    organizer = await token_for(Role.ORGANIZER)
    token = await token_for()
    user = await _me(client, token)
    await rewards.award(user, 25, reason="task", ref_type="task", ref_id=1, series_id=4)
    prize = await _prize(client, organizer, per_person_limit=2)

    listed = (await client.get("/api/v1/prizes")).json()
    assert listed["total"] == 1
    assert listed["items"][0]["stock"] == 5

    claimed = await client.post(f"/api/v1/prizes/{prize}/claims", headers=_auth(token))
    assert claimed.status_code == 201, claimed.text
    claim = claimed.json()
    assert claim["status"] == "reserved"
    assert len(claim["pickup_code"]) == 8

    points = (await client.get("/api/v1/me/points", headers=_auth(token))).json()
    assert (points["balance"], points["earned_total"]) == (15, 25)
    assert [e["reason"] for e in points["entries"]] == ["prize", "task"]

    mine = (await client.get("/api/v1/me/claims", headers=_auth(token))).json()
    assert [c["id"] for c in mine["items"]] == [claim["id"]]
    qr = await client.get(f"/api/v1/me/claims/{claim['id']}/qr.svg", headers=_auth(token))
    assert qr.status_code == 200
    assert qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.text.startswith("<svg")

    # Someone else's claim does not exist for them.
    stranger = await token_for()
    other = await client.get(f"/api/v1/me/claims/{claim['id']}/qr.svg", headers=_auth(stranger))
    assert other.status_code == 404
    assert other.json()["error"]["code"] == "claim_not_found"

    code = claim["pickup_code"]
    for _ in range(2):  # idempotent
        handed = await client.post(
            f"/api/v1/admin/claims/{code}/hand-over", headers=_auth(organizer)
        )
        assert handed.status_code == 200, handed.text
        assert handed.json()["status"] == "handed_over"
    unknown = await client.post("/api/v1/admin/claims/ZZZZZZZZ/hand-over", headers=_auth(organizer))
    assert unknown.status_code == 404
    assert unknown.json()["error"]["code"] == "claim_not_found"


async def test_refusals_have_codes(
    client: httpx.AsyncClient, token_for: TokenFor, rewards: RewardsService
) -> None:
    organizer = await token_for(Role.ORGANIZER)
    token = await token_for()
    user = await _me(client, token)
    await rewards.award(user, 100, reason="task", ref_type="task", ref_id=1)
    cases = {
        "prize_not_found": 999_999,
        "draw_only": await _prize(client, organizer, price_points=None),
        "out_of_stock": await _prize(client, organizer, stock=0),
        "insufficient_points": await _prize(client, organizer, price_points=1000),
    }
    limited = await _prize(client, organizer, price_points=1, per_person_limit=1)
    assert (await client.post(f"/api/v1/prizes/{limited}/claims", headers=_auth(token))).is_success
    cases["claim_limit_reached"] = limited
    for code, prize in cases.items():
        response = await client.post(f"/api/v1/prizes/{prize}/claims", headers=_auth(token))
        expected = 404 if code == "prize_not_found" else 409
        assert response.status_code == expected, (code, response.text)
        assert response.json()["error"]["code"] == code
    points = (await client.get("/api/v1/me/points", headers=_auth(token))).json()
    assert points["balance"] == 99
    # An inactive prize leaves the catalog and cannot be claimed.
    hidden = await client.patch(
        f"/api/v1/admin/prizes/{limited}", json={"active": False}, headers=_auth(organizer)
    )
    assert hidden.json()["active"] is False
    assert limited not in [p["id"] for p in (await client.get("/api/v1/prizes")).json()["items"]]
    bad = await client.post(
        "/api/v1/admin/prizes", json={"title": "", "stock": -1}, headers=_auth(organizer)
    )
    assert bad.status_code == 422


async def test_changing_a_prize(client: httpx.AsyncClient, token_for: TokenFor) -> None:
    organizer = await token_for(Role.ORGANIZER)
    prize = await _prize(client, organizer)
    changed = await client.patch(
        f"/api/v1/admin/prizes/{prize}",
        json={"stock": 12, "price_points": None},
        headers=_auth(organizer),
    )
    assert changed.status_code == 200, changed.text
    body = changed.json()
    assert (body["stock"], body["price_points"], body["draw_only"]) == (12, None, True)
    announced = await client.post(
        f"/api/v1/admin/prizes/{prize}/draw/announce", headers=_auth(organizer)
    )
    assert announced.status_code == 200
    draw = announced.json()
    assert draw["kind"] == "prize"
    assert draw["seed"] is None
    public = await client.get(f"/api/v1/draws/{draw['id']}")
    assert public.json()["commitment"] == draw["commitment"]


async def test_leaderboard_is_public_and_knows_me(
    client: httpx.AsyncClient, token_for: TokenFor, rewards: RewardsService
) -> None:
    tokens = [await token_for() for _ in range(3)]
    for n, token in enumerate(tokens):
        user = await _me(client, token)
        await rewards.award(user, 10 * (n + 1), reason="task", ref_type="task", ref_id=1)
    public = await client.get("/api/v1/leaderboard", params={"limit": 2})
    assert public.status_code == 200
    assert [i["points"] for i in public.json()["items"]] == [30, 20]
    assert public.json()["me"] is None
    mine = await client.get("/api/v1/leaderboard", params={"limit": 2}, headers=_auth(tokens[0]))
    assert mine.json()["me"] == {"place": 3, "points": 10}
    series = await client.get("/api/v1/leaderboard", params={"series_id": 8})
    assert series.json()["items"] == []
    bad = await client.get("/api/v1/leaderboard", params={"limit": 0})
    assert bad.status_code == 422
