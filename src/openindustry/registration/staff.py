"""What organizers do to other people's registrations: the slot's roster and its search, add
someone by hand, move a party to another slot, cancel one; and (from _slot_changes.py) change or
cancel a slot, write to the registrants.

Seats move only through catalog's conditional UPDATEs, exactly as in self-service booking, so
nothing here can oversell a slot either. Every change is audited, and the people concerned are
told through the outbox, in the same transaction as the change.
"""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.schemas import BookingProfile, CompanionInput
from openindustry.audit.service import AuditService
from openindustry.catalog.models import SlotStatus
from openindustry.catalog.schemas import SlotFilter, SlotRead
from openindustry.config import Settings
from openindustry.kit import clock
from openindustry.kit.tx import transaction
from openindustry.registration import repository as repo
from openindustry.registration import rules
from openindustry.registration._slot_changes import SlotChanges
from openindustry.registration.errors import (
    AlreadyRegistered,
    ConsentRequired,
    MoveNotAllowed,
    NotCancellable,
    NotMovable,
    RegistrationNotFound,
    SlotCancelled,
    SlotStarted,
    SoldOut,
    TimeConflict,
)
from openindustry.registration.models import (
    ACTIVE,
    HOLDING_SEATS,
    Registration,
    RegistrationStatus,
)
from openindustry.registration.schemas import (
    MovedRegistrationRead,
    PartyMember,
    RegistrationMove,
    RegistrationRead,
    RosterEntry,
    SlotRoster,
    StaffRegistrationCreate,
    StaffRegistrationRead,
)
from openindustry.registration.service import RegistrationService, check_site_rules
from openindustry.registration.tickets import InvalidTicket, verify_ticket

S = RegistrationStatus
# A party that waits or holds seats may move; a lottery entry waits for its draw instead.
MOVABLE = (S.CONFIRMED, S.OFFERED, S.WAITLISTED)
# The roster's order: confirmed, offers, the waitlist in its order, the lottery, the rest.
_ROSTER_ORDER = {
    S.CONFIRMED: 0,
    S.OFFERED: 1,
    S.WAITLISTED: 2,
    S.APPLIED: 3,
    S.EXPIRED: 4,
    S.CANCELLED: 5,
}


class StaffRegistrations(SlotChanges):
    def __init__(
        self, session: AsyncSession, settings: Settings, core: RegistrationService | None = None
    ) -> None:
        self.session = session
        self.settings = settings
        # The participant-side service owns the queue and the messages; staff reuse both, so a
        # seat freed here moves the waitlist exactly as a seat freed by a participant does.
        self.core = core or RegistrationService(session, settings)
        self.catalog = self.core.catalog
        self.accounts = self.core.accounts
        self.audit = AuditService(session, settings.tz)

    # The roster ---------------------------------------------------------------------------------

    async def roster(self, slot_id: int, query: str = "") -> SlotRoster:
        """A slot's registrations in queue order, found by name, e-mail, phone or ticket code."""
        async with transaction(self.session):
            await self.catalog.slot(slot_id)  # an unknown slot is a 404, not an empty list
            rows = list(await repo.of_slot_all(self.session, slot_id))
            people = await self.accounts.contacts([r.user_id for r in rows])
        rows.sort(key=lambda r: (_ROSTER_ORDER[r.status], r.queue_rank or 0, r.created_at, r.id))
        needle = query.strip()[:200]
        ticket_id = self._ticket_id(needle, slot_id)
        position = 0
        items: list[RosterEntry] = []
        for row in rows:
            waiting = row.status is S.WAITLISTED
            if waiting:
                position += 1
            person = people.get(row.user_id)
            name = person.name if person else "—"
            email, phone = (person.email, person.phone) if person else (None, None)
            found = row.id == ticket_id or (
                ticket_id is None
                and rules.matches_person(needle, name=name, email=email, phone=phone)
            )
            if not found:
                continue
            items.append(
                RosterEntry(
                    id=row.id,
                    user_id=row.user_id,
                    name=name,
                    email=email,
                    phone=phone,
                    status=row.status,
                    party_size=row.party_size,
                    companions=[PartyMember.model_validate(c) for c in row.companions],
                    waitlist_position=position if waiting else None,
                    created_at=row.created_at,
                    cancel_reason=row.cancel_reason,
                    attended_at=row.attended_at,
                )
            )
        return SlotRoster(items=items, total=len(rows))

    def _ticket_id(self, needle: str, slot_id: int) -> int | None:
        """The registration a pasted ticket code stands for, when it is this slot's ticket."""
        if needle[:3].upper() != "OI1":
            return None
        try:
            claims = verify_ticket(self.core.ticket_keys.public_key_b64(), needle)
        except InvalidTicket:
            return 0  # a ticket code that is not genuine finds nobody
        return claims.ticket_id if claims.slot_id == slot_id else 0

    async def move_targets(self, registration_id: int) -> list[SlotRead]:
        """Slots a party may be moved to: other dates of its program, and the same enterprise's
        other programs in its series; scheduled and not yet started."""
        async with transaction(self.session):
            registration = await self._registration(registration_id)
            source = await self.catalog.slot(registration.slot_id)
            found = list(
                (
                    await self.catalog.slots(SlotFilter(program_id=source.program_id, limit=200))
                ).items
            )
            if source.series_id is not None:
                same_series = SlotFilter(
                    series_id=source.series_id, enterprise_id=source.enterprise_id, limit=200
                )
                found += (await self.catalog.slots(same_series)).items
        now = clock.now()
        targets = {
            s.id: s
            for s in found
            if s.id != source.id
            and s.starts_at > now
            and rules.may_move(_placement(source), _placement(s))
        }
        return sorted(targets.values(), key=lambda s: (s.starts_at, s.id))

    # Adding and moving parties ------------------------------------------------------------------

    async def add(
        self, actor_id: int, slot_id: int, data: StaffRegistrationCreate
    ) -> StaffRegistrationRead:
        """Register someone by hand (a hotline call) with their companions. Seats are taken as in
        self-service, never past capacity; a full slot gives a waitlist place only if asked."""
        if not data.consent_confirmed:
            raise ConsentRequired(
                "Спросите согласие на обработку персональных данных и отметьте его."
            )
        try:
            async with transaction(self.session):
                slot = await self._bookable(slot_id)
                user_id, created = await self.accounts.find_or_create_participant(data.person)
                guests = [
                    CompanionInput(name=g.name, birth_date=g.birth_date) for g in data.companions
                ]
                companions = await self.accounts.add_companions(user_id, guests)
                party = [
                    PartyMember(companion_id=c.id, name=c.name, birth_date=c.birth_date)
                    for c in companions
                ]
                self._check_party(await self.accounts.booking_profile(user_id), slot, party)
                await self._check_calendar(user_id, slot)
                party_size = 1 + len(party)
                status = await self._take_or_queue(slot, party_size, data.waitlist_ok)
                registration = self._new(slot, user_id, status, party_size, party)
                self.session.add(registration)
                await self.session.flush()
                await self._after_booking(registration, slot)
                await self.core._tell(registration, f"registration.{status.value}")
                await self.audit.record(
                    actor_id,
                    "registration.added",
                    subject_type="registration",
                    subject_id=registration.id,
                    after={
                        "slot_id": slot.id,
                        "user_id": user_id,
                        "status": status.value,
                        "party_size": party_size,
                        "account_created": created,
                        "consent": "confirmed_by_staff",
                    },
                )
                read = await self.core._read(registration)
                return StaffRegistrationRead(
                    **read.model_dump(), user_id=user_id, account_created=created
                )
        except IntegrityError:
            # The partial unique index: the person got a place in this slot meanwhile.
            raise AlreadyRegistered("Этот человек уже записан на эту экскурсию.") from None

    async def move(
        self, actor_id: int, registration_id: int, data: RegistrationMove
    ) -> MovedRegistrationRead:
        """Move a party to another slot, all or nothing: seats in the target by the same
        conditional UPDATE as self-service (never oversold), the source's seats to its waitlist,
        a new ticket while the old registration (and its ticket) is cancelled, the person told."""
        try:
            async with transaction(self.session):
                old = await self._registration(registration_id)
                was = old.status
                now = clock.now()
                if was not in MOVABLE or now >= old.slot_starts_at:
                    raise NotMovable("Эту запись уже нельзя перенести.")
                if data.slot_id == old.slot_id:
                    raise MoveNotAllowed("Запись уже на этой экскурсии.", code="same_slot")
                source = await self.catalog.slot(old.slot_id)
                target = await self._bookable(data.slot_id)
                if not rules.may_move(_placement(source), _placement(target)):
                    raise MoveNotAllowed(
                        "Перенести можно на другую дату той же программы или на другую программу "
                        "того же предприятия в этой серии."
                    )
                party = [PartyMember.model_validate(c) for c in old.companions]
                self._check_party(await self.accounts.booking_profile(old.user_id), target, party)
                await self._check_calendar(old.user_id, target, moving=old.id)
                # The old registration changes first: its row lock keeps a parallel cancel or
                # move of the same party from succeeding too.
                if not await repo.move(
                    self.session,
                    old.id,
                    [was],
                    status=S.CANCELLED,
                    cancelled_at=now,
                    cancel_reason="moved",
                ):
                    raise NotMovable("Запись изменилась, обновите страницу.")
                held = was in HOLDING_SEATS
                status = await self._swap_seats(
                    source.id if held else None, target, old.party_size, data.waitlist_ok
                )
                new = self._new(target, old.user_id, status, old.party_size, party)
                self.session.add(new)
                await self.session.flush()
                await self._after_booking(new, target)
                if held:
                    await self.core._seat_waiting(source.id)
                await self.core._tell(new, "registration.moved", essential=True)
                await self.audit.record(
                    actor_id,
                    "registration.moved",
                    subject_type="registration",
                    subject_id=old.id,
                    before={"registration_id": old.id, "slot_id": source.id, "status": was.value},
                    after={"registration_id": new.id, "slot_id": target.id, "status": status.value},
                )
                read = await self.core._read(new)
                return MovedRegistrationRead(**read.model_dump(), moved_from=old.id)
        except IntegrityError:
            raise AlreadyRegistered("Этот человек уже записан на ту экскурсию.") from None

    async def _bookable(self, slot_id: int) -> SlotRead:
        slot = await self.catalog.slot(slot_id)
        if slot.status is SlotStatus.CANCELLED:
            raise SlotCancelled("Эта экскурсия отменена.")
        if clock.now() >= slot.starts_at:
            raise SlotStarted("Эта экскурсия уже началась.")
        return slot

    def _check_party(
        self, profile: BookingProfile, slot: SlotRead, party: list[PartyMember]
    ) -> None:
        # Staff decide on windows, tasks and series limits; the factory's own rules hold.
        check_site_rules(
            profile,
            slot,
            party,
            no_document="Это режимное предприятие: человек должен заранее указать данные "
            "документа в профиле.",
        )

    async def _check_calendar(
        self, user_id: int, slot: SlotRead, *, moving: int | None = None
    ) -> None:
        active = [r for r in await repo.active_of_user(self.session, user_id) if r.id != moving]
        if any(r.slot_id == slot.id for r in active):
            raise AlreadyRegistered("Этот человек уже записан на эту экскурсию.")
        bookings = [
            rules.Booking(r.slot_id, r.series_id, r.slot_starts_at, r.slot_ends_at) for r in active
        ]
        if rules.conflicting(
            bookings, slot_id=slot.id, starts_at=slot.starts_at, ends_at=slot.ends_at
        ):
            raise TimeConflict("В это время у человека уже есть другая экскурсия.")

    async def _take_or_queue(
        self, slot: SlotRead, party_size: int, waitlist_ok: bool
    ) -> RegistrationStatus:
        if await self.catalog.take_seats(slot.id, party_size):
            return S.CONFIRMED
        if waitlist_ok:
            return S.WAITLISTED
        raise SoldOut(
            "Мест не хватает. Можно поставить в лист ожидания.",
            details={"seats_left": slot.seats_left, "party_size": party_size},
        )

    async def _swap_seats(
        self, source_id: int | None, target: SlotRead, seats: int, waitlist_ok: bool
    ) -> RegistrationStatus:
        # Both slot rows are updated in id order, so two moves in opposite directions queue for
        # each other instead of deadlocking. A refusal rolls the release back with the rest.
        if source_id is not None and source_id < target.id:
            await self.catalog.release_seats(source_id, seats)
            return await self._take_or_queue(target, seats, waitlist_ok)
        status = await self._take_or_queue(target, seats, waitlist_ok)
        if source_id is not None:
            await self.catalog.release_seats(source_id, seats)
        return status

    def _new(
        self,
        slot: SlotRead,
        user_id: int,
        status: RegistrationStatus,
        party_size: int,
        party: list[PartyMember],
    ) -> Registration:
        return Registration(
            slot_id=slot.id,
            user_id=user_id,
            status=status,
            party_size=party_size,
            companions=[m.model_dump(mode="json") for m in party],
            series_id=slot.series_id,
            slot_starts_at=slot.starts_at,
            slot_ends_at=slot.ends_at,
            confirmed_at=clock.now() if status is S.CONFIRMED else None,
        )

    async def _after_booking(self, registration: Registration, slot: SlotRead) -> None:
        if slot.requirements.id_document:
            # The security desk needs the ID data until the visit; it goes some days after.
            await self.accounts.keep_id_document_for(registration.user_id, slot.ends_at)

    async def _registration(self, registration_id: int) -> Registration:
        registration = await repo.by_id(self.session, registration_id)
        if registration is None:
            raise RegistrationNotFound("Запись не найдена.")
        return registration

    # Cancelling ----------------------------------------------------------------------------------

    async def cancel(self, actor_id: int, registration_id: int) -> RegistrationRead:
        """Cancel someone's registration: seats go back, the waitlist moves, the person is told."""
        async with transaction(self.session):
            registration = await self._registration(registration_id)
            was = registration.status
            if was not in ACTIVE:
                raise NotCancellable("Эта запись уже не активна.")
            if not await repo.move(
                self.session,
                registration.id,
                [was],
                status=S.CANCELLED,
                cancelled_at=clock.now(),
                cancel_reason="organizer",
            ):
                raise NotCancellable("Запись изменилась, обновите страницу.")
            if was in HOLDING_SEATS:
                await self.catalog.release_seats(registration.slot_id, registration.party_size)
                await self.core._seat_waiting(registration.slot_id)
            await self.core._tell(
                registration, "registration.cancelled_by_organizer", essential=True
            )
            await self.audit.record(
                actor_id,
                "registration.cancelled",
                subject_type="registration",
                subject_id=registration.id,
                before={"status": was.value},
                after={"status": S.CANCELLED.value, "cancel_reason": "organizer"},
            )
            await self.session.refresh(registration)
            return await self.core._read(registration)


def _placement(slot: SlotRead) -> rules.Placement:
    return rules.Placement(slot.program_id, slot.enterprise_id, slot.series_id)
