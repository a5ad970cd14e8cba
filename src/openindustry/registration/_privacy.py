"""A person's registrations in their data download, and what becomes of them when they delete
their account: upcoming ones are cancelled as the person would cancel them (seats go back, the
waitlist moves), and every one is anonymised — kept for the statistics (slot, party size, status,
times), without names, birth dates or the client's idempotency key.

Part of RegistrationService (as a mixin, so the long service module does not grow).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Protocol

from openindustry.catalog.schemas import SlotRead
from openindustry.kit import clock
from openindustry.kit.tx import transaction
from openindustry.registration import repository as repo
from openindustry.registration.models import ACTIVE, Registration
from openindustry.registration.schemas import PartyMember, RegistrationRecord

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from openindustry.accounts.service import AccountsService
    from openindustry.catalog.service import CatalogService
    from openindustry.config import Settings
    from openindustry.registration.schemas import RegistrationRead


class AgeBuckets(Protocol):
    """How ages are coarsened for the statistics (the statistics domain defines the groups)."""

    def group(self, birth_date: date | None, day: date) -> str:
        """The age group of someone born on `birth_date`, on `day`."""
        ...

    def stand_in(self, birth_date: date, day: date) -> date:
        """A birth date that falls in the same age group on `day` and tells nothing more."""
        ...


class PersonalDataMixin:
    session: AsyncSession
    settings: Settings
    catalog: CatalogService
    accounts: AccountsService

    if TYPE_CHECKING:

        async def cancel(self, user_id: int, registration_id: int) -> RegistrationRead: ...

    async def export_person(self, user_id: int) -> list[RegistrationRecord]:
        """Every registration of the person, newest first: whom they chose, what came of it."""
        async with transaction(self.session):
            rows = await repo.of_user(self.session, user_id)
            slots: dict[int, SlotRead] = {}
            for row in rows:
                if row.slot_id not in slots:
                    slots[row.slot_id] = await self.catalog.slot(row.slot_id)
            return [_record(r, slots[r.slot_id]) for r in rows]

    async def upcoming(self, user_id: int) -> list[int]:
        """Ids of the person's active registrations for slots that have not started."""
        async with transaction(self.session):
            now = clock.now()
            return [
                r.id
                for r in await repo.of_user(self.session, user_id)
                if r.status in ACTIVE and r.slot_starts_at > now
            ]

    async def cancel_upcoming(self, user_id: int) -> int:
        """Cancel the person's registrations for slots that have not started, through the
        participant's own cancel (held seats go back, the waitlist moves); returns how many."""
        async with transaction(self.session):
            upcoming = await self.upcoming(user_id)
            for registration_id in upcoming:
                await self.cancel(user_id, registration_id)
            return len(upcoming)

    async def anonymise_person(self, user_id: int, buckets: AgeBuckets) -> list[int]:
        """Strip the person from their registrations: companions lose their names and keep only
        a stand-in birth date of the same age group, the participant's age group on the day is
        kept in place of their birth date. Returns the ids of the registrations changed."""
        async with transaction(self.session):
            born = (await self.accounts.booking_profile(user_id)).birth_date
            rows = await repo.of_user(self.session, user_id)
            for registration in rows:
                day = registration.slot_starts_at.astimezone(self.settings.tz).date()
                # Kept if already there: a second pass has no birth date left to read.
                registration.participant_age_group = registration.participant_age_group or (
                    buckets.group(born, day)
                )
                registration.companions = [
                    _anonymous_member(member, day, buckets) for member in registration.companions
                ]
                registration.idempotency_key = None
            await self.session.flush()
            return [r.id for r in rows]


def _anonymous_member(member: dict[str, Any], day: date, buckets: AgeBuckets) -> dict[str, Any]:
    born = date.fromisoformat(member["birth_date"])
    return {"companion_id": 0, "name": "", "birth_date": buckets.stand_in(born, day).isoformat()}


def _record(registration: Registration, slot: SlotRead) -> RegistrationRecord:
    return RegistrationRecord(
        id=registration.id,
        slot_id=registration.slot_id,
        title=slot.title,
        enterprise_name=slot.enterprise_name,
        starts_at=slot.starts_at,
        status=registration.status,
        party_size=registration.party_size,
        companions=[PartyMember.model_validate(c) for c in registration.companions],
        created_at=registration.created_at,
        confirmed_at=registration.confirmed_at,
        cancelled_at=registration.cancelled_at,
        cancel_reason=registration.cancel_reason,
        late_cancellation=registration.late_cancellation,
        attended_at=registration.attended_at,
        no_show=registration.no_show,
    )
