"""What every quest use case shares: loading a task, its window, completing it and paying."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.quests import repository as repo
from openindustry.quests import rules
from openindustry.quests.errors import TaskClosed, TaskNotFound
from openindustry.quests.models import Task, TaskKind
from openindustry.rewards.service import RewardsService


class QuestsBase:
    session: AsyncSession
    settings: Settings
    rewards: RewardsService

    async def _task(self, task_id: int, kind: TaskKind | None = None) -> Task:
        task = await repo.task(self.session, task_id)
        if task is None or (kind is not None and task.kind is not kind):
            raise TaskNotFound("Задание не найдено.")
        return task

    @staticmethod
    def _check_open(task: Task, now: datetime) -> None:
        state = rules.availability(now, task.opens_at, task.closes_at)
        if state is rules.Availability.NOT_OPEN:
            raise TaskClosed("Задание ещё не началось.", details={"opens_at": _iso(task.opens_at)})
        if state is rules.Availability.CLOSED:
            raise TaskClosed(
                "Задание уже закончилось.", details={"closes_at": _iso(task.closes_at)}
            )

    async def _complete(
        self,
        task: Task,
        user_id: int,
        now: datetime,
        *,
        attempt_id: int | None = None,
        slot_id: int | None = None,
    ) -> int | None:
        """Mark the task done and pay for it, in the caller's transaction.

        Returns the points paid, or None when the task was done already: the completion's unique
        key decides, so two concurrent completions pay once.
        """
        new = await repo.insert_completion(
            self.session, task.id, user_id, now=now, attempt_id=attempt_id, slot_id=slot_id
        )
        if not new:
            return None
        paid = 0
        if task.points and await self.rewards.award(
            user_id,
            task.points,
            reason="task",
            ref_type="task",
            ref_id=task.id,
            series_id=task.series_id,
        ):
            paid = task.points
        await self._pay_referrer(user_id, now)
        return paid

    async def _pay_referrer(self, invitee_id: int, now: datetime) -> None:
        """The one who invited this person earns once, on the person's first completed task
        (the ledger's unique key on the invitee's id makes later tasks pay nothing)."""
        referrer_id = await repo.referrer_of(self.session, invitee_id)
        if referrer_id is None:
            return
        referral_tasks = await repo.open_tasks(self.session, TaskKind.REFERRAL, now)
        if not referral_tasks:
            return
        task = referral_tasks[0]
        if task.points:
            await self.rewards.award(
                referrer_id,
                task.points,
                reason="referral",
                ref_type="user",
                ref_id=invitee_id,
                series_id=task.series_id,
            )
        await repo.insert_completion(self.session, task.id, referrer_id, now=now)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
