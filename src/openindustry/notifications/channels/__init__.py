"""Delivery channels: small adapters, each with a configurable base URL and a timeout.

A channel either delivers, or raises `Unreachable` (the user cannot be reached there: try the
next channel and remember it), or `Transient` (try again later, maybe after `retry_after`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Outgoing:
    idempotency_key: str  # the outbox row id: a resend after a crash is not a duplicate
    address: str  # e-mail address or the messenger's user id
    subject: str
    text: str
    html: str


class Unreachable(Exception):
    """The user blocked the bot or did not allow messages on this channel."""


class Transient(Exception):
    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class Channel(Protocol):
    name: str

    async def send(self, message: Outgoing) -> None: ...
