"""Delivering outbox rows: claim (a short transaction) → send after the claim commits → mark.

The dispatcher is the outbox's delivery use case; each step is its own transaction. A row goes
pending → sending (claimed, with a lease) → sent | pending (retry after backoff) | dead.

At least once: a dispatcher that dies between claim and mark leaves the row `sending`; when the
lease ends another dispatcher claims it again. The row id travels to the channel as the
idempotency key (VK's `random_id`), so where the channel supports it the resend is not a duplicate.

The dispatcher knows nothing of accounts or the catalog: `prepare` (given by the worker, which sits
above the domains) turns a claimed row into a recipient and the context its template needs. A
direct message (no account: a sign-in code) carries its address sealed in the row instead.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.kit import clock
from openindustry.kit.mail import Mailer
from openindustry.kit.tx import transaction
from openindustry.notifications import repository as repo
from openindustry.notifications.channels import Channel, Outgoing, Transient, Unreachable
from openindustry.notifications.channels.email import EmailChannel
from openindustry.notifications.messages import Rendered, UnknownKind, render
from openindustry.notifications.models import NotificationStatus
from openindustry.notifications.repository import Claimed
from openindustry.notifications.rules import backoff_ceiling
from openindustry.notifications.sealing import Sealer

log = logging.getLogger(__name__)

Sessions = Callable[[], AbstractAsyncContextManager[AsyncSession]]


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


class Undeliverable(Exception):
    """The row can never be delivered as it is: it goes dead with this reason."""


@dataclass(frozen=True)
class DispatchReport:
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0


class Dispatcher:
    def __init__(
        self,
        sessions: Sessions,
        settings: Settings,
        channels: Mapping[str, Channel],
        prepare: Prepare,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.channels = channels
        self.prepare = prepare
        self.sealer = Sealer(settings)

    async def claim(self, *, only_id: int | None = None) -> list[Claimed]:
        """Take due rows (or the one row `only_id`, if due) for one lease; commits at once."""
        settings = self.settings
        now = clock.now()
        until = now + timedelta(seconds=settings.notification_lease_seconds)
        async with self.sessions() as session, transaction(session):
            if only_id is None:
                await repo.bury_abandoned(session, now, settings.notification_max_attempts)
            return await repo.claim(
                session, now, until, limit=settings.notification_batch_size, only_id=only_id
            )

    async def run_once(self) -> DispatchReport:
        claimed = await self.claim()
        outcomes = [await self.deliver(message) for message in claimed]
        return DispatchReport(
            len(claimed), outcomes.count("sent"), outcomes.count("retry"), outcomes.count("dead")
        )

    async def deliver(self, message: Claimed) -> str:
        """Send one claimed row and record the outcome: "sent", "retry" or "dead"."""
        async with self.sessions() as session:
            return await self._deliver(session, message)

    async def _deliver(self, session: AsyncSession, message: Claimed) -> str:
        try:
            recipient, context = await self._resolve(message)
        except Undeliverable as exc:
            return await self._dead(session, message, str(exc))
        if not message.essential and not recipient.optional_allowed:
            await self._finish(session, message, "sent", channel=None, note="skipped: switched off")
            return "sent"
        try:
            text = render(message.kind, recipient.locale, context, self.settings.public_base_url)
        except (UnknownKind, KeyError, ValueError, TypeError) as exc:
            return await self._dead(session, message, f"template: {type(exc).__name__}: {exc}")
        return await self._send(session, message, recipient, text)

    async def _resolve(self, message: Claimed) -> tuple[Recipient, dict[str, Any]]:
        """Whom to send to and the template's context; Undeliverable says why there is none."""
        if message.expires_at is not None and message.expires_at <= clock.now():
            raise Undeliverable("expired before it could be delivered")
        try:
            secrets = self.sealer.unseal(message.sealed)
        except ValueError as exc:
            raise Undeliverable("sealed values do not decrypt (new secret key?)") from exc
        if message.user_id is None:
            recipient, context = _direct_recipient(message.payload, secrets), dict(message.payload)
        else:
            try:
                prepared = await self.prepare(message)
            except UnknownKind as exc:
                raise Undeliverable(f"unknown kind: {exc}") from exc
            recipient, context = prepared.recipient, dict(prepared.context)
        if recipient is None:
            raise Undeliverable("no recipient")
        return recipient, context | secrets

    async def _send(
        self, session: AsyncSession, message: Claimed, recipient: Recipient, text: Rendered
    ) -> str:
        """Try the recipient's channels in order; an unreachable one is remembered and skipped."""
        blocked: set[str] = set()
        if message.user_id is not None:
            async with transaction(session):
                blocked = await repo.unreachable_channels(session, message.user_id)
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
                reasons.append(str(exc))
                if message.user_id is not None:
                    async with transaction(session):
                        await repo.add_unreachable(session, message.user_id, name, str(exc))
                continue
            except Transient as exc:
                return await self._retry(session, message, str(exc), exc.retry_after)
            await self._finish(session, message, "sent", channel=name)
            return "sent"
        reason = "; ".join(reasons) or "no reachable channel"
        return await self._dead(session, message, f"unreachable: {reason}")

    async def _retry(
        self, session: AsyncSession, message: Claimed, reason: str, after: float | None
    ) -> str:
        settings = self.settings
        if message.attempts >= settings.notification_max_attempts:
            return await self._dead(
                session, message, f"after {message.attempts} attempts: {reason}"
            )
        if after is None:
            ceiling = backoff_ceiling(
                message.attempts,
                settings.notification_backoff_seconds,
                settings.notification_backoff_max_seconds,
            )
            after = random.uniform(ceiling / 2, ceiling)  # noqa: S311 - jitter, not a secret
        when = clock.now() + timedelta(seconds=after)
        await self._finish(session, message, "retry", next_attempt_at=when, note=reason)
        return "retry"

    async def _dead(self, session: AsyncSession, message: Claimed, reason: str) -> str:
        await self._finish(session, message, "dead", note=reason)
        return "dead"

    async def _finish(
        self,
        session: AsyncSession,
        message: Claimed,
        outcome: str,
        *,
        note: str | None = None,
        **values: Any,
    ) -> None:
        if outcome == "sent":
            values |= {"status": NotificationStatus.SENT, "sent_at": clock.now()}
        elif outcome == "retry":
            values["status"] = NotificationStatus.PENDING
        else:
            values["status"] = NotificationStatus.DEAD
        if outcome != "retry":
            values["sealed"] = None  # a code or an address is kept no longer than needed
        async with transaction(session):
            marked = await repo.finish(session, message, last_error=note, **values)
        if not marked:
            # The lease ran out and another dispatcher claimed the row: its outcome stands.
            log.info(
                "outbox row %s was claimed again; outcome %s not recorded", message.id, outcome
            )


def _direct_recipient(payload: dict[str, Any], secrets: dict[str, str]) -> Recipient | None:
    channel, address = str(payload.get("channel", "email")), secrets.get("address")
    if not address:
        return None
    return Recipient(str(payload.get("locale", "ru")), {channel: address}, [channel])


@asynccontextmanager
async def _borrowed(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    yield session  # the caller owns the session and closes it


async def _nobody(_message: Claimed) -> Prepared:
    return Prepared(None)


async def deliver_now(
    session: AsyncSession, settings: Settings, notification_id: int
) -> str | None:
    """Deliver one direct message at once, on the caller's session, after the row has committed.

    Someone is waiting for it (a sign-in code), so it does not wait for the dispatcher's next
    round — wherever the dispatcher runs. Failing here leaves the row to the dispatcher's retries.
    None when the row was not due (another dispatcher took it) or there is no e-mail channel.
    """
    if settings.smtp_url is None:
        return None
    mailer = Mailer(settings.smtp_url.get_secret_value(), timeout=settings.channel_timeout_seconds)
    dispatcher = Dispatcher(
        lambda: _borrowed(session), settings, {"email": EmailChannel(mailer)}, _nobody
    )
    claimed = await dispatcher.claim(only_id=notification_id)
    return await dispatcher.deliver(claimed[0]) if claimed else None
