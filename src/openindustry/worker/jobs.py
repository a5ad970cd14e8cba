"""Time-driven work: lapsed offers pass on, closed lotteries are drawn, absentees become no-shows.

Everything is derived from the database and the clock, so any number of processes may run the
sweep: each transition is a conditional UPDATE that only one of them can win, and a no-show's
penalty is paid once because the ledger's unique key says so. This module sits above the domains,
so it can hand a registration's outcome to rewards without the two knowing each other.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openindustry.accounts.models import Identity, User
from openindustry.catalog.service import CatalogService
from openindustry.config import Settings
from openindustry.kit import clock
from openindustry.kit.errors import AppError
from openindustry.kit.i18n import day_label, time_label
from openindustry.kit.mail import Mailer
from openindustry.kit.tx import transaction
from openindustry.notifications.channels import Channel
from openindustry.notifications.channels.email import EmailChannel
from openindustry.notifications.channels.max import MaxChannel
from openindustry.notifications.channels.telegram import TelegramChannel
from openindustry.notifications.channels.vk import VkChannel
from openindustry.notifications.dispatcher import Dispatcher, Prepared, Recipient
from openindustry.notifications.messages import TEMPLATES, UnknownKind
from openindustry.notifications.schemas import NotificationCreate
from openindustry.notifications.service import Claimed, NotificationsService
from openindustry.privacy.service import PrivacyService
from openindustry.registration.errors import RegistrationNotFound
from openindustry.registration.models import Registration, RegistrationStatus
from openindustry.registration.schemas import RegistrationRead
from openindustry.registration.service import RegistrationService
from openindustry.rewards.service import RewardsService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    offers_expired: int
    lotteries_drawn: int
    no_shows: int = 0
    reminders: int = 0
    # What the day's purge deleted, in the one sweep of the day that ran it; None in the others.
    purged: dict[str, int] | None = None


async def sweep(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> SweepReport:
    async with sessionmaker() as session:
        registration = RegistrationService(session, settings)
        expired = await registration.expire_offers()
        drawn = await registration.draw_closed_lotteries()
        async with transaction(session):
            absent = await registration.mark_no_shows(clock.now())
            if settings.no_show_penalty_points > 0:
                rewards = RewardsService(session, settings)
                for no_show in absent:
                    await rewards.penalize(
                        no_show.user_id,
                        settings.no_show_penalty_points,
                        ref_type="no_show",
                        ref_id=no_show.registration_id,
                        series_id=no_show.series_id,
                    )
        reminders = await schedule_reminders(session)
        purged = await PrivacyService(session, settings).purge_daily()
    return SweepReport(expired, len(drawn), len(absent), reminders, purged)


# (kind, window start before the slot, window end): a 24 h reminder is pointless inside 2 h.
REMINDERS = (
    ("reminder.24h", timedelta(hours=24), timedelta(hours=2)),
    ("reminder.2h", timedelta(hours=2), timedelta(0)),
)


async def schedule_reminders(session: AsyncSession) -> int:
    """Enqueue the 24 h / 2 h reminders now due; the dedup key makes each one exist once."""
    now = clock.now()
    added = 0
    for kind, before, until in REMINDERS:
        async with transaction(session):
            rows = await session.execute(
                select(Registration.id, Registration.user_id, Registration.slot_id)
                .where(Registration.status == RegistrationStatus.CONFIRMED)
                .where(Registration.slot_starts_at > now + until)
                .where(Registration.slot_starts_at <= now + before)
            )
            found = rows.all()
        messages = [
            NotificationCreate(
                user_id=user_id,
                kind=kind,
                payload={"registration_id": reg_id, "slot_id": slot_id},
                essential=False,
                dedup_key=f"{kind}:{reg_id}",
            )
            for reg_id, user_id, slot_id in found
        ]
        added += await NotificationsService(session).enqueue_once(messages)
    return added


def build_channels(settings: Settings, client: httpx.AsyncClient) -> dict[str, Channel]:
    channels: dict[str, Channel] = {}
    if settings.smtp_url is not None:
        mailer = Mailer(
            settings.smtp_url.get_secret_value(), timeout=settings.channel_timeout_seconds
        )
        channels["email"] = EmailChannel(mailer)
    if settings.telegram_bot_token is not None:
        channels["telegram"] = TelegramChannel(
            client, settings.telegram_api_base_url, settings.telegram_bot_token.get_secret_value()
        )
    if settings.vk_community_token is not None:
        channels["vk"] = VkChannel(
            client,
            settings.vk_api_base_url,
            settings.vk_community_token.get_secret_value(),
            settings.vk_api_version,
        )
    if settings.max_bot_token is not None:
        channels["max"] = MaxChannel(
            client, settings.max_api_base_url, settings.max_bot_token.get_secret_value()
        )
    return channels


def build_dispatcher(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    client: httpx.AsyncClient,
    channels: dict[str, Channel] | None = None,
) -> Dispatcher:
    async def prepare(message: Claimed) -> Prepared:
        async with sessionmaker() as session:
            return await _prepare(session, settings, message)

    chosen = build_channels(settings, client) if channels is None else channels
    return Dispatcher(sessionmaker, settings, chosen, prepare)


async def _recipient(session: AsyncSession, user_id: int) -> Recipient | None:
    async with transaction(session):
        user = await session.get(User, user_id)
        if user is None:
            return None
        identities = (
            await session.scalars(
                select(Identity).where(Identity.user_id == user_id).order_by(Identity.id)
            )
        ).all()
    addresses = {i.provider.value: i.subject for i in identities}
    if user.email:
        addresses["email"] = user.email
    # Their preference order, then the door they signed in with (the first identity), then e-mail.
    order: list[str] = []
    for name in [*user.notification_channels, *(i.provider.value for i in identities), "email"]:
        if name not in order:
            order.append(name)
    return Recipient(user.locale, addresses, order, optional_allowed="off" not in order)


async def _prepare(session: AsyncSession, settings: Settings, message: Claimed) -> Prepared:
    if message.kind not in TEMPLATES:
        raise UnknownKind(message.kind)
    user_id = message.user_id
    recipient = await _recipient(session, user_id) if user_id else None
    if recipient is None or user_id is None:
        return Prepared(None)
    payload = message.payload
    context: dict[str, Any] = dict(payload)
    locale = recipient.locale
    registration = None
    if "registration_id" in payload:
        registration = await _registration(
            session, settings, user_id, int(payload["registration_id"])
        )
        if registration is not None:
            context["ticket_code"] = registration.ticket_code or ""
            if registration.offer_expires_at is not None:
                context["deadline"] = _when(registration.offer_expires_at, locale, settings)
    if "slot_id" in payload:
        slot_id = int(payload["slot_id"])
        known = registration.slot if registration is not None else None  # `get` read it along
        slot = (
            known
            if known is not None and known.id == slot_id
            else await CatalogService(session, settings.tz).slot(slot_id)
        )
        context |= {
            "title": slot.title,
            "when": _when(slot.starts_at, locale, settings),
            "address": slot.address,
            "meeting_point": slot.meeting_point or slot.address,
            "id_required": slot.requirements.id_document,
        }
    if "prize_id" in payload:
        prize = await RewardsService(session, settings).prize(int(payload["prize_id"]))
        context["prize_title"] = prize.title
    context.setdefault("deadline", "")
    context.setdefault("ticket_code", "")
    return Prepared(recipient, context)


async def _registration(
    session: AsyncSession, settings: Settings, user_id: int, registration_id: int
) -> RegistrationRead | None:
    """The registration as its owner sees it, so a message shows the very ticket code the app
    shows: the code is signed from the registration when read (confirmed ones only) and stored
    nowhere. None once the registration is gone."""
    try:
        return await RegistrationService(session, settings).get(user_id, registration_id)
    except RegistrationNotFound:
        return None


def _when(value: Any, locale: str, settings: Settings) -> str:
    return f"{day_label(value, locale, settings.tz)}, {time_label(value, settings.tz)}"


async def dispatch_forever(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    """Deliver the outbox every `dispatch_interval_seconds` (sooner while there is a backlog)."""
    async with httpx.AsyncClient(timeout=settings.channel_timeout_seconds) as client:
        dispatcher = build_dispatcher(sessionmaker, settings, client)
        while True:
            busy = False
            try:
                report = await dispatcher.run_once()
                busy = report.claimed >= settings.notification_batch_size
                if report.claimed:
                    log.info("dispatch: %s", report)
            except (AppError, OSError, ConnectionError) as exc:
                log.warning("dispatch round failed: %s", type(exc).__name__)
            except Exception:
                log.exception("dispatch round failed")
            if not busy:
                await asyncio.sleep(settings.dispatch_interval_seconds)


async def sweep_forever(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """Run the sweep every `sweep_interval_seconds` and the outbox dispatcher beside it."""
    await asyncio.gather(
        _sweep_loop(sessionmaker, settings), dispatch_forever(sessionmaker, settings)
    )


async def _sweep_loop(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    while True:
        try:
            report = await sweep(sessionmaker, settings)
            if (
                report.offers_expired
                or report.lotteries_drawn
                or report.no_shows
                or report.reminders
                or report.purged is not None
            ):
                log.info("sweep: %s", report)
        except (AppError, OSError, ConnectionError) as exc:
            log.warning("sweep round failed: %s", type(exc).__name__)
        except Exception:
            log.exception("sweep round failed")
        await asyncio.sleep(settings.sweep_interval_seconds)
