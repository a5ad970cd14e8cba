"""No secret in the logs: a realistic session against a real Uvicorn server, every logger at DEBUG
(uvicorn.access, sqlalchemy, httpx and the rest), and then the captured text is searched for
every token, code, ID number, signature and configured secret that went by."""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import uvicorn
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.providers.vk import sign_vk_launch_params
from openindustry.accounts.providers.webapp import sign_webapp_data
from openindustry.app import create_app
from openindustry.config import Settings
from openindustry.kit.logs import RedactOutboundUrls
from tests.notifications.fake_apis import start_fake_apis
from tests.security.conftest import csrf_token, hidden_fields, open_slot
from tests.smtp import Inbox, free_port

SMTP_PASSWORD = "smtp-" + secrets.token_urlsafe(12)
ID_NUMBER = "4510 987654"


# What the test itself runs logs too (its HTTP client, its SMTP server); only the app's count.
TEST_SIDE_LOGGERS = ("mail.log",)


@dataclass
class Capture(logging.Handler):
    """Every record of the app, formatted with its arguments, exception and stack."""

    lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        # The test's client runs in the main thread; the app in the server's thread (and
        # aiosqlite's worker threads).
        if record.threadName == "MainThread" or record.name.startswith(TEST_SIDE_LOGGERS):
            return
        self.lines.append(self.format(record))

    def __hash__(self) -> int:
        return id(self)


@pytest.fixture
def smtp_with_password() -> Iterator[tuple[str, Inbox]]:
    """An SMTP server that requires a login, as a production relay does."""

    def authenticate(*args: Any) -> AuthResult:
        data = args[-1]
        ok = isinstance(data, LoginPassword) and data.password == SMTP_PASSWORD.encode()
        return AuthResult(success=ok)

    inbox = Inbox()
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=free_port(),
        authenticator=authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield (
        f"smtp://mailer:{SMTP_PASSWORD}@127.0.0.1:{controller.port}?from=noreply@openindustry.test",
        inbox,
    )
    controller.stop()


@pytest.fixture
def everything_at_debug() -> Iterator[Capture]:
    """Every logger at DEBUG into one capture; the logging set-up is restored afterwards."""
    manager = logging.root.manager
    saved = {
        name: (lg.level, list(lg.handlers), lg.propagate, lg.disabled)
        for name, lg in [("", logging.root), *manager.loggerDict.items()]
        if isinstance(lg, logging.Logger)
    }
    capture = Capture()
    yield capture
    for name, lg in [("", logging.root), *manager.loggerDict.items()]:
        if not isinstance(lg, logging.Logger):
            continue
        if name in saved:
            lg.level, lg.handlers, lg.propagate, lg.disabled = saved[name]
        else:
            lg.setLevel(logging.NOTSET)
            lg.handlers = [h for h in lg.handlers if h is not capture]


def _all_at_debug(capture: Capture) -> None:
    logging.root.setLevel(logging.DEBUG)
    logging.root.addHandler(capture)
    for lg in logging.root.manager.loggerDict.values():
        if isinstance(lg, logging.Logger):
            lg.setLevel(logging.DEBUG)
            lg.disabled = False
            if not lg.propagate:  # uvicorn's own loggers write to their own handlers
                lg.addHandler(capture)


class LiveServer:
    """The app under Uvicorn in a thread, configured as `openindustry serve` configures it."""

    def __init__(self, settings: Settings, capture: Capture) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            lambda: create_app(settings),
            factory=True,
            host="127.0.0.1",
            port=self.port,
            proxy_headers=True,
            log_level="debug",
        )
        _all_at_debug(capture)  # after Uvicorn's own logging configuration
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="app-server", daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            assert time.monotonic() < deadline, "the server did not start"
            assert self.thread.is_alive(), "the server stopped"
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *_exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=15)


def _code_from(inbox: Inbox, address: str) -> str:
    message = inbox.to(address)[-1]
    parts = message.walk() if message.is_multipart() else [message]
    for part in parts:
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            found = re.search(r"\b(\d{6})\b", payload.decode())
            if found:
                return found.group(1)
    raise AssertionError("no code in the e-mail")


def _wait_for(condition: Any, what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


async def test_a_whole_session_leaves_no_secret_in_the_logs(
    settings: Settings,
    session: AsyncSession,
    smtp_with_password: tuple[str, Inbox],
    everything_at_debug: Capture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    smtp_url, inbox = smtp_with_password
    fake_server, apis = start_fake_apis()
    vk_secret, bot_token = (
        secrets.token_urlsafe(16),
        f"7{secrets.randbelow(10**8)}:" + (secrets.token_urlsafe(24)),
    )
    settings = settings.model_copy(
        update={
            "secret_key": SecretStr("key-" + secrets.token_urlsafe(40)),
            "vk_app_secret": SecretStr(vk_secret),
            "telegram_bot_token": SecretStr(bot_token),
            "smtp_url": SecretStr(smtp_url),
            "telegram_api_base_url": f"{apis.base_url}/telegram",
            "dispatch_interval_seconds": 0.2,
        }
    )
    slot = await open_slot(session)
    seen: dict[str, str] = {
        "secret key": settings.secret_key.get_secret_value(),
        "VK app secret": vk_secret,
        "Telegram bot token": bot_token,
        "SMTP password": SMTP_PASSWORD,
        "ID number": ID_NUMBER,
        "ID number digits": ID_NUMBER.replace(" ", ""),
    }

    try:
        with LiveServer(settings, everything_at_debug) as base:
            seen |= _run_a_session(base, inbox, slot.id, vk_secret, bot_token)
            _wait_for(lambda: apis.sent("telegram"), "the Telegram confirmation")
    finally:
        fake_server.shutdown()

    out, err = capfd.readouterr()
    logged = "\n".join(everything_at_debug.lines)
    # The capture really saw everything: requests, SQL with its parameters, outbound calls.
    assert '"POST /api/v1/auth/vk HTTP/1.1" 200' in logged  # uvicorn.access
    assert '"GET /entry?… HTTP/1.1" 303' in logged
    assert re.search(r"sqlalchemy\.engine\.Engine INFO (INSERT|UPDATE)", logged)
    assert "httpx INFO HTTP Request: POST" in logged
    # The app's stdout and stderr too, as a container would collect them (Uvicorn's handlers).
    text = "\n".join([logged, out, err])
    leaks = {
        name: re.findall(rf".{{0,80}}{re.escape(value)}.{{0,40}}", text)[:3]
        for name, value in seen.items()
        if value in text
    }
    assert not leaks, json.dumps(leaks, ensure_ascii=False, indent=1)


def _run_a_session(
    base: str, inbox: Inbox, slot_id: int, vk_secret: str, bot_token: str
) -> dict[str, str]:
    """Sign in every way, give consent, save an ID document, register (API and page), open the
    tickets; returns every secret that went by."""
    seen: dict[str, str] = {}
    with httpx.Client(base_url=base) as page, httpx.Client(base_url=base) as api:
        seen |= _email_sign_ins(page, api, inbox)
        seen |= _vk_sign_ins(base, api, vk_secret)
        seen |= _telegram_participant_books(api, slot_id, bot_token)
        # The website person gives consent and books on the pages, then opens the ticket.
        consent = page.get("/profile/consent")
        page.post("/profile/consent", data=hidden_fields(consent, "/profile/consent"))
        slot_page = page.get(f"/slots/{slot_id}")
        action = f"/slots/{slot_id}/register"
        done = page.post(action, data=hidden_fields(slot_page, action))
        assert done.is_redirect, done.text[:300]
        assert page.get(done.headers["location"]).status_code == 200
    return seen


def _email_sign_ins(page: httpx.Client, api: httpx.Client, inbox: Inbox) -> dict[str, str]:
    seen = {}
    login = page.get("/login")
    assert page.post(
        "/login", data={"csrf_token": csrf_token(login), "email": "anna@example.org"}
    ).is_redirect
    seen["page e-mail code"] = _code_from(inbox, "anna@example.org")
    code_page = page.get("/login/code")
    signed_in = page.post(
        "/login/code", data={"csrf_token": csrf_token(code_page), "code": seen["page e-mail code"]}
    )
    assert signed_in.is_redirect, signed_in.text[:300]
    seen["page session"] = page.cookies["oi_session"]
    # The same by the API, with a wrong guess first.
    assert api.post("/api/v1/auth/email/start", json={"email": "boris@example.org"}).is_success
    seen["API e-mail code"] = _code_from(inbox, "boris@example.org")
    wrong = "000000" if seen["API e-mail code"] != "000000" else "111111"
    api.post("/api/v1/auth/email/verify", json={"email": "boris@example.org", "code": wrong})
    verified = api.post(
        "/api/v1/auth/email/verify",
        json={"email": "boris@example.org", "code": seen["API e-mail code"]},
    )
    seen["e-mail bearer token"] = verified.json()["token"]
    return seen


def _vk_sign_ins(base: str, api: httpx.Client, vk_secret: str) -> dict[str, str]:
    """The mini-app entry page and the API, with the launch parameters' signature."""
    params = {
        "vk_user_id": "3141592",
        "vk_app_id": "51000000",
        "vk_platform": "mobile_android",
        "vk_language": "ru",
        "vk_ts": str(int(time.time())),
    }
    launch = sign_vk_launch_params(params, vk_secret)
    seen = {"VK sign": parse_qs(launch)["sign"][0]}
    with httpx.Client(base_url=base) as vk_page:
        assert vk_page.get(f"/entry?{launch}").is_redirect
        seen["VK page session"] = vk_page.cookies["oi_session"]
    vk = api.post("/api/v1/auth/vk", json={"launch_params": launch})
    assert vk.status_code == 200, vk.text
    seen["VK bearer token"] = vk.json()["token"]
    return seen


def _telegram_participant_books(api: httpx.Client, slot_id: int, bot_token: str) -> dict[str, str]:
    """initData with its hash; consent, ID document, booking, ticket — through the API."""
    user = {"id": 2718281, "first_name": "Вера", "language_code": "ru"}
    fields = {"user": json.dumps(user), "auth_date": str(int(time.time())), "query_id": "AAE1"}
    init_data = sign_webapp_data(fields, bot_token)
    telegram = api.post("/api/v1/auth/telegram", json={"init_data": init_data})
    token = telegram.json()["token"]
    seen = {"Telegram hash": parse_qs(init_data)["hash"][0], "Telegram bearer token": token}
    auth = {"Authorization": f"Bearer {token}"}
    api.post("/api/v1/me/consent", json={"version": CONSENT_VERSION}, headers=auth)
    saved = api.put(
        "/api/v1/me/id-document",
        json={"document_type": "passport_rf", "number": ID_NUMBER, "full_name": "Вера Н."},
        headers=auth,
    )
    assert saved.status_code == 200, saved.text
    booked = api.post(
        f"/api/v1/slots/{slot_id}/registrations",
        json={},
        headers=auth | {"Idempotency-Key": "log-test-1"},
    )
    assert booked.status_code == 201, booked.text
    seen["API ticket code"] = booked.json()["ticket_code"]
    registration = booked.json()["id"]
    assert api.get(f"/api/v1/registrations/{registration}/ticket.svg", headers=auth).is_success
    mine = api.get("/api/v1/me/registrations", headers=auth).json()["items"]
    assert mine[0]["ticket_code"] == seen["API ticket code"]
    api.get("/api/v1/me", headers={"Authorization": "Bearer " + token[::-1]})  # a wrong one
    return seen


@pytest.mark.parametrize(
    ("url", "logged"),
    [
        (
            "https://api.telegram.org/bot123:AAE-secret/sendMessage",
            "https://api.telegram.org/…/sendMessage",
        ),
        (
            "https://api.vk.com/method/messages.send?access_token=vk1.a.secret",
            "https://api.vk.com/…/messages.send",
        ),
        (
            "https://botapi.max.ru/messages?user_id=1&access_token=secret",
            "https://botapi.max.ru/…/messages",
        ),
        ("https://user:secret@relay.example.org/hook/", "https://relay.example.org/…/hook"),
    ],
)
def test_outbound_request_lines_keep_only_the_host_and_the_method(url: str, logged: str) -> None:
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        'HTTP Request: %s %s "%s %d %s"',
        ("POST", httpx.URL(url), "HTTP/1.1", 200, "OK"),
        None,
    )
    RedactOutboundUrls().filter(record)
    assert record.getMessage() == f'HTTP Request: POST {logged} "HTTP/1.1 200 OK"'
