"""The e-mail sign-in code goes through the outbox: sent at once, sealed while waiting, erased."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import time_machine
from pydantic import SecretStr
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.app import create_app
from openindustry.config import Settings
from openindustry.kit import db
from openindustry.notifications.models import Notification, NotificationStatus
from openindustry.notifications.schemas import URGENT
from openindustry.worker.jobs import build_dispatcher
from tests.smtp import Inbox, free_port, sign_in_code

START = "/api/v1/auth/email/start"
VERIFY = "/api/v1/auth/email/verify"


def _code_in(inbox: Inbox, address: str) -> str:
    [mail] = inbox.to(address)
    return sign_in_code(mail)


async def _row(session: AsyncSession) -> Notification:
    session.expire_all()
    return (await session.scalars(select(Notification))).one()


@pytest.fixture
async def mail_down(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app while its mail server does not answer (nothing listens on the port)."""
    down = f"smtp://127.0.0.1:{free_port()}?from=noreply@openindustry.test"
    app = create_app(settings.model_copy(update={"smtp_url": SecretStr(down)}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.engine.dispose()


async def _dispatch(engine: Any, settings: Settings) -> str:
    async with httpx.AsyncClient(timeout=1.0) as http:
        report = await build_dispatcher(db.create_sessionmaker(engine), settings, http).run_once()
    return "sent" if report.sent else "dead" if report.dead else "retry" if report.retried else ""


async def test_the_code_arrives_at_once_and_leaves_no_trace(
    client: httpx.AsyncClient, inbox: Inbox, session: AsyncSession
) -> None:
    started = await client.post(START, json={"email": " Ivan@Example.org "})
    assert started.json() == {"sent": True, "expires_in": 600, "dev_code": None}
    code = _code_in(inbox, "ivan@example.org")  # no dispatcher round was needed
    row = await _row(session)
    assert (row.kind, row.status, row.user_id, row.channel) == (
        "accounts.email_code",
        NotificationStatus.SENT,
        None,
        "email",
    )
    assert (row.essential, row.priority, row.attempts) == (True, URGENT, 1)
    assert row.payload == {"channel": "email", "locale": "ru", "to": "iv•••@example.org"}
    assert row.sealed is None  # erased once sent
    stored = (await session.execute(text("SELECT * FROM notification"))).one()
    assert not any(code in str(v) or "ivan@" in str(v) for v in stored)
    signed_in = await client.post(VERIFY, json={"email": "ivan@example.org", "code": code})
    assert signed_in.status_code == 200


async def test_with_the_mail_server_down_the_code_waits_sealed_then_is_delivered(
    mail_down: httpx.AsyncClient,
    settings: Settings,
    engine: Any,
    session: AsyncSession,
    inbox: Inbox,
) -> None:
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        started = await mail_down.post(START, json={"email": "olga@example.org"})
        assert started.status_code == 200
        assert started.json()["sent"] is True
        row = await _row(session)
        assert (row.status, row.attempts) == (NotificationStatus.PENDING, 1)
        assert (row.last_error or "").startswith("smtp:")
        assert row.sealed is not None
        assert b"olga" not in row.sealed
        assert b"code" not in row.sealed
        traveller.shift(timedelta(seconds=31))  # past the first backoff; the server is back
        assert await _dispatch(engine, settings) == "sent"
    code = _code_in(inbox, "olga@example.org")
    row = await _row(session)
    assert (row.status, row.attempts, row.sealed) == (NotificationStatus.SENT, 2, None)
    signed_in = await mail_down.post(VERIFY, json={"email": "olga@example.org", "code": code})
    assert signed_in.status_code == 200


async def test_a_code_not_delivered_in_time_is_dropped_not_sent_late(
    mail_down: httpx.AsyncClient,
    settings: Settings,
    engine: Any,
    session: AsyncSession,
    inbox: Inbox,
) -> None:
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        await mail_down.post(START, json={"email": "petr@example.org"})
        traveller.shift(timedelta(minutes=11))  # the code itself has expired meanwhile
        assert await _dispatch(engine, settings) == "dead"
    row = await _row(session)
    assert row.status is NotificationStatus.DEAD
    assert "expired" in (row.last_error or "")
    assert row.sealed is None
    assert inbox.to("petr@example.org") == []


async def test_development_without_smtp_shows_the_code_and_writes_no_row(
    db_url: str, session: AsyncSession
) -> None:
    app = create_app(Settings(database_url=db_url, environment="development"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        started = (await client.post(START, json={"email": "dev@example.org"})).json()
    await app.state.engine.dispose()
    assert started["sent"] is False
    assert re.fullmatch(r"\d{6}", started["dev_code"])
    assert await session.scalar(select(func.count(Notification.id))) == 0
