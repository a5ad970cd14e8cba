"""A worker dies while sending (issue 9, item 2): the message is delivered once after restart.

An `openindustry worker` claims an outbox row and calls a local server playing the Telegram Bot
API, which stalls on that first sendMessage without accepting it; the worker is SIGKILLed while it
waits. A new worker takes the row over once its lease ends and delivers it: the participant gets
the message exactly once, and the row ends `sent`.

Telegram has no idempotency key, so a crash after Telegram accepted a message but before the row
was marked would deliver it twice (at least once, documented in docs/security.md); the crash
tested here is the one the issue names: before the send completed.
"""

from __future__ import annotations

import asyncio
import json
import select
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.service import AccountsService
from openindustry.config import Settings
from openindustry.db import migrate
from openindustry.kit import db
from openindustry.kit.tx import transaction
from openindustry.notifications.schemas import NotificationCreate
from openindustry.notifications.service import NotificationsService
from tests.conftest import (
    POSTGRES_ENV,
    _postgres_admin_url,
    create_postgres_database,
    drop_postgres_database,
    in_own_thread,
)
from tests.faults.cluster import Process, worker_process
from tests.faults.conftest import SECRET_KEY, TELEGRAM_BOT_TOKEN
from tests.notifications.fake_apis import FakeApis

LEASE_SECONDS = 2.0
TEXT = "Сбор у проходной в 9:40"


class StallingTelegram:
    """sendMessage as Telegram answers it, except that the first call stalls, unaccepted,
    until its client goes away; `apis.sent("telegram")` are the messages delivered."""

    def __init__(self) -> None:
        self.apis = FakeApis()
        self.stalled = threading.Event()
        self.abandoned = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if not owner.stalled.is_set():
                    owner.stalled.set()
                    if _wait_for_hang_up(self.connection, timeout=60):
                        owner.abandoned.set()
                    return
                answer = owner.apis.answer("telegram", body)
                payload = json.dumps(answer.body).encode()
                self.send_response(answer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def delivered(self) -> list[str]:
        return [str(call.get("text", "")) for call in self.apis.sent("telegram")]


def _wait_for_hang_up(connection: socket.socket, timeout: float) -> bool:
    """Block until the client closes the connection (True) or `timeout` passes (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        readable, _, _ = select.select([connection], [], [], 0.1)
        if readable:
            try:
                if connection.recv(1, socket.MSG_PEEK) == b"":
                    return True
            except OSError:
                return True
    return False


@pytest.fixture
def telegram() -> Iterator[StallingTelegram]:
    fake = StallingTelegram()
    yield fake
    fake.server.shutdown()


@pytest.fixture(scope="module")
def outbox_db() -> Iterator[str]:
    """A database of its own: the outbox holds nothing but the message under test."""
    admin_url = _postgres_admin_url()
    if admin_url is None:
        pytest.skip(f"the fault tests run app processes on PostgreSQL: set {POSTGRES_ENV}")
    name, url = create_postgres_database(admin_url)
    try:
        in_own_thread(lambda: migrate.upgrade(url))
        yield url
    finally:
        drop_postgres_database(admin_url, name)


async def _enqueue_message(url: str) -> int:
    settings = Settings(database_url=url, environment="test", secret_key=SecretStr(SECRET_KEY))
    engine = db.create_engine(url)
    try:
        async with db.create_sessionmaker(engine)() as session:
            identity = VerifiedIdentity(Provider.TELEGRAM, "5200001", first_name="Гость")
            user = (await AccountsService(session, settings).sign_in(identity)).user
            payload = {"registration_id": 0, "title": "Завод", "when": "11 декабря", "text": TEXT}
            message = NotificationCreate(
                user_id=user.id, kind="organizer.message", payload=payload, essential=True
            )
            async with transaction(session):
                await NotificationsService(session, settings).enqueue([message])
            return user.id
    finally:
        await engine.dispose()


async def _row(url: str) -> tuple[str, Any]:
    engine = db.create_engine(url)
    try:
        async with engine.connect() as connection:
            result = await connection.exec_driver_sql("SELECT status, sent_at FROM notification")
            [(status, sent_at)] = result.all()
            return str(status), sent_at
    finally:
        await engine.dispose()


def worker_config(url: str, telegram: StallingTelegram) -> dict[str, str]:
    config = {
        "DATABASE_URL": url,
        "ENVIRONMENT": "test",
        "SECRET_KEY": SECRET_KEY,
        "TELEGRAM_BOT_TOKEN": TELEGRAM_BOT_TOKEN,
        "TELEGRAM_API_BASE_URL": telegram.base_url,
        # Long enough that the worker is still waiting for the stalled call when it is killed.
        "CHANNEL_TIMEOUT_SECONDS": "60",
        "NOTIFICATION_LEASE_SECONDS": str(LEASE_SECONDS),
        "DISPATCH_INTERVAL_SECONDS": "0.2",
        "SWEEP_INTERVAL_SECONDS": "3600",
    }
    return {f"OPENINDUSTRY_{k}": v for k, v in config.items()}


async def _until(check: Any, within: float, what: str, *workers: Process) -> None:
    deadline = time.monotonic() + within
    while not await check():
        logs = "\n".join(w.log_tail() for w in workers)
        assert time.monotonic() < deadline, f"{what}\n{logs}"
        assert all(w.alive for w in workers), f"a worker exited\n{logs}"
        await asyncio.sleep(0.1)


async def test_a_worker_killed_while_sending_delivers_once_after_restart(
    outbox_db: str, telegram: StallingTelegram, tmp_path: Path
) -> None:
    await _enqueue_message(outbox_db)
    config = worker_config(outbox_db, telegram)
    first = worker_process("worker-1", tmp_path, config)
    second = worker_process("worker-2", tmp_path, config)
    try:
        first.start()

        async def stalled() -> bool:
            return telegram.stalled.is_set()

        await _until(stalled, 150, "the worker never sent", first)
        assert (await _row(outbox_db))[0] != "sent"
        first.kill()
        assert telegram.abandoned.wait(10), "the stalled call was not abandoned by the kill"
        assert telegram.delivered() == []

        second.start()

        async def sent() -> bool:
            return (await _row(outbox_db))[0] == "sent"

        await _until(sent, 150, "the new worker never delivered", second)
        # Longer than a lease and a few dispatch rounds: nothing is sent a second time.
        await asyncio.sleep(LEASE_SECONDS + 1)
        status, sent_at = await _row(outbox_db)
    finally:
        first.kill()
        second.kill()
    assert (status, sent_at is not None) == ("sent", True)
    [delivered] = telegram.delivered()
    assert TEXT in delivered
