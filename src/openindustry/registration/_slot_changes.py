"""Staff changes to a slot as a whole: capacity, times, cancellation, a message to everyone.

A mixin of `StaffRegistrations` (staff.py), kept apart so each module stays short.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.audit.service import AuditService, changed
from openindustry.catalog.models import SlotStatus
from openindustry.catalog.schemas import SlotRead, SlotUpdate
from openindustry.catalog.service import CatalogService, audit_fields
from openindustry.kit import clock
from openindustry.kit.tx import transaction
from openindustry.notifications.schemas import NotificationCreate
from openindustry.registration import repository as repo
from openindustry.registration.models import ACTIVE, HOLDING_SEATS, RegistrationStatus
from openindustry.registration.service import RegistrationService


class SlotChanges:
    session: AsyncSession
    core: RegistrationService
    catalog: CatalogService
    audit: AuditService

    # The slot as a whole ------------------------------------------------------------------------

    async def change_slot(
        self, slot_id: int, data: SlotUpdate, *, actor_id: int | None = None
    ) -> SlotRead:
        """An organizer's change: capacity moves the waitlist, cancellation cancels everyone."""
        async with transaction(self.session):
            before = await self.catalog.slot(slot_id)
            if data.capacity is not None:
                await self.catalog.set_capacity(slot_id, data.capacity)
            slot = await self.catalog.update_slot(slot_id, data)
            await repo.set_slot_times(self.session, slot_id, slot.starts_at, slot.ends_at)
            if slot.status is SlotStatus.CANCELLED:
                await self._cancel_everyone(slot_id)
            else:
                await self.core._seat_waiting(slot_id)
            after = await self.catalog.slot(slot_id)
            moved = (before.starts_at, before.meeting_point) != (
                after.starts_at,
                after.meeting_point,
            )
            if moved and after.status is not SlotStatus.CANCELLED:
                # People must hear of a new time or meeting point: an essential message.
                for registration in await repo.reachable(
                    self.session, slot_id=slot_id, series_id=None
                ):
                    await self.core._tell(registration, "registration.slot_changed", essential=True)
            was, now = changed(audit_fields(before), audit_fields(after))
            cancelled = (
                after.status is SlotStatus.CANCELLED and before.status is not SlotStatus.CANCELLED
            )
            await self.audit.record(
                actor_id,
                "slot.cancelled" if cancelled else "slot.updated",
                subject_type="slot",
                subject_id=slot_id,
                before=was,
                after=now,
            )
            return after

    async def _cancel_everyone(self, slot_id: int) -> None:
        now = clock.now()
        for registration in await repo.of_slot(self.session, slot_id, ACTIVE):
            # Read before the move: the UPDATE also changes the loaded object's status.
            held = registration.status in HOLDING_SEATS
            moved = await repo.move(
                self.session,
                registration.id,
                [registration.status],
                status=RegistrationStatus.CANCELLED,
                cancelled_at=now,
                cancel_reason="slot_cancelled",
            )
            if moved and held:
                await self.catalog.release_seats(slot_id, registration.party_size)
            if moved:
                await self.core._tell(registration, "registration.slot_cancelled", essential=True)

    async def message_registrants(
        self,
        actor_id: int | None,
        text: str,
        *,
        slot_id: int | None = None,
        series_id: int | None = None,
    ) -> int:
        """An organizer's message to everyone registered for a slot or a series, through the
        outbox; returns how many were written."""
        async with transaction(self.session):
            if slot_id is not None:
                await self.catalog.slot(slot_id)  # 404 for an unknown slot
            if series_id is not None:
                await self.catalog.series(series_id)
            registrations = await repo.reachable(self.session, slot_id=slot_id, series_id=series_id)
            await self.core.outbox.enqueue(
                NotificationCreate(
                    user_id=r.user_id,
                    kind="organizer.message",
                    payload={"registration_id": r.id, "slot_id": r.slot_id, "text": text},
                )
                for r in registrations
            )
            subject_type, subject_id = ("slot", slot_id) if slot_id else ("series", series_id)
            await self.audit.record(
                actor_id,
                f"{subject_type}.messaged",
                subject_type=subject_type,
                subject_id=subject_id or 0,
                after={"recipients": len(registrations), "text": text},
            )
            return len(registrations)
