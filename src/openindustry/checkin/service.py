"""Check-in use cases: the gate's scan, the offline kit and sync, guest lists and exports.

A check-in is one transaction: the attendance mark (a conditional UPDATE, so it happens once),
the attendance task and its points, and the scan row (unique per scanner and nonce, so a replayed
scan answers the same). Hosts act only for their own enterprises' slots.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.audit.service import AuditService
from openindustry.catalog.schemas import SlotRead
from openindustry.checkin import exports, rules
from openindustry.checkin import repository as repo
from openindustry.checkin.errors import (
    NotConfirmed,
    SlotNotHosted,
    TicketCancelled,
    WrongDay,
    WrongEnterprise,
    WrongSlot,
)
from openindustry.checkin.models import CheckinScan
from openindustry.checkin.schemas import (
    CheckinKit,
    CheckinRequest,
    CheckinResult,
    Guest,
    GuestList,
    IdDocumentShown,
    KitGuest,
    Member,
    OfflineScan,
    ScanError,
    SyncItem,
    SyncResult,
)
from openindustry.config import Settings
from openindustry.kit import clock
from openindustry.kit.auth import Principal
from openindustry.kit.errors import AppError
from openindustry.kit.tx import transaction
from openindustry.quests.service import QuestsService
from openindustry.registration.models import Registration, RegistrationStatus
from openindustry.registration.service import RegistrationService
from openindustry.registration.tickets import InvalidTicket, verify_ticket

S = RegistrationStatus
GUEST_STATUSES = (S.CONFIRMED, S.OFFERED)
REVOKED = (S.CANCELLED, S.EXPIRED)


class CheckinService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.tz = settings.tz
        self.registrations = RegistrationService(session, settings)
        self.catalog = self.registrations.catalog
        self.accounts = self.registrations.accounts
        self.quests = QuestsService(session, settings)
        self.audit = AuditService(session, settings.tz)
        self.public_key = self.registrations.ticket_keys.public_key_b64()

    # The gate ----------------------------------------------------------------------------------

    async def checkin(
        self, principal: Principal, data: CheckinRequest, *, offline: bool = False
    ) -> CheckinResult:
        """Validate a ticket and mark attendance once; a replayed scan id gets the first answer."""
        try:
            async with transaction(self.session):
                return await self._checkin(principal, data, offline=offline)
        except IntegrityError:
            # A twin request with the same scan id committed while this one ran.
            if data.scan_id is None:
                raise
            async with transaction(self.session):
                earlier = await repo.scan(self.session, principal.user_id, data.scan_id)
                if earlier is None:
                    raise
                return CheckinResult.model_validate(earlier.result)

    async def _checkin(
        self, principal: Principal, data: CheckinRequest, *, offline: bool
    ) -> CheckinResult:
        if data.scan_id:
            earlier = await repo.scan(self.session, principal.user_id, data.scan_id)
            if earlier is not None:
                return CheckinResult.model_validate(earlier.result)
        claims = verify_ticket(self.public_key, data.ticket_code)
        registration = await self.registrations.registration(claims.ticket_id)
        if (
            registration is None
            or registration.slot_id != claims.slot_id
            or registration.party_size != claims.party_size
        ):
            # Genuinely signed but stale (the party moved to another slot) or unknown here.
            raise InvalidTicket
        slot = await self.catalog.slot(registration.slot_id)
        if not principal.can_host(slot.enterprise_id):
            raise WrongEnterprise("Этот билет — на экскурсию другого предприятия.")
        if data.slot_id is not None and data.slot_id != slot.id:
            raise WrongSlot(
                f"Билет на другую экскурсию: {slot.starts_at.astimezone(self.tz):%d.%m в %H:%M}.",
                details={"slot_id": slot.id},
            )
        if registration.status in REVOKED:
            raise TicketCancelled("Запись отменена, билет недействителен.")
        if registration.status is not S.CONFIRMED:
            raise NotConfirmed("Запись не подтверждена, билет пока недействителен.")
        now = clock.now()
        scanned_at = min(data.offline_at, now) if data.offline_at else now
        if not rules.same_day(slot.starts_at, scanned_at, self.tz):
            raise WrongDay(
                f"Билет на {slot.starts_at.astimezone(self.tz):%d.%m.%Y}, не на этот день.",
                details={"slot_id": slot.id},
            )
        first = await self.registrations.mark_attended(registration.id, scanned_at)
        await self.session.refresh(registration)
        if first:
            await self.quests.record_attendance(
                registration.user_id,
                slot_id=slot.id,
                series_id=slot.series_id,
                enterprise_id=slot.enterprise_id,
            )
        checked_in_at = registration.attended_at or scanned_at
        profile = await self.accounts.booking_profile(registration.user_id)
        day = slot.starts_at.astimezone(self.tz).date()
        result = CheckinResult(
            registration_id=registration.id,
            slot_id=slot.id,
            name=profile.name,
            party_size=registration.party_size,
            members=_members(profile.name, profile.birth_date, registration, day),
            status=registration.status.value,
            checked_in_at=checked_in_at,
            already_checked_in=not first,
            message="Проходите!" if first else rules.already_message(checked_in_at, self.tz),
            offline=offline or data.offline_at is not None,
            duplicate=not first,
            scan_id=data.scan_id,
        )
        if data.scan_id:
            await repo.add_scan(
                self.session,
                CheckinScan(
                    scan_id=data.scan_id,
                    scanned_by=principal.user_id,
                    registration_id=registration.id,
                    slot_id=slot.id,
                    scanned_at=scanned_at,
                    received_at=now,
                    offline=result.offline,
                    duplicate=result.duplicate,
                    result=result.model_dump(mode="json"),
                ),
            )
        return result

    async def sync(self, principal: Principal, scans: list[OfflineScan]) -> SyncResult:
        """Apply scans made offline, each on its own; double entries are reported, not hidden."""
        items = []
        for scan in scans:
            request = CheckinRequest(
                ticket_code=scan.ticket_code, scan_id=scan.scan_id, offline_at=scan.scanned_at
            )
            try:
                result = await self.checkin(principal, request, offline=True)
            except AppError as refusal:
                error = ScanError(code=refusal.code, message=refusal.message)
                items.append(SyncItem(scan_id=scan.scan_id, ok=False, error=error))
                continue
            items.append(
                SyncItem(scan_id=scan.scan_id, ok=True, duplicate=result.duplicate, result=result)
            )
        return SyncResult(
            items=items,
            checked_in=sum(i.ok and not i.duplicate for i in items),
            duplicates=sum(i.duplicate for i in items),
            refused=sum(not i.ok for i in items),
        )

    # Hosts' lists ------------------------------------------------------------------------------

    async def _hosted_slot(self, principal: Principal, slot_id: int) -> SlotRead:
        # Slots are public (GET /slots/{id}), so a 403 tells a foreign host nothing new; the
        # guests behind it stay hidden.
        slot = await self.catalog.slot(slot_id)
        if not principal.can_host(slot.enterprise_id):
            raise SlotNotHosted("Это экскурсия другого предприятия.")
        return slot

    async def guests(self, principal: Principal, slot_id: int) -> GuestList:
        """The slot's parties holding seats; ID data masked."""
        async with transaction(self.session):
            slot = await self._hosted_slot(principal, slot_id)
            return await self._guest_list(slot, full_id=False)

    async def export(self, principal: Principal, slot_id: int, kind: str) -> tuple[str, bytes]:
        """The security desk's file (csv or xlsx): full ID data only where the site requires it."""
        async with transaction(self.session):
            slot = await self._hosted_slot(principal, slot_id)
            guests = await self._guest_list(slot, full_id=True)
            body = (
                exports.guests_csv(guests, self.tz)
                if kind == "csv"
                else exports.guests_xlsx(guests, self.tz)
            )
            await self.audit.record(
                principal.user_id,
                "guests.exported",
                subject_type="slot",
                subject_id=slot.id,
                after={
                    "format": kind,
                    "parties": guests.total,
                    "people": guests.people,
                    "with_id_data": guests.requires_id_document,
                },
            )
        day = slot.starts_at.astimezone(self.tz)
        return f"guests-{slot.id}-{day:%Y%m%d-%H%M}.{kind}", body

    async def _guest_list(self, slot: SlotRead, *, full_id: bool) -> GuestList:
        day = slot.starts_at.astimezone(self.tz).date()
        requires_id = slot.requirements.id_document
        items = []
        for registration in await self.registrations.slot_registrations(slot.id):
            if registration.status not in GUEST_STATUSES:
                continue
            person = await self.accounts.me(registration.user_id)
            document = None
            if requires_id and person.id_document is not None:
                shown = person.id_document
                number = shown.masked_number
                if full_id:
                    plain = await self.accounts.id_document(registration.user_id)
                    number = plain.number if plain else number
                document = IdDocumentShown(
                    document_type=shown.document_type.value,
                    number=number,
                    full_name=shown.full_name,
                )
            items.append(
                Guest(
                    registration_id=registration.id,
                    name=person.name,
                    phone=person.phone,
                    party_size=registration.party_size,
                    members=_members(person.name, person.birth_date, registration, day),
                    status=registration.status.value,
                    checked_in_at=registration.attended_at,
                    no_show=registration.no_show,
                    id_document=document,
                )
            )
        return GuestList(
            slot_id=slot.id,
            title=slot.title,
            enterprise_name=slot.enterprise_name,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            requires_id_document=requires_id,
            items=items,
            total=len(items),
            people=sum(g.party_size for g in items),
        )

    async def forget_names(self, registration_ids: Sequence[int]) -> int:
        """Blank the names kept in the scans of these registrations (their participant deleted
        the account); the scans themselves stay, as the record of who came when."""
        async with transaction(self.session):
            scans = await repo.scans_of(self.session, registration_ids)
            for scan in scans:
                result = dict(scan.result)
                result["name"] = ""
                result["members"] = [{**m, "name": ""} for m in result.get("members", [])]
                scan.result = result
            await self.session.flush()
            return len(scans)

    async def kit(self, principal: Principal, slot_id: int) -> CheckinKit:
        """What a phone needs to check tickets offline: key, guests, revoked registrations."""
        async with transaction(self.session):
            slot = await self._hosted_slot(principal, slot_id)
            registrations = await self.registrations.slot_registrations(slot.id)
            holding = [r for r in registrations if r.status in GUEST_STATUSES]
            names = await self.accounts.names([r.user_id for r in holding])
            return CheckinKit(
                slot_id=slot.id,
                title=slot.title,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                public_key=self.public_key,
                guests=[
                    KitGuest(
                        registration_id=r.id,
                        name=names.get(r.user_id, ""),
                        party_size=r.party_size,
                        status=r.status.value,
                        checked_in_at=r.attended_at,
                    )
                    for r in holding
                ],
                revoked=[r.id for r in registrations if r.status in REVOKED],
                generated_at=clock.now(),
            )


def _members(
    name: str, birth_date: date | None, registration: Registration, day: date
) -> list[Member]:
    members = [Member(name=name, age=rules.age_on(birth_date, day))]
    for companion in registration.companions:
        born = date.fromisoformat(companion["birth_date"])
        members.append(Member(name=companion["name"], age=rules.age_on(born, day)))
    return members
