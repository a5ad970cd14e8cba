"""Registration use cases: book, queue, offer, draw, cancel. Seats move only by conditional
UPDATEs in catalog, so no interleaving of these methods can oversell a slot."""

from __future__ import annotations

import base64
import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.schemas import BookingProfile
from openindustry.accounts.service import AccountsService
from openindustry.catalog.models import SlotStatus
from openindustry.catalog.rules import RegistrationState
from openindustry.catalog.schemas import SlotRead
from openindustry.catalog.service import CatalogService
from openindustry.config import Settings
from openindustry.draws.models import DrawKind, DrawStatus
from openindustry.draws.schemas import Entrant
from openindustry.draws.service import DrawsService
from openindustry.kit import clock
from openindustry.kit.errors import AppError
from openindustry.kit.tx import transaction
from openindustry.notifications.schemas import NotificationCreate
from openindustry.notifications.service import NotificationsService
from openindustry.registration import repository as repo
from openindustry.registration import rules
from openindustry.registration._privacy import PersonalDataMixin
from openindustry.registration.calendar import ticket_ics
from openindustry.registration.errors import (
    AgeRestricted,
    AlreadyRegistered,
    BadCompanions,
    ConsentRequired,
    IdDocumentRequired,
    LimitReached,
    NoOffer,
    NotCancellable,
    OfferExpired,
    RegistrationBlocked,
    RegistrationClosed,
    RegistrationNotFound,
    SoldOut,
    TasksRequired,
    TimeConflict,
)
from openindustry.registration.models import (
    ACTIVE,
    HOLDING_SEATS,
    Registration,
    RegistrationStatus,
)
from openindustry.registration.schemas import PartyMember, RegistrationCreate, RegistrationRead
from openindustry.registration.tickets import TicketClaims, TicketKeys, sign_ticket

S = RegistrationStatus
# A registration as the booking path has it: a mapped object, or a row of its table (same names).
Booked = Registration | repo.RegistrationRow
# How long after a slot ends a party may still be checked in before it counts as a no-show.
NO_SHOW_GRACE = timedelta(hours=2)
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NoShow:
    registration_id: int
    user_id: int
    series_id: int | None


class TaskProgress(Protocol):
    """Which of the given tasks a person has completed: the quests domain answers this."""

    async def completed(self, user_id: int, task_ids: Sequence[int]) -> set[int]: ...


class NoTaskProgress:
    """Until quests exist, nobody has completed any task, so a slot that requires one is gated."""

    async def completed(self, user_id: int, task_ids: Sequence[int]) -> set[int]:
        return set()


def check_site_rules(
    profile: BookingProfile, slot: SlotRead, party: list[PartyMember], *, no_document: str
) -> None:
    """The factory's own rules, which hold for everyone, staff bookings included: ID data on
    file for a secure site, and the age limits for the person and each companion."""
    if slot.requirements.id_document and not profile.has_id_document:
        raise IdDocumentRequired(no_document)
    refusal = rules.age_refusal(
        rules.Person(profile.name, profile.birth_date),
        [rules.Person(m.name, m.birth_date) for m in party],
        rating=slot.age_rating,
        min_age=slot.requirements.min_age,
        day=slot.starts_at.date(),
    )
    if refusal:
        raise AgeRestricted(refusal)


class RegistrationService(PersonalDataMixin):
    def __init__(
        self, session: AsyncSession, settings: Settings, tasks: TaskProgress | None = None
    ) -> None:
        self.session = session
        self.settings = settings
        self.tasks = tasks or NoTaskProgress()
        self.catalog = CatalogService(session, settings.tz)
        self.accounts = AccountsService(session, settings)
        self.draws = DrawsService(session, settings)
        self.outbox = NotificationsService(session)
        key = settings.ticket_signing_key
        self.ticket_keys = _ticket_keys(
            key.get_secret_value() if key else None, settings.secret_key.get_secret_value()
        )

    # Booking -----------------------------------------------------------------------------------

    async def register(
        self,
        user_id: int,
        slot_id: int,
        data: RegistrationCreate,
        *,
        idempotency_key: str | None = None,
    ) -> tuple[RegistrationRead, bool]:
        """Book a party all or nothing; returns the registration and whether it is new.

        One short transaction: three reads (the person's registrations, the slot, the profile),
        one conditional seat UPDATE, the INSERT and its outbox row. The partial unique index (one
        active registration per person and slot) and the unique idempotency key make a retried
        or doubled request return the first outcome instead. tests/registration/
        test_query_count.py holds the statement count.
        """
        try:
            async with transaction(self.session):
                registration, created = await self._book(user_id, slot_id, data, idempotency_key)
                return await self._read(registration), created
        except IntegrityError:
            # The unique indexes refused the INSERT: a twin of this request (same key), or another
            # registration of this person for the slot, committed while this one ran. PostgreSQL
            # has aborted the transaction, so the twin's outcome is read in a new one.
            if idempotency_key:
                async with transaction(self.session):
                    earlier = await repo.by_key(self.session, user_id, idempotency_key)
                    if earlier is not None:
                        return await self._read(earlier), False
            raise AlreadyRegistered("Вы уже записаны на эту экскурсию.") from None

    async def _book(
        self, user_id: int, slot_id: int, data: RegistrationCreate, key: str | None
    ) -> tuple[Booked, bool]:
        now = clock.now()
        strikes_since = now - timedelta(days=self.settings.no_show_window_days)
        # One read answers the per-person rules and whether this is a retry (same key): a retry
        # gets the first outcome before anything else is checked again.
        mine = await repo.person_context(self.session, user_id, strikes_since, key)
        earlier = next((r for r in mine if key and r.idempotency_key == key), None)
        if earlier is not None:
            return earlier, False
        slot = await self.catalog.slot(slot_id)
        state = slot.registration.state
        if state in (RegistrationState.NOT_OPEN, RegistrationState.CLOSED):
            raise RegistrationClosed(_closed_message(slot), details=_window(slot))
        profile = await self.accounts.booking_profile(user_id)
        party = self._party(profile, data.companions)
        self._check_person(profile, slot, party)
        if slot.required_tasks:
            done = await self.tasks.completed(user_id, slot.required_tasks)
            missing = rules.missing_tasks(slot.required_tasks, done)
            if missing:
                raise TasksRequired(
                    "Сначала выполните задания, открывающие запись.",
                    details={"missing_tasks": missing},
                )
        self._check_history(mine, slot, now)

        party_size = 1 + len(party)
        drawn = False
        if state is RegistrationState.LOTTERY:
            # After the draw (a reopened window) the lottery is over: first come, first served,
            # behind the drawn waitlist.
            drawn = (await self.draws.ensure(DrawKind.SLOT, slot.id)).status is DrawStatus.DRAWN
        if state is RegistrationState.LOTTERY and not drawn:
            status = S.APPLIED
        elif await self.catalog.take_seats(slot.id, party_size):
            status = S.CONFIRMED
        elif data.waitlist_ok:
            status = S.WAITLISTED
        else:
            # A twin of this request may have taken the last seats since `mine` was read.
            earlier = await repo.by_key(self.session, user_id, key) if key else None
            if earlier is not None:
                return earlier, False
            raise SoldOut("Мест нет. Можно встать в лист ожидания.")
        registration = await repo.add(
            self.session,
            slot_id=slot.id,
            user_id=user_id,
            status=status,
            party_size=party_size,
            companions=[m.model_dump(mode="json") for m in party],
            series_id=slot.series_id,
            slot_starts_at=slot.starts_at,
            slot_ends_at=slot.ends_at,
            idempotency_key=key,
            created_at=now,
            confirmed_at=now if status is S.CONFIRMED else None,
        )
        if slot.requirements.id_document:
            # The security desk needs the ID data until the visit; it goes some days after.
            await self.accounts.keep_id_document_for(user_id, slot.ends_at)
        await self._tell(registration, f"registration.{status.value}")
        return registration, True

    def _party(self, profile: BookingProfile, chosen: list[int]) -> list[PartyMember]:
        companions = {c.id: c for c in profile.companions}
        missing = [c for c in chosen if c not in companions]
        if missing:
            raise BadCompanions(
                "Таких сопровождающих нет в профиле.", details={"companions": missing}
            )
        return [
            PartyMember(
                companion_id=c, name=companions[c].name, birth_date=companions[c].birth_date
            )
            for c in chosen
        ]

    def _check_person(
        self, profile: BookingProfile, slot: SlotRead, party: list[PartyMember]
    ) -> None:
        if not profile.consent_current:
            raise ConsentRequired("Перед первой записью дайте согласие на обработку данных.")
        check_site_rules(
            profile,
            slot,
            party,
            no_document="Это режимное предприятие: заранее укажите в профиле данные документа.",
        )

    def _check_history(self, mine: Sequence[Booked], slot: SlotRead, now: datetime) -> None:
        window = timedelta(days=self.settings.no_show_window_days)
        active = [r for r in mine if r.status in ACTIVE]
        if any(r.slot_id == slot.id for r in active):
            raise AlreadyRegistered("Вы уже записаны на эту экскурсию.")
        strikes = [
            r.cancelled_at or r.slot_starts_at for r in mine if r.late_cancellation or r.no_show
        ]
        until = rules.blocked_until(
            strikes,
            now=now,
            window=window,
            threshold=self.settings.no_show_threshold,
            block=timedelta(days=self.settings.no_show_block_days),
        )
        if until:
            raise RegistrationBlocked(
                "Запись временно недоступна из-за пропущенных экскурсий.",
                details={"blocked_until": until.isoformat()},
            )
        limit = slot.registration.max_active_registrations
        if limit and slot.series_id and sum(r.series_id == slot.series_id for r in active) >= limit:
            raise LimitReached(f"В этой серии можно быть записанным не больше чем на {limit}.")
        bookings = [
            rules.Booking(r.slot_id, r.series_id, r.slot_starts_at, r.slot_ends_at) for r in active
        ]
        if rules.conflicting(
            bookings, slot_id=slot.id, starts_at=slot.starts_at, ends_at=slot.ends_at
        ):
            raise TimeConflict("В это время у вас уже есть другая экскурсия.")

    # Changing one's mind -----------------------------------------------------------------------

    async def cancel(self, user_id: int, registration_id: int) -> RegistrationRead:
        """Cancel one's own registration; seats held go back and the waitlist moves."""
        async with transaction(self.session):
            registration = await self._own(user_id, registration_id)
            now = clock.now()
            if registration.status not in ACTIVE or now >= registration.slot_starts_at:
                raise NotCancellable("Эту запись уже нельзя отменить.")
            deadline = registration.slot_starts_at - timedelta(
                hours=self.settings.cancel_deadline_hours
            )
            held = registration.status in HOLDING_SEATS
            late = held and now > deadline
            if not await repo.move(
                self.session,
                registration.id,
                [registration.status],
                status=S.CANCELLED,
                cancelled_at=now,
                cancel_reason="participant",
                late_cancellation=late,
            ):
                raise NotCancellable("Запись изменилась, обновите страницу.")
            if held:
                await self.catalog.release_seats(registration.slot_id, registration.party_size)
                await self._seat_waiting(registration.slot_id)
            await self.session.refresh(registration)
            return await self._read(registration)

    async def accept_offer(self, user_id: int, registration_id: int) -> RegistrationRead:
        """Take the seats offered from the waitlist, before the offer lapses."""
        async with transaction(self.session):
            registration = await self._own(user_id, registration_id)
            if registration.status is not S.OFFERED:
                raise NoOffer("Для этой записи нет предложения мест.")
            expires = registration.offer_expires_at
            in_time = expires is not None and expires > clock.now()
            if in_time and await repo.move(
                self.session,
                registration.id,
                [S.OFFERED],
                status=S.CONFIRMED,
                confirmed_at=clock.now(),
                offer_expires_at=None,
            ):
                await self.session.refresh(registration)
                await self._tell(registration, "registration.confirmed")
                return await self._read(registration)
        # Too late: the offer lapses now (in its own transaction), then the refusal.
        await self.expire_offers()
        raise OfferExpired("Время на подтверждение истекло, места переданы следующим в очереди.")

    # The queue ---------------------------------------------------------------------------------

    async def _seat_waiting(self, slot_id: int) -> None:
        """Offer freed seats to the first waiting parties that fit (or confirm them directly)."""
        slot = await self.catalog.slot(slot_id)
        if slot.status is SlotStatus.CANCELLED or slot.seats_left == 0:
            return
        now = clock.now()
        queue = await repo.waiting(self.session, slot_id)
        waiting = [rules.Waiting(r.id, r.party_size) for r in queue]
        by_id = {r.id: r for r in queue}
        deadline = rules.offer_deadline(now, slot.registration.closes_at, self.settings.offer_hours)
        direct = slot.registration.waitlist_confirms_directly or deadline is None
        for party in rules.next_to_seat(waiting, slot.seats_left):
            if not await self.catalog.take_seats(slot_id, party.party_size):
                break
            values = (
                {"status": S.CONFIRMED, "confirmed_at": now}
                if direct
                else {"status": S.OFFERED, "offer_expires_at": deadline}
            )
            if not await repo.move(self.session, party.registration_id, [S.WAITLISTED], **values):
                await self.catalog.release_seats(slot_id, party.party_size)
                continue
            registration = by_id[party.registration_id]
            kind = "registration.confirmed" if direct else "registration.offered"
            await self._tell(registration, kind)

    async def expire_offers(self) -> int:
        """Offers past their deadline lapse; their seats pass to the next in the queue."""
        expired = 0
        async with transaction(self.session):
            for registration in await repo.expired_offers(self.session, clock.now()):
                if await repo.move(
                    self.session,
                    registration.id,
                    [S.OFFERED],
                    status=S.EXPIRED,
                    offer_expires_at=None,
                ):
                    await self.catalog.release_seats(registration.slot_id, registration.party_size)
                    await self._tell(registration, "registration.offer_expired")
                    await self._seat_waiting(registration.slot_id)
                    expired += 1
        return expired

    async def draw_closed_lotteries(self) -> list[int]:
        """Draw every lottery slot whose window has closed; returns the slots drawn."""
        drawn = []
        async with transaction(self.session):
            slot_ids = await repo.slots_with_applications(self.session)
        for slot_id in slot_ids:
            slot = await self.catalog.slot(slot_id)
            if clock.now() < slot.registration.closes_at:
                continue
            try:
                await self.draw_lottery(slot_id)
            except AppError as exc:
                # One slot's trouble must not keep the other closed lotteries from being drawn.
                log.warning("lottery of slot %s not drawn: %s", slot_id, exc.code)
                continue
            drawn.append(slot_id)
        return drawn

    async def draw_lottery(self, slot_id: int) -> None:
        """Allocate a lottery slot: whole parties in drawn order, the rest waitlisted by rank."""
        async with transaction(self.session):
            slot = await self.catalog.slot(slot_id)
            applied = await repo.of_slot(self.session, slot_id, [S.APPLIED])
            existing = await self.draws.find(DrawKind.SLOT, slot_id)
            if existing is not None and existing.status is DrawStatus.DRAWN:
                # Applications that arrived after the draw (a reopened window, a request that
                # raced the close) join the waitlist behind the drawn ranks: no second draw.
                for registration in applied:
                    await repo.move(self.session, registration.id, [S.APPLIED], status=S.WAITLISTED)
                await self._seat_waiting(slot_id)
                return
            visited = await repo.visitors_before(
                self.session, [r.user_id for r in applied], slot.starts_at
            )
            weight = max(self.settings.lottery_first_visit_weight, 1)
            outcome = await self.draws.run(
                DrawKind.SLOT,
                slot_id,
                [
                    Entrant(
                        user_id=r.user_id,
                        weight=1 if r.user_id in visited else weight,
                        party_size=r.party_size,
                    )
                    for r in applied
                ],
                seats=slot.seats_left,
            )
            winners = set(outcome.winners)
            now = clock.now()
            for registration in applied:
                rank = outcome.rank_of[registration.user_id]
                won = registration.user_id in winners and await self.catalog.take_seats(
                    slot_id, registration.party_size
                )
                status = S.CONFIRMED if won else S.WAITLISTED
                moved = await repo.move(
                    self.session,
                    registration.id,
                    [S.APPLIED],
                    status=status,
                    queue_rank=rank,
                    confirmed_at=now if won else None,
                )
                if not moved:
                    # Another worker allocated this one first; give back what we took.
                    if won:
                        await self.catalog.release_seats(slot_id, registration.party_size)
                    continue
                await self._tell(
                    registration, "registration.lottery_won" if won else "registration.lottery_lost"
                )

    # Check-in (the checkin domain calls these) --------------------------------------------------

    async def registration(self, registration_id: int) -> Registration | None:
        """Any registration by id, for staff: the caller decides who may see it."""
        async with transaction(self.session):
            return await repo.by_id(self.session, registration_id)

    async def slot_registrations(self, slot_id: int) -> list[Registration]:
        """Every registration of a slot, oldest first (guest lists, revocation lists)."""
        async with transaction(self.session):
            return list(await repo.of_slot_all(self.session, slot_id))

    async def mark_attended(self, registration_id: int, at: datetime) -> bool:
        """Record the check-in once; False if it was already recorded (or is not confirmed)."""
        async with transaction(self.session):
            return await repo.mark_attended(self.session, registration_id, at)

    async def mark_no_shows(self, now: datetime) -> list[NoShow]:
        """After a slot ends (plus a grace period), its confirmed parties never checked in are
        no-shows — only on slots where check-in was used at all, so a host who never scanned
        does not turn every guest into a no-show. Returns those marked now (each only once)."""
        async with transaction(self.session):
            rows = await repo.mark_no_shows(self.session, now - NO_SHOW_GRACE)
        return [NoShow(registration_id=r[0], user_id=r[1], series_id=r[2]) for r in rows]

    # Reading -----------------------------------------------------------------------------------

    async def ticket_calendar(self, user_id: int, registration_id: int) -> bytes:
        """The tour as an .ics event with a reminder, for a confirmed registration only."""
        registration = await self.get(user_id, registration_id)
        slot = registration.slot
        if registration.ticket_code is None or slot is None:
            raise NoOffer("Билет появится, когда запись будет подтверждена.", code="no_ticket")
        return ticket_ics(
            uid=f"registration-{registration.id}@openindustry",
            title=f"{slot.title} — {slot.enterprise_name}",
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            location=f"{slot.address}. {slot.meeting_point}"
            if slot.meeting_point
            else slot.address,
            description=f"Билет: {registration.ticket_code}",
            url=f"{self.settings.public_base_url}/me/tickets/{registration.id}",
            tz=self.settings.tz,
        )

    async def has_attended(self, user_id: int, slot_id: int) -> bool:
        """Whether the person was checked in at the slot (feedback and attendance tasks ask)."""
        async with transaction(self.session):
            return await repo.attended(self.session, user_id, slot_id)

    async def mine(self, user_id: int) -> list[RegistrationRead]:
        async with transaction(self.session):
            registrations = await repo.of_user(self.session, user_id)
            return [await self._read(r, with_slot=True) for r in registrations]

    async def get(self, user_id: int, registration_id: int) -> RegistrationRead:
        async with transaction(self.session):
            return await self._read(await self._own(user_id, registration_id), with_slot=True)

    async def _own(self, user_id: int, registration_id: int) -> Registration:
        registration = await repo.by_id(self.session, registration_id)
        # Someone else's registration is "not found": its existence is nobody else's business.
        if registration is None or registration.user_id != user_id:
            raise RegistrationNotFound("Запись не найдена.")
        return registration

    async def _read(self, registration: Booked, *, with_slot: bool = False) -> RegistrationRead:
        confirmed = registration.status is S.CONFIRMED
        ticket = (
            sign_ticket(
                self.ticket_keys,
                TicketClaims(registration.id, registration.slot_id, registration.party_size),
            )
            if confirmed
            else None
        )
        position = (
            await repo.waitlist_position(self.session, registration)
            if registration.status is S.WAITLISTED
            else None
        )
        lottery = registration.status is S.APPLIED or registration.queue_rank is not None
        draw = await self.draws.find(DrawKind.SLOT, registration.slot_id) if lottery else None
        return RegistrationRead(
            id=registration.id,
            slot_id=registration.slot_id,
            status=registration.status,
            party_size=registration.party_size,
            companions=[PartyMember.model_validate(c) for c in registration.companions],
            ticket_code=ticket,
            waitlist_position=position,
            offer_expires_at=registration.offer_expires_at,
            created_at=registration.created_at,
            confirmed_at=registration.confirmed_at,
            cancelled_at=registration.cancelled_at,
            late_cancellation=registration.late_cancellation,
            draw_id=draw.id if draw else None,
            slot=await self.catalog.slot(registration.slot_id) if with_slot else None,
        )

    async def _tell(self, registration: Booked, kind: str, *, essential: bool = False) -> None:
        await self.outbox.enqueue(
            [
                NotificationCreate(
                    user_id=registration.user_id,
                    kind=kind,
                    payload={"registration_id": registration.id, "slot_id": registration.slot_id},
                    essential=essential or kind == "registration.confirmed",
                )
            ]
        )


@functools.lru_cache(maxsize=8)
def _ticket_keys(seed: str | None, secret: str) -> TicketKeys:
    """The signing keys, made once per process: deriving them costs more than a booking's SQL."""
    if seed:
        return TicketKeys.from_seed(base64.urlsafe_b64decode(seed + "=="))
    return TicketKeys.derive(secret)


def _window(slot: SlotRead) -> dict[str, str]:
    return {
        "opens_at": slot.registration.opens_at.isoformat(),
        "closes_at": slot.registration.closes_at.isoformat(),
    }


def _closed_message(slot: SlotRead) -> str:
    if slot.registration.state is RegistrationState.NOT_OPEN:
        opens = slot.registration.opens_at
        return f"Запись откроется {opens:%d.%m} в {opens:%H:%M}."
    return "Запись на эту экскурсию закрыта."
