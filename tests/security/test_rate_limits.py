"""Rate limits per participant and per network address on registration, sign-in, quiz attempts
and prize claims — in the JSON API and on the pages: 429 `rate_limited` with Retry-After, one
person's flood not using up their address, the window passing, and Redis sharing the counts
between app processes (docs/security.md, «Rate limits»)."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.kit.errors import RateLimited
from openindustry.kit.ratelimit import SHARED_RETRY_SECONDS, RateLimiter
from openindustry.quests.schemas import TaskCreate
from openindustry.quests.service import QuestsService
from openindustry.rewards.schemas import PrizeCreate
from openindustry.rewards.service import RewardsService
from tests.conftest import TokenFor
from tests.kit.test_ratelimit import _redis_up
from tests.security.conftest import (
    SESSION,
    MakeApp,
    assert_rate_limited,
    bearer,
    client_of,
    give_consent,
    hidden_fields,
    open_slot,
    vk_launch,
)

SCHOOL = "198.51.100.7"  # one address shared by many (a school's NAT)
ELSEWHERE = "192.0.2.99"


@pytest.fixture
def db_url(migrated_databases: dict[str, str]) -> str:
    # The limits sit in front of the database and do not depend on it: SQLite is enough (and
    # keeps CI short); Redis is what they share, tested below.
    return migrated_databases["sqlite"]


def _limits(scope: str, per_participant: str, per_ip: str) -> dict[str, str]:
    return {
        f"rate_limit_{scope}_per_participant": per_participant,
        f"rate_limit_{scope}_per_ip": per_ip,
    }


async def _limited_request(
    scope: str, client: httpx.AsyncClient, token: str, slot_id: int
) -> httpx.Response:
    """One request of the limited kind (an unknown task or prize still counts: the limit is
    checked before any work)."""
    if scope == "registration":
        url, body = f"/api/v1/slots/{slot_id}/registrations", {}
    elif scope == "attempt":
        url, body = "/api/v1/tasks/999999/attempts", {"code_word": "шарик"}
    else:
        url, body = "/api/v1/prizes/999999/claims", None
    return await client.post(url, json=body, headers=bearer(token))


SCOPES = ["registration", "attempt", "claim"]


# The JSON API ----------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", SCOPES)
async def test_api_limits_each_participant_and_each_address(
    scope: str, make_app: MakeApp, token_for: TokenFor, session: AsyncSession
) -> None:
    app = make_app(**_limits(scope, "2/minute", "4/minute"))
    slot = await open_slot(session)
    anna, boris, vera, gleb = [await token_for() for _ in range(4)]
    async with client_of(app, SCHOOL) as school, client_of(app, ELSEWHERE) as home:
        for token in (anna, boris, vera, gleb):
            await give_consent(home, token)
        first = [await _limited_request(scope, school, anna, slot.id) for _ in range(2)]
        assert all(r.status_code != 429 for r in first), [r.text for r in first]
        if scope == "registration":
            assert first[0].status_code == 201
        assert_rate_limited(await _limited_request(scope, school, anna, slot.id))
        # Someone else behind the same address is not held back by Anna's limit...
        for _ in range(2):
            response = await _limited_request(scope, school, boris, slot.id)
            assert response.status_code != 429, response.text
        # ...until the address has used its own (2 of Anna's + 2 of Boris's).
        assert_rate_limited(await _limited_request(scope, school, vera, slot.id))
        elsewhere = await _limited_request(scope, home, gleb, slot.id)
        assert elsewhere.status_code != 429, elsewhere.text


async def test_a_refused_flood_does_not_use_up_the_address(
    make_app: MakeApp, token_for: TokenFor, session: AsyncSession
) -> None:
    # The person's own limit is counted first: their refused requests cost the address nothing.
    app = make_app(**_limits("registration", "2/minute", "5/minute"))
    slot = await open_slot(session)
    flooder, *others = [await token_for() for _ in range(4)]
    async with client_of(app, SCHOOL) as client:
        for token in [flooder, *others]:
            await give_consent(client, token)
        statuses = [
            (await _limited_request("registration", client, flooder, slot.id)).status_code
            for _ in range(10)
        ]
        assert statuses.count(429) == 8
        for token in others:  # 2 + 3 = the address's 5
            response = await _limited_request("registration", client, token, slot.id)
            assert response.status_code == 201, response.text


async def test_the_limit_resets_when_the_window_has_passed(
    make_app: MakeApp, token_for: TokenFor, session: AsyncSession
) -> None:
    app = make_app(**_limits("claim", "2/minute", "100/minute"))
    async with client_of(app) as client:
        anna = await token_for()
        for _ in range(2):
            await _limited_request("claim", client, anna, 0)
        refused = await _limited_request("claim", client, anna, 0)
        assert_rate_limited(refused)
        wait = int(refused.headers["Retry-After"])
        with time_machine.travel(datetime.now(UTC) + timedelta(seconds=wait + 1), tick=False):
            again = await _limited_request("claim", client, anna, 0)
    assert again.status_code == 404  # the unknown prize: the request went through


async def test_sign_in_api_limits_each_address_and_each_identity(make_app: MakeApp) -> None:
    app = make_app(rate_limit_sign_in_per_ip="3/minute", rate_limit_sign_in_per_identity="2/minute")
    async with client_of(app, SCHOOL) as school, client_of(app, ELSEWHERE) as home:
        bad = [
            await school.post("/api/v1/auth/vk", json={"launch_params": "sign=forged"})
            for _ in range(3)
        ]
        assert [r.status_code for r in bad] == [401] * 3
        assert_rate_limited(await school.post("/api/v1/auth/vk", json={"launch_params": "x"}))
        # Per identity: the third sign-in of one VK user within the minute is refused.
        same = [
            await home.post("/api/v1/auth/vk", json={"launch_params": vk_launch(4242)})
            for _ in range(3)
        ]
        assert [r.status_code for r in same[:2]] == [200, 200]
        assert_rate_limited(same[2])


async def test_email_codes_are_limited_per_address(make_app: MakeApp) -> None:
    app = make_app(
        rate_limit_email_start_per_address="2/hour",
        rate_limit_email_verify_per_address="2/10 minutes",
    )
    async with client_of(app) as client:
        starts = [
            await client.post("/api/v1/auth/email/start", json={"email": "Spam@Example.org"})
            for _ in range(3)
        ]
        assert [r.status_code for r in starts[:2]] == [200, 200]
        assert_rate_limited(starts[2], window=3600)
        assert (
            await client.post("/api/v1/auth/email/start", json={"email": "ok@example.org"})
        ).status_code == 200
        guesses = [
            await client.post(
                "/api/v1/auth/email/verify", json={"email": "ok@example.org", "code": "000000"}
            )
            for _ in range(3)
        ]
        assert [r.status_code for r in guesses[:2]] == [400, 400]
        assert_rate_limited(guesses[2], window=600)


# The pages -------------------------------------------------------------------------------------


PageSession = Callable[..., Awaitable[tuple[httpx.AsyncClient, str]]]


@pytest.fixture
async def page_session(token_for: TokenFor) -> AsyncIterator[PageSession]:
    """A participant signed in on the pages (session cookie), consent given."""
    opened: list[httpx.AsyncClient] = []

    async def make(app: FastAPI, ip: str = SCHOOL) -> tuple[httpx.AsyncClient, str]:
        token = await token_for()
        client = client_of(app, ip, cookies={SESSION: token})
        opened.append(client)
        await give_consent(client, token)
        return client, token

    yield make
    for client in opened:
        await client.aclose()


async def _submit(client: httpx.AsyncClient, page: str, action: str, **data: str) -> httpx.Response:
    opened = await client.get(page)
    assert opened.status_code == 200, (page, opened.status_code)
    return await client.post(action, data={**hidden_fields(opened, action), **data})


async def test_registration_page_limits_each_participant_and_address(
    make_app: MakeApp, page_session: PageSession, session: AsyncSession
) -> None:
    app = make_app(**_limits("registration", "1/minute", "2/minute"))
    slot = await open_slot(session)
    page, action = f"/slots/{slot.id}", f"/slots/{slot.id}/register"
    anna, _ = await page_session(app)
    boris, _ = await page_session(app)
    vera, _ = await page_session(app)
    fields = hidden_fields(await anna.get(page), action)
    assert (await anna.post(action, data=fields)).status_code == 303
    # Again at once (another form key, so not an idempotent retry of the first).
    refused = await anna.post(action, data=fields | {"form_key": uuid.uuid4().hex})
    assert_rate_limited(refused)
    assert 'data-code="rate_limited"' in refused.text  # shown next to the form
    assert (await _submit(boris, page, action)).status_code == 303
    assert_rate_limited(await _submit(vera, page, action))  # the address's 2 are used


async def test_prize_claim_page_is_limited(
    make_app: MakeApp, page_session: PageSession, session: AsyncSession, settings: Settings
) -> None:
    app = make_app(**_limits("claim", "1/minute", "100/minute"))
    rewards = RewardsService(session, settings)
    prize = await rewards.create_prize(
        PrizeCreate(title="Термос", stock=10, price_points=10, per_person_limit=5)
    )
    client, token = await page_session(app)
    me = (await client.get("/api/v1/me", headers=bearer(token))).json()
    await rewards.award(me["id"], 100, reason="adjustment", ref_type="seed", ref_id=1)
    page, action = f"/prizes/{prize.id}/claim", f"/prizes/{prize.id}/claim"
    assert (await _submit(client, page, action)).status_code == 303
    refused = await _submit(client, page, action)
    assert_rate_limited(refused)
    assert 'data-code="rate_limited"' in refused.text


async def test_quiz_and_code_word_pages_are_limited(
    make_app: MakeApp, page_session: PageSession, session: AsyncSession, settings: Settings
) -> None:
    app = make_app(**_limits("attempt", "2/minute", "100/minute"))
    task = await QuestsService(session, settings).create_task(
        TaskCreate.model_validate(
            {"kind": "code_word", "title": "Кодовое слово", "points": 5, "code_word": "Шестерня"}
        )
    )
    client, _ = await page_session(app)
    page, action = f"/tasks/{task.id}", f"/tasks/{task.id}/code"
    for _ in range(2):
        assert (await _submit(client, page, action, code_word="шарик")).status_code == 303
    refused = await _submit(client, page, action, code_word="шестерня")
    assert_rate_limited(refused)
    assert 'data-code="rate_limited"' in refused.text


async def test_sign_in_pages_limit_each_address_and_each_identity(make_app: MakeApp) -> None:
    app = make_app(rate_limit_sign_in_per_ip="2/minute", rate_limit_sign_in_per_identity="1/minute")
    async with client_of(app, SCHOOL) as school, client_of(app, ELSEWHERE) as home:
        for n in range(2):
            sent = await _submit(school, "/login", "/login", email=f"pupil{n}@example.org")
            assert sent.status_code == 303
        refused = await _submit(school, "/login", "/login", email="pupil9@example.org")
        assert_rate_limited(refused)
        assert 'aria-invalid="true"' in refused.text  # the message sits at the e-mail field
        # The mini-app entry: the second launch of one VK user within the minute is refused.
        assert (await home.get(f"/entry?{vk_launch(5151)}")).status_code == 303
        assert_rate_limited(await home.get(f"/entry?{vk_launch(5151)}"))


async def test_disabled_limits_never_refuse(make_app: MakeApp, token_for: TokenFor) -> None:
    app = make_app(rate_limit_enabled=False, **_limits("claim", "1/minute", "1/minute"))
    async with client_of(app) as client:
        anna = await token_for()
        statuses = [
            (await _limited_request("claim", client, anna, 0)).status_code for _ in range(5)
        ]
    assert statuses == [404] * 5


# Redis: shared between app processes, and what happens when it is gone ------------------------


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running on 127.0.0.1:6379")
async def test_two_app_processes_share_the_limits_through_redis(
    make_app: MakeApp, token_for: TokenFor, session: AsyncSession
) -> None:
    limits = _limits("registration", "100/minute", "3/minute")
    first = make_app(redis_url="redis://127.0.0.1:6379", **limits)
    second = make_app(redis_url="redis://127.0.0.1:6379", **limits)
    slot = await open_slot(session)
    # A fresh address per run, so counts left in Redis by an earlier run cannot interfere.
    address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"
    people = [await token_for() for _ in range(4)]
    async with client_of(first, address) as one, client_of(second, address) as two:
        for token in people:
            await give_consent(one, token)
        for client, token in zip([one, two, one], people, strict=False):
            response = await _limited_request("registration", client, token, slot.id)
            assert response.status_code == 201, response.text
        # The fourth request of the address is refused, whichever process gets it.
        assert_rate_limited(await _limited_request("registration", two, people[3], slot.id))


class _SilentRedis:
    """Accepts connections and never answers: a Redis that hangs rather than refuses."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.server.close()
        for connection in self.connections:
            connection.close()


async def test_a_hanging_redis_costs_one_short_wait_then_limits_stay_in_memory() -> None:
    silent = _SilentRedis()
    limiter = RateLimiter(f"redis://127.0.0.1:{silent.port}")
    try:
        started = time.monotonic()
        await limiter.hit("3/minute", "test", "hang")  # waits for Redis, then counts in memory
        first = time.monotonic() - started
        started = time.monotonic()
        await limiter.hit("3/minute", "test", "hang")
        await limiter.hit("3/minute", "test", "hang")
        with pytest.raises(RateLimited):
            await limiter.hit("3/minute", "test", "hang")
        rest = time.monotonic() - started
    finally:
        silent.close()
    assert first < 2.0  # bounded by the Redis timeout, not by a TCP timeout of minutes
    assert rest < 0.2  # no request waits again until the retry interval has passed
    assert len(silent.connections) == 1
    assert SHARED_RETRY_SECONDS <= 10
