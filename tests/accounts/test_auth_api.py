"""Sign-in through every door over the JSON API, with real signatures and a real SMTP server."""

from __future__ import annotations

import json
import re
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest
import time_machine
from pydantic import SecretStr

from openindustry.accounts.providers.vk import sign_vk_launch_params
from openindustry.accounts.providers.webapp import sign_webapp_data
from openindustry.config import Settings
from tests.accounts.conftest import MAX_TOKEN, TELEGRAM_TOKEN, VK_SECRET
from tests.smtp import Inbox


def vk_params(user_id: int = 494075, *, ts: int | None = None) -> str:
    params = {
        "vk_user_id": str(user_id),
        "vk_app_id": "6736218",
        "vk_language": "ru",
        "vk_platform": "mobile_web",
        "vk_ts": str(ts if ts is not None else int(time.time())),
    }
    return sign_vk_launch_params(params, VK_SECRET)


def webapp_data(token: str, user_id: int = 279058397, *, auth_date: int | None = None) -> str:
    user = {"id": user_id, "first_name": "Анна", "last_name": "Петрова", "language_code": "ru"}
    fields = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps(user, ensure_ascii=False),
        "auth_date": str(auth_date if auth_date is not None else int(time.time())),
    }
    return sign_webapp_data(fields, token)


def code_of(response: httpx.Response) -> str:
    code: str = response.json()["error"]["code"]
    return code


async def test_vk_sign_in_creates_one_account_and_reuses_it(client: httpx.AsyncClient) -> None:
    first = await client.post("/api/v1/auth/vk", json={"launch_params": vk_params()})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["token"]
    assert body["user"]["identities"] == ["vk"]
    assert body["user"]["role"] == "participant"

    again = await client.post("/api/v1/auth/vk", json={"launch_params": vk_params()})
    assert again.json()["user"]["id"] == body["user"]["id"]
    assert again.json()["token"] != body["token"]

    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200
    assert me.json()["id"] == body["user"]["id"]


async def test_telegram_and_max_sign_in_take_the_name_the_platform_passed(
    client: httpx.AsyncClient,
) -> None:
    telegram = await client.post(
        "/api/v1/auth/telegram", json={"init_data": webapp_data(TELEGRAM_TOKEN)}
    )
    assert telegram.status_code == 200, telegram.text
    assert telegram.json()["user"]["name"] == "Анна Петрова"
    max_ = await client.post(
        "/api/v1/auth/max", json={"web_app_data": "#" + webapp_data(MAX_TOKEN, 777)}
    )
    assert max_.status_code == 200, max_.text
    assert max_.json()["user"]["identities"] == ["max"]
    # Data signed for one platform does not open another.
    crossed = await client.post(
        "/api/v1/auth/max", json={"web_app_data": webapp_data(TELEGRAM_TOKEN)}
    )
    assert crossed.status_code == 401
    assert code_of(crossed) == "invalid_signature"


def flip_last(raw: str) -> str:
    return raw[:-1] + ("1" if raw[-1] == "0" else "0")


VK, TG, MAX = "/api/v1/auth/vk", "/api/v1/auth/telegram", "/api/v1/auth/max"
STALE = int(time.time()) - 3 * 86400


@pytest.mark.parametrize(
    ("path", "field", "payload", "code"),
    [
        (VK, "launch_params", vk_params().replace("494075", "494076"), "invalid_signature"),
        (VK, "launch_params", vk_params(ts=STALE), "expired"),
        (VK, "launch_params", "vk_user_id=1", "invalid_signature"),
        (VK, "launch_params", "%%%", "invalid_signature"),
        (TG, "init_data", webapp_data("other:token"), "invalid_signature"),
        (TG, "init_data", webapp_data(TELEGRAM_TOKEN, auth_date=1), "expired"),
        (TG, "init_data", webapp_data(TELEGRAM_TOKEN) + "&hash=00", "invalid_signature"),
        (MAX, "web_app_data", flip_last(webapp_data(MAX_TOKEN)), "invalid_signature"),
    ],
)
async def test_bad_launch_data_is_401_with_a_code(
    client: httpx.AsyncClient, path: str, field: str, payload: str, code: str
) -> None:
    response = await client.post(path, json={field: payload})
    assert response.status_code == 401
    assert code_of(response) == code
    assert VK_SECRET not in response.text


@pytest.mark.parametrize(
    "body", [{}, {"launch_params": ""}, {"launch_params": "x" * 9000}, {"launch_params": 5}, []]
)
async def test_malformed_requests_are_422(client: httpx.AsyncClient, body: object) -> None:
    response = await client.post("/api/v1/auth/vk", json=body)
    assert response.status_code == 422
    assert code_of(response) == "validation_error"


async def test_a_provider_without_a_secret_is_unavailable(db_url: str) -> None:
    from openindustry.app import create_app

    app = create_app(Settings(database_url=db_url, environment="test"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.post("/api/v1/auth/vk", json={"launch_params": vk_params()})
    await app.state.engine.dispose()
    assert response.status_code == 503
    assert code_of(response) == "provider_not_configured"


async def test_linking_doors_to_one_account(client: httpx.AsyncClient) -> None:
    vk = (await client.post("/api/v1/auth/vk", json={"launch_params": vk_params(1001)})).json()
    auth = {"Authorization": f"Bearer {vk['token']}"}
    linked = await client.post(
        "/api/v1/auth/telegram", json={"init_data": webapp_data(TELEGRAM_TOKEN, 2002)}, headers=auth
    )
    assert linked.status_code == 200, linked.text
    assert linked.json()["user"]["id"] == vk["user"]["id"]
    assert sorted(linked.json()["user"]["identities"]) == ["telegram", "vk"]

    # Later, Telegram alone opens the same account.
    alone = await client.post(
        "/api/v1/auth/telegram", json={"init_data": webapp_data(TELEGRAM_TOKEN, 2002)}
    )
    assert alone.json()["user"]["id"] == vk["user"]["id"]

    # A door that already opens someone else's account cannot be taken over.
    other = (await client.post("/api/v1/auth/vk", json={"launch_params": vk_params(3003)})).json()
    stolen = await client.post(
        "/api/v1/auth/telegram",
        json={"init_data": webapp_data(TELEGRAM_TOKEN, 2002)},
        headers={"Authorization": f"Bearer {other['token']}"},
    )
    assert stolen.status_code == 409
    assert code_of(stolen) == "identity_taken"
    # And one account holds one VK identity: linking a second one is refused too.
    second_vk = await client.post(
        "/api/v1/auth/vk", json={"launch_params": vk_params(4004)}, headers=auth
    )
    assert second_vk.status_code == 409


async def test_tokens_expire_and_can_be_revoked(client: httpx.AsyncClient) -> None:
    token = (await client.post("/api/v1/auth/vk", json={"launch_params": vk_params()})).json()[
        "token"
    ]
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get("/api/v1/me", headers=auth)).status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        expired = await client.get("/api/v1/me", headers=auth)
    assert expired.status_code == 401
    assert code_of(expired) == "invalid_token"

    assert (await client.post("/api/v1/auth/logout", headers=auth)).status_code == 204
    revoked = await client.get("/api/v1/me", headers=auth)
    assert revoked.status_code == 401
    for header in ("Bearer nonsense", "Bearer ", "Basic abc", "bearer"):
        response = await client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"


def _code_from(inbox: Inbox, address: str) -> str:
    messages = inbox.to(address)
    assert messages, "no e-mail arrived"
    plain = next(p for p in messages[-1].walk() if p.get_content_type() == "text/plain")
    text = plain.get_payload(decode=True).decode()
    found = re.search(r"\b(\d{6})\b", text)
    assert found
    return found.group(1)


async def test_email_code_signs_in_once(client: httpx.AsyncClient, inbox: Inbox) -> None:
    started = await client.post("/api/v1/auth/email/start", json={"email": " Ivan@Example.org "})
    assert started.status_code == 200
    assert started.json() == {"sent": True, "expires_in": 600, "dev_code": None}
    code = _code_from(inbox, "ivan@example.org")

    ok = await client.post(
        "/api/v1/auth/email/verify", json={"email": "ivan@example.org", "code": code}
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["user"]["email"] == "ivan@example.org"
    replay = await client.post(
        "/api/v1/auth/email/verify", json={"email": "ivan@example.org", "code": code}
    )
    assert replay.status_code == 400
    assert code_of(replay) == "invalid_code"


async def test_email_code_allows_five_tries_then_needs_a_new_code(
    client: httpx.AsyncClient, inbox: Inbox
) -> None:
    await client.post("/api/v1/auth/email/start", json={"email": "olga@example.org"})
    code = _code_from(inbox, "olga@example.org")
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    statuses = []
    for _ in range(5):
        response = await client.post(
            "/api/v1/auth/email/verify", json={"email": "olga@example.org", "code": wrong}
        )
        statuses.append((response.status_code, code_of(response)))
    assert statuses == [(400, "invalid_code")] * 4 + [(429, "too_many_attempts")]
    # Even the right code no longer works: a new one is needed.
    late = await client.post(
        "/api/v1/auth/email/verify", json={"email": "olga@example.org", "code": code}
    )
    assert late.status_code == 429
    assert "retry-after" in late.headers

    await client.post("/api/v1/auth/email/start", json={"email": "olga@example.org"})
    fresh = _code_from(inbox, "olga@example.org")
    ok = await client.post(
        "/api/v1/auth/email/verify", json={"email": "olga@example.org", "code": fresh}
    )
    assert ok.status_code == 200


async def test_a_new_code_replaces_the_old_and_codes_expire(
    client: httpx.AsyncClient, inbox: Inbox
) -> None:
    await client.post("/api/v1/auth/email/start", json={"email": "petr@example.org"})
    old = _code_from(inbox, "petr@example.org")
    await client.post("/api/v1/auth/email/start", json={"email": "petr@example.org"})
    new = _code_from(inbox, "petr@example.org")
    if old != new:
        response = await client.post(
            "/api/v1/auth/email/verify", json={"email": "petr@example.org", "code": old}
        )
        assert response.status_code == 400
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=11), tick=False):
        response = await client.post(
            "/api/v1/auth/email/verify", json={"email": "petr@example.org", "code": new}
        )
    assert response.status_code == 400
    assert code_of(response) == "invalid_code"


async def test_email_start_is_rate_limited_per_address(
    client: httpx.AsyncClient, inbox: Inbox
) -> None:
    statuses = [
        (
            await client.post("/api/v1/auth/email/start", json={"email": "spam@example.org"})
        ).status_code
        for _ in range(6)
    ]
    assert statuses == [200] * 5 + [429]
    assert len(inbox.to("spam@example.org")) == 5
    other = await client.post("/api/v1/auth/email/start", json={"email": "ok@example.org"})
    assert other.status_code == 200


async def test_auth_is_rate_limited_per_ip(client: httpx.AsyncClient, settings: Settings) -> None:
    allowed = int(settings.rate_limit_sign_in_per_ip.split("/")[0])
    statuses = [
        (await client.post("/api/v1/auth/vk", json={"launch_params": "bad"})).status_code
        for _ in range(allowed + 1)
    ]
    assert statuses[:allowed] == [401] * allowed
    assert statuses[allowed] == 429


@pytest.mark.parametrize("email", ["not-an-email", "a@b", "@example.org", "x" * 400 + "@e.org"])
async def test_invalid_emails_are_refused(client: httpx.AsyncClient, email: str) -> None:
    response = await client.post("/api/v1/auth/email/start", json={"email": email})
    assert response.status_code == 422


async def test_development_without_smtp_returns_the_code(db_url: str) -> None:
    from openindustry.app import create_app

    app = create_app(Settings(database_url=db_url, environment="development"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        started = (await client.post("/api/v1/auth/email/start", json={"email": "d@e.org"})).json()
        assert started["sent"] is False
        ok = await client.post(
            "/api/v1/auth/email/verify", json={"email": "d@e.org", "code": started["dev_code"]}
        )
    await app.state.engine.dispose()
    assert ok.status_code == 200


def test_production_refuses_placeholder_secrets() -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(environment="production", smtp_url=SecretStr("smtp://x"))
    with pytest.raises(ValueError, match="SMTP"):
        Settings(environment="production", secret_key=SecretStr("k" * 40))
    Settings(
        environment="production", secret_key=SecretStr("k" * 40), smtp_url=SecretStr("smtp://x")
    )


async def test_messenger_sign_in_is_rate_limited_per_identity(client: httpx.AsyncClient) -> None:
    # The 21st sign-in of one identity within a minute is refused; another identity is not.
    statuses = []
    for _ in range(21):
        response = await client.post("/api/v1/auth/vk", json={"launch_params": vk_params(5005)})
        statuses.append(response.status_code)
    assert statuses[:20] == [200] * 20
    assert statuses[20] == 429
    other = await client.post("/api/v1/auth/vk", json={"launch_params": vk_params(6006)})
    assert other.status_code == 200
