"""The outbox in the back office: rows by status, dead letters and their retry, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role, User
from openindustry.audit.models import AuditEntry
from openindustry.notifications.models import Notification, NotificationStatus
from tests.backoffice.conftest import SignIn, csrf_of, post_form, text_of
from tests.conftest import TokenFor

PAGE = "/backoffice/notifications"
ERROR = "telegram: 403 Forbidden: bot was blocked by the user"


async def _outbox(session: AsyncSession) -> dict[str, Notification]:
    """A dead row for a participant, one sent, one waiting, and a dead sign-in code."""
    user = User(name="Анна Петрова", locale="ru", notification_channels=["telegram"])
    session.add(user)
    await session.flush()
    now = datetime.now(UTC)
    rows = {
        "dead": Notification(
            user_id=user.id,
            kind="registration.confirmed",
            payload={"registration_id": 1},
            essential=True,
            status=NotificationStatus.DEAD,
            attempts=6,
            last_error=ERROR,
        ),
        "sent": Notification(
            user_id=user.id,
            kind="reminder.24h",
            status=NotificationStatus.SENT,
            attempts=1,
            channel="vk",
            sent_at=now,
        ),
        "pending": Notification(
            user_id=user.id,
            kind="organizer.message",
            next_attempt_at=now + timedelta(minutes=5),
            attempts=2,
            last_error="vk: error 6 Too many requests per second",
        ),
        "code": Notification(
            user_id=None,
            kind="accounts.email_code",
            payload={"channel": "email", "locale": "ru", "to": "iv•••@example.org"},
            essential=True,
            status=NotificationStatus.DEAD,
            attempts=1,
            last_error="expired before it could be delivered",
        ),
    }
    session.add_all(rows.values())
    await session.commit()
    return rows


async def test_organizer_sees_dead_letters_and_retries_one(
    sign_in: SignIn, session: AsyncSession
) -> None:
    rows = await _outbox(session)
    client = await sign_in(Role.ORGANIZER)
    everything = text_of(await client.get(PAGE))
    assert "Все (4)" in everything
    assert "Не доставлено (2)" in everything
    assert "Отправлено (1)" in everything
    assert "Уведомления" in everything  # the nav link and the title

    dead = await client.get(f"{PAGE}?status=dead")
    page = text_of(dead)
    assert "Сообщений: 2." in page
    assert ERROR in page
    assert "Анна Петрова" in page
    assert f"№{rows['dead'].user_id}" in page
    assert "iv•••@example.org" in page  # a direct message's address, masked
    assert "reminder.24h" not in page
    assert "organizer.message" not in page
    # Only the participant's dead row can be sent again; a one-off sign-in code cannot.
    assert f'action="{PAGE}/{rows["dead"].id}/retry"' in dead.text
    assert f'action="{PAGE}/{rows["code"].id}/retry"' not in dead.text

    retried = await post_form(client, f"{PAGE}?status=dead", f"{PAGE}/{rows['dead'].id}/retry", {})
    assert retried.status_code == 303
    assert retried.headers["location"] == f"{PAGE}?status=pending&retried={rows['dead'].id}"
    after = text_of(await client.get(retried.headers["location"]))
    assert f"Сообщение №{rows['dead'].id} снова в очереди на отправку." in after
    await session.refresh(rows["dead"])
    assert rows["dead"].status is NotificationStatus.PENDING
    assert rows["dead"].attempts == 0
    assert rows["dead"].next_attempt_at <= datetime.now(UTC)
    query = select(AuditEntry).where(AuditEntry.action.startswith("notification."))
    [entry] = (await session.scalars(query)).all()
    assert (entry.action, entry.subject_type, entry.subject_id) == (
        "notification.retried",
        "notification",
        rows["dead"].id,
    )
    assert entry.before == {"status": "dead", "attempts": 6, "last_error": ERROR}
    assert entry.after == {"status": "pending", "attempts": 0}

    again = await client.post(f"{PAGE}/{rows['dead'].id}/retry", data={"csrf_token": csrf_of(dead)})
    assert again.status_code == 409
    assert "только недоставленное" in text_of(again)
    code = await client.post(f"{PAGE}/{rows['code'].id}/retry", data={"csrf_token": csrf_of(dead)})
    assert code.status_code == 409
    assert "код для входа" in text_of(code)


async def test_filters_and_their_refusals(sign_in: SignIn, session: AsyncSession) -> None:
    rows = await _outbox(session)
    client = await sign_in(Role.ORGANIZER)
    by_kind = text_of(await client.get(f"{PAGE}?kind=reminder"))
    assert "Сообщений: 1." in by_kind
    assert "reminder.24h" in by_kind
    by_channel = text_of(await client.get(f"{PAGE}?channel=vk&user_id={rows['sent'].user_id}"))
    assert "Сообщений: 1." in by_channel
    nobody = text_of(await client.get(f"{PAGE}?user_id=999999"))
    assert "Сообщений нет." in nobody
    bad = await client.get(f"{PAGE}?status=lost&channel=fax&user_id=0")
    assert bad.status_code == 422
    words = text_of(bad)
    assert "Выберите состояние из списка." in words
    assert "Выберите канал из списка." in words
    assert "Номер пользователя — целое положительное число." in words


async def test_hosts_and_participants_are_refused(
    client: httpx.AsyncClient, sign_in: SignIn, session: AsyncSession
) -> None:
    rows = await _outbox(session)
    anonymous = await client.get(PAGE)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/backoffice/login?")
    host = await sign_in(Role.HOST)
    assert (await host.get(PAGE)).status_code == 403
    csrf = csrf_of(await host.get("/backoffice"))
    refused = await host.post(f"{PAGE}/{rows['dead'].id}/retry", data={"csrf_token": csrf})
    assert refused.status_code == 403
    await session.refresh(rows["dead"])
    assert rows["dead"].status is NotificationStatus.DEAD


async def test_the_json_retry(
    client: httpx.AsyncClient, token_for: TokenFor, session: AsyncSession
) -> None:
    rows = await _outbox(session)
    organizer = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}
    url = f"/api/v1/admin/notifications/{rows['dead'].id}/retry"
    done = await client.post(url, headers=organizer)
    assert done.status_code == 200, done.text
    assert (done.json()["status"], done.json()["attempts"]) == ("pending", 0)
    twice = await client.post(url, headers=organizer)
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "notification_not_dead")
    code = await client.post(
        f"/api/v1/admin/notifications/{rows['code'].id}/retry", headers=organizer
    )
    assert (code.status_code, code.json()["error"]["code"]) == (409, "notification_not_retryable")
    missing = await client.post("/api/v1/admin/notifications/999999/retry", headers=organizer)
    assert (missing.status_code, missing.json()["error"]["code"]) == (404, "notification_not_found")
    listed = (
        await client.get("/api/v1/admin/notifications?status=pending", headers=organizer)
    ).json()
    assert {i["id"] for i in listed["items"]} == {rows["dead"].id, rows["pending"].id}
    assert listed["counts"] == {"pending": 2, "sending": 0, "sent": 1, "dead": 1}
    assert all("sealed" not in i for i in listed["items"])
    participant = {"Authorization": f"Bearer {await token_for(Role.PARTICIPANT)}"}
    assert (await client.post(url, headers=participant)).status_code == 403
