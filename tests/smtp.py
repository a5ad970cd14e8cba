"""A real SMTP server for the tests (aiosmtpd), collecting what it receives."""

from __future__ import annotations

import email
import re
import socket
from dataclasses import dataclass, field
from email.message import Message
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Inbox:
    messages: list[Message] = field(default_factory=list)

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def sign_in_code(message: Message) -> str:
    """The six-digit code in a sign-in e-mail's text; never in its subject, which mail relays
    log."""
    assert not re.search(r"\d{6}", str(message["Subject"])), message["Subject"]
    parts = message.walk() if message.is_multipart() else [message]
    text = "".join(
        part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
        for part in parts
        if part.get_content_type() == "text/plain"
    )
    found = re.search(r"\b(\d{6})\b", text)
    assert found, text
    return found.group(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_smtp() -> tuple[Controller, Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    return controller, inbox
