"""Delivering outbox rows: claim (short transaction) → send after the claim commits → mark.

At least once: a dispatcher that dies between claim and mark leaves the row leased; when the lease
ends another dispatcher claims it again. The row id travels to the channel as the idempotency key
(VK's `random_id`), so where the channel supports it the resend is not a duplicate.

The dispatcher knows nothing of accounts or the catalog: `prepare` (given by the worker, which sits
above the domains) turns a claimed row into a recipient and the context its template needs.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openindustry.config import Settings
from openindustry.kit import clock
from openindustry.notifications.channels import Channel, Outgoing, Transient, Unreachable
from openindustry.notifications.messages import UnknownKind, render
from openindustry.notifications.service import Claimed, NotificationsService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recipient:
    locale: str
    addresses: dict[str, str]  # channel name → address (e-mail, messenger user id)
    order: list[str]  # channels to try, preferred first
    optional_allowed: bool = True  # the user's switch for non-essential messages


@dataclass(frozen=True)
class Prepared:
    recipient: Recipient | None  # None: the user is gone
    context: dict[str, Any] = field(default_factory=dict)


Prepare = Callable[[Claimed], Awaitable[Prepared]]


@dataclass(frozen=True)
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0


class Dispatcher:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        channels: Mapping[str, Channel],
        prepare: Prepare,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.channels = channels
        self.prepare = prepare

    async def claim(self) -> list[Claimed]:
        async with self.sessionmaker() as session:
            return await NotificationsService(session).claim(
                clock.now(),
                limit=self.settings.notification_batch_size,
                lease=timedelta(seconds=self.settings.notification_lease_seconds),
            )

    async def run_once(self) -> DispatchReport:
        claimed = await self.claim()
        sent = retried = failed = 0
        for message in claimed:
            outcome = await self.deliver(message)
            sent += outcome == "sent"
            retried += outcome == "retry"
            failed += outcome == "failed"
        return DispatchReport(len(claimed), sent, retried, failed)

    async def deliver(self, message: Claimed) -> str:
        """Send one claimed row and record the outcome: "sent", "retry" or "failed"."""
        async with self.sessionmaker() as session:
            outbox = NotificationsService(session)
            try:
                prepared = await self.prepare(message)
            except UnknownKind as exc:
                await outbox.dead_letter(message.id, f"unknown kind: {exc}")
                return "failed"
            recipient = prepared.recipient
            if recipient is None or message.user_id is None:
                await outbox.dead_letter(message.id, "no recipient")
                return "failed"
            if not message.essential and not recipient.optional_allowed:
                await outbox.mark_sent(message.id, clock.now(), None, "skipped: switched off")
                return "sent"
            try:
                text = render(
                    message.kind, recipient.locale, prepared.context, self.settings.public_base_url
                )
            except (UnknownKind, KeyError, ValueError, TypeError) as exc:
                await outbox.dead_letter(message.id, f"template: {type(exc).__name__}: {exc}")
                return "failed"
            blocked = await outbox.unreachable(message.user_id)
            reasons: list[str] = []
            for name in recipient.order:
                channel = self.channels.get(name)
                address = recipient.addresses.get(name)
                if channel is None or address is None or name in blocked:
                    continue
                outgoing = Outgoing(str(message.id), address, text.subject, text.text, text.html)
                try:
                    await channel.send(outgoing)
                except Unreachable as exc:
                    await outbox.mark_unreachable(message.user_id, name, str(exc))
                    reasons.append(str(exc))
                    continue
                except Transient as exc:
                    return await self._retry(outbox, message, str(exc), exc.retry_after)
                await outbox.mark_sent(message.id, clock.now(), name)
                return "sent"
            reason = "; ".join(reasons) or "no reachable channel"
            await outbox.dead_letter(message.id, f"unreachable: {reason}")
            return "failed"

    async def _retry(
        self, outbox: NotificationsService, message: Claimed, reason: str, after: float | None
    ) -> str:
        settings = self.settings
        if message.attempts >= settings.notification_max_attempts:
            await outbox.dead_letter(message.id, f"after {message.attempts} attempts: {reason}")
            return "failed"
        if after is None:
            ceiling = min(
                settings.notification_backoff_max_seconds,
                settings.notification_backoff_seconds * 2 ** (message.attempts - 1),
            )
            after = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret
        await outbox.retry_at(message.id, clock.now() + timedelta(seconds=after), reason)
        return "retry"
