"""Which series and slots a task gates: their `required_tasks`, changed from the task's side.

The lists belong to the catalog (a series' and a slot's own); the changes go through the catalog
service and registration's staff service, so each lands in the audit log as `series.updated` or
`slot.updated` in the same transaction as the task itself.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from openindustry.catalog.schemas import SeriesRead, SeriesUpdate, SlotFilter, SlotRead, SlotUpdate
from openindustry.catalog.service import CatalogService
from openindustry.kit.tx import transaction
from openindustry.quests._common import QuestsBase
from openindustry.quests.errors import TooManyRequiredTasks
from openindustry.quests.schemas import TaskGates
from openindustry.registration.staff import StaffRegistrations

MAX_REQUIRED_TASKS = 20  # catalog's schemas cap a series' or slot's list at this length
_SLOT_PAGE = 200


def _own(slot: SlotRead, series_tasks: Mapping[int, Sequence[int]]) -> list[int]:
    # SlotRead lists the series' tasks and the slot's own together; the slot's own are the
    # rest. (A task listed on both counts as the series'; it gates the slot either way.)
    inherited = series_tasks.get(slot.series_id, ()) if slot.series_id else ()
    return [t for t in slot.required_tasks if t not in inherited]


def _toggled(current: Sequence[int], task_id: int, wanted: bool) -> list[int] | None:
    """The new list, or None when it already says what is wanted."""
    if (task_id in current) == wanted:
        return None
    if not wanted:
        return [t for t in current if t != task_id]
    if len(current) >= MAX_REQUIRED_TASKS:
        raise TooManyRequiredTasks(
            "Для записи уже нужно слишком много заданий.",
            details={"limit": MAX_REQUIRED_TASKS},
        )
    return [*current, task_id]


class GatesMixin(QuestsBase):
    async def task_gates(self, task_id: int) -> TaskGates:
        """The series, and the slots not yet over, that require this task themselves."""
        async with transaction(self.session):
            task = await self._task(task_id)
            catalog = CatalogService(self.session, self.settings.tz)
            all_series = await catalog.series_list()
            series_tasks = {s.id: s.required_tasks for s in all_series}
            slots = await _upcoming(catalog)
            return TaskGates(
                series_ids=[s.id for s in all_series if task.id in s.required_tasks],
                slot_ids=[s.id for s in slots if task.id in _own(s, series_tasks)],
            )

    async def set_task_gates(
        self, task_id: int, gates: TaskGates, *, actor_id: int | None = None
    ) -> None:
        """Make exactly these series and slots (among those not over) require the task."""
        async with transaction(self.session):
            task = await self._task(task_id)
            await self._set_gates(task.id, gates, actor_id)

    async def _set_gates(self, task_id: int, gates: TaskGates, actor_id: int | None) -> None:
        """Make exactly these series and slots (among those not over) require the task."""
        catalog = CatalogService(self.session, self.settings.tz)
        all_series: list[SeriesRead] = await catalog.series_list()
        known = {s.id for s in all_series}
        for series_id in gates.series_ids:
            if series_id not in known:
                await catalog.series(series_id)  # raises series_not_found
        # Slots are read before any series changes: their own lists are told apart from the
        # series' by the series' lists as they are now.
        series_tasks = {s.id: s.required_tasks for s in all_series}
        slots = {s.id: s for s in await _upcoming(catalog)}
        for slot_id in gates.slot_ids:
            if slot_id not in slots:
                slots[slot_id] = await catalog.slot(slot_id)  # raises slot_not_found
        slot_changes: dict[int, list[int]] = {}
        for slot in slots.values():
            own = _toggled(_own(slot, series_tasks), task_id, slot.id in gates.slot_ids)
            if own is not None:
                slot_changes[slot.id] = own
        for series in all_series:
            wanted = series.id in gates.series_ids
            if (new := _toggled(series.required_tasks, task_id, wanted)) is not None:
                await catalog.update_series(
                    series.id, SeriesUpdate(required_tasks=new), actor_id=actor_id
                )
        registrations = StaffRegistrations(self.session, self.settings)
        for slot_id, new in slot_changes.items():
            await registrations.change_slot(
                slot_id, SlotUpdate(required_tasks=new), actor_id=actor_id
            )


async def _upcoming(catalog: CatalogService) -> list[SlotRead]:
    """Every slot not yet over (the catalog's default listing), page by page."""
    found: list[SlotRead] = []
    while True:
        page = await catalog.slots(SlotFilter(limit=_SLOT_PAGE, offset=len(found)))
        found.extend(page.items)
        if not page.items or len(found) >= page.total:
            return found
