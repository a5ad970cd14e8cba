"""The outbox end to end: real SMTP (aiosmtpd) and a fake VK/Telegram/MAX API over HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.providers.base import Provider
from openindustry.kit import db
from openindustry.kit.tx import transaction
from openindustry.notifications.dispatcher import Dispatcher, Prepared
from openindustry.notifications.models import Notification, NotificationStatus, UnreachableChannel
from openindustry.notifications.schemas import NotificationCreate
from openindustry.notifications.service import NotificationsService
from tests.notifications.conftest import MakeDispatcher, MakePerson
from tests.notifications.fake_apis import Answer, FakeApis
from tests.smtp import Inbox

PAYLOAD = {"registration_id": 7, "title": "Завод «Кристалл»", "when": "11 декабря, 10:00"}


def message(user_id: int, text: str = "Сбор у проходной", **extra: Any) -> NotificationCreate:
    return NotificationCreate(
        user_id=user_id, kind="organizer.message", payload=PAYLOAD | {"text": text}, **extra
    )


async def enqueue(session: AsyncSession, *messages: NotificationCreate) -> None:
    async with transaction(session):
        await NotificationsService(session).enqueue(messages)


async def rows(session: AsyncSession) -> list[Notification]:
    session.expire_all()
    return list((await session.scalars(select(Notification).order_by(Notification.id))).all())


async def test_a_row_commits_with_its_change_and_not_without_it(
    session: AsyncSession, person: MakePerson
) -> None:
    user = await person((Provider.TELEGRAM, "111"))
    with pytest.raises(RuntimeError):
        async with transaction(session):
            await NotificationsService(session).enqueue([message(user.id)])
            raise RuntimeError("the change fails")
    assert await rows(session) == []
    await enqueue(session, message(user.id))
    assert len(await rows(session)) == 1


async def test_email_is_sent_with_html_and_text(
    session: AsyncSession, person: MakePerson, dispatcher_for: MakeDispatcher, inbox: Inbox
) -> None:
    user = await person((Provider.EMAIL, "guest@example.org"), email="guest@example.org")
    await enqueue(session, message(user.id))
    report = await dispatcher_for().run_once()
    assert report.sent == 1
    [mail] = inbox.to("guest@example.org")
    assert "Сообщение организатора" in str(mail["Subject"]) or mail["Subject"]
    kinds = {part.get_content_type() for part in mail.walk()}
    assert {"text/plain", "text/html"} <= kinds
    plain = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    assert "/me/tickets/7" in plain.get_payload(decode=True).decode()
    [row] = await rows(session)
    assert row.status is NotificationStatus.SENT
    assert row.channel == "email"


async def test_telegram_in_english_for_an_english_user(
    session: AsyncSession, person: MakePerson, dispatcher_for: MakeDispatcher, apis: FakeApis
) -> None:
    user = await person((Provider.TELEGRAM, "4242"), locale="en")
    await enqueue(session, message(user.id))
    assert (await dispatcher_for().run_once()).sent == 1
    [call] = apis.sent("telegram")
    assert call["chat_id"] == "4242"
    assert call["path"].endswith("/sendMessage")
    assert "About the tour" in call["text"]
    assert "/me/tickets/7" in call["text"]


async def test_blocked_bot_marks_unreachable_and_falls_back_to_email(
    session: AsyncSession,
    person: MakePerson,
    dispatcher_for: MakeDispatcher,
    apis: FakeApis,
    inbox: Inbox,
) -> None:
    user = await person((Provider.TELEGRAM, "5151"), email="fallback@example.org")
    apis.then(
        "telegram",
        Answer(
            403,
            {
                "ok": False,
                "error_code": 403,
                "description": "Forbidden: bot was blocked by the user",
            },
        ),
    )
    await enqueue(session, message(user.id), message(user.id, "второе"))
    report = await dispatcher_for().run_once()
    assert report.sent == 2
    assert len(inbox.to("fallback@example.org")) == 2
    assert len(apis.sent("telegram")) == 1  # the second one skipped the unreachable channel
    blocked = (await session.scalars(select(UnreachableChannel))).all()
    assert [(b.channel, "blocked" in b.reason) for b in blocked] == [("telegram", True)]


async def test_vk_901_is_unreachable_and_max_is_used(
    session: AsyncSession, person: MakePerson, dispatcher_for: MakeDispatcher, apis: FakeApis
) -> None:
    user = await person((Provider.VK, "77"), (Provider.MAX, "88"), channels=["vk", "max"])
    apis.then(
        "vk",
        Answer(
            200,
            {
                "error": {
                    "error_code": 901,
                    "error_msg": "Can't send messages for users without permission",
                }
            },
        ),
    )
    await enqueue(session, message(user.id))
    assert (await dispatcher_for().run_once()).sent == 1
    [vk] = apis.sent("vk")
    assert vk["user_id"] == "77"
    assert vk["method"] == "messages.send"
    assert vk["random_id"]
    [mx] = apis.sent("max")
    assert mx["user_id"] == "88"
    assert mx["path"] == "/messages"
    assert mx["text"]
    assert mx["access_token"] == "max-test-token"
    [row] = await rows(session)
    assert row.channel == "max"


async def test_retries_with_backoff_then_dead_letter_with_the_reason(
    session: AsyncSession, person: MakePerson, dispatcher_for: MakeDispatcher, apis: FakeApis
) -> None:
    user = await person((Provider.TELEGRAM, "9090"))
    apis.then(
        "telegram",
        Answer(
            429,
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests",
                "parameters": {"retry_after": 33},
            },
        ),
        Answer(502, {}),
        Answer(200, {"ok": True}, delay=1.5),  # longer than the client's timeout
    )
    await enqueue(session, message(user.id))
    dispatcher = dispatcher_for()
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        assert (await dispatcher.run_once()).retried == 1
        [row] = await rows(session)
        assert row.next_attempt_at == start + timedelta(seconds=33)  # Telegram's retry_after
        assert "429" in (row.last_error or "")
        assert (await dispatcher.run_once()).claimed == 0  # not due yet
        traveller.shift(timedelta(seconds=34))
        assert (await dispatcher.run_once()).retried == 1  # 502
        [row] = await rows(session)
        delay = (row.next_attempt_at - (start + timedelta(seconds=34))).total_seconds()
        assert 10 <= delay <= 20  # second attempt: base·2 with jitter in [half, full]
        traveller.shift(timedelta(seconds=25))
        assert (await dispatcher.run_once()).dead == 1  # timeout on the last attempt
    [row] = await rows(session)
    assert row.status is NotificationStatus.DEAD
    assert row.attempts == 3
    assert "timeout" in (row.last_error or "")


async def test_a_crash_between_claim_and_send_leads_to_delivery_once(
    session: AsyncSession, person: MakePerson, dispatcher_for: MakeDispatcher, apis: FakeApis
) -> None:
    user = await person((Provider.VK, "31"))
    await enqueue(session, message(user.id))
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        crashed = dispatcher_for()
        [claimed] = await crashed.claim()  # …and the process dies before sending
        [row] = await rows(session)
        assert row.status is NotificationStatus.SENDING
        assert row.locked_until == start + timedelta(seconds=60)
        other = dispatcher_for()
        assert (await other.run_once()).claimed == 0  # the lease holds
        traveller.shift(timedelta(seconds=59))
        assert (await other.run_once()).claimed == 0  # …to its last second
        traveller.shift(timedelta(seconds=2))
        assert (await other.run_once()).sent == 1
        assert (await other.run_once()).claimed == 0  # and never again
    assert len(apis.sent("vk")) == 1
    [row] = await rows(session)
    assert row.status is NotificationStatus.SENT
    assert row.attempts == 2
    assert apis.sent("vk")[0]["random_id"] == str(claimed.id)


async def test_a_crash_after_sending_resends_with_the_same_idempotency_key(
    session: AsyncSession, person: MakePerson, dispatcher_for: MakeDispatcher, apis: FakeApis
) -> None:
    user = await person((Provider.VK, "32"))
    await enqueue(session, message(user.id))
    start = datetime.now(UTC)
    with time_machine.travel(start, tick=False) as traveller:
        crashed = dispatcher_for()
        [claimed] = await crashed.claim()
        from openindustry.notifications.channels import Outgoing

        await crashed.channels["vk"].send(Outgoing(str(claimed.id), "32", "s", "t", "h"))
        # …dies before marking it sent; the lease ends and another dispatcher sends again.
        traveller.shift(timedelta(seconds=61))
        assert (await dispatcher_for().run_once()).sent == 1
    assert len(apis.sent("vk")) == 2
    assert list(apis.vk_delivered) == [str(claimed.id)]  # VK delivered it once


async def test_two_workers_never_send_the_same_message(
    session: AsyncSession,
    person: MakePerson,
    dispatcher_for: MakeDispatcher,
    apis: FakeApis,
    engine: Any,
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("several workers share the outbox on PostgreSQL")
    user = await person((Provider.TELEGRAM, "600"))
    await enqueue(session, *(message(user.id, f"m{i}") for i in range(50)))
    workers = [dispatcher_for(notification_batch_size=5) for _ in range(2)]

    async def drain(worker: Any) -> int:
        sent = 0
        while (report := await worker.run_once()).claimed:
            sent += report.sent
        return sent

    counts = await asyncio.gather(*(drain(w) for w in workers))
    assert sum(counts) == 50
    texts = [c["text"] for c in apis.sent("telegram")]
    assert len(texts) == 50
    assert len(set(texts)) == 50
    total = await session.scalar(
        select(func.count()).where(Notification.status == NotificationStatus.SENT)
    )
    assert total == 50


async def test_switched_off_optional_messages_are_skipped_essential_go(
    session: AsyncSession, person: MakePerson, dispatcher_for: MakeDispatcher, apis: FakeApis
) -> None:
    user = await person((Provider.TELEGRAM, "700"), channels=["off", "telegram"])
    await enqueue(
        session, message(user.id, "optional"), message(user.id, "essential", essential=True)
    )
    assert (await dispatcher_for().run_once()).sent == 2
    assert [c["text"].split("\n")[-3] for c in apis.sent("telegram")] == ["essential"]


async def test_separate_engines_share_the_sqlite_outbox(settings: Any) -> None:
    # Smoke: a dispatcher built on its own engine sees nothing when the outbox is empty.
    engine = db.create_engine(settings.database_url)
    try:
        own = Dispatcher(db.create_sessionmaker(engine), settings, {}, _nobody)
        assert await own.claim() == []
    finally:
        await engine.dispose()


async def _nobody(_message: Any) -> Prepared:
    return Prepared(None)
