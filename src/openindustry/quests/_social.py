"""Tasks done by showing up: attendance at check-in, feedback after a visit, invites."""

from __future__ import annotations

from typing import NoReturn

from openindustry.accounts.errors import UserNotFound
from openindustry.accounts.service import AccountsService
from openindustry.kit import clock
from openindustry.kit.crypto import derive_key
from openindustry.kit.tx import transaction
from openindustry.quests import repository as repo
from openindustry.quests import rules
from openindustry.quests._common import QuestsBase
from openindustry.quests.errors import (
    AlreadyDone,
    FeedbackNotAllowed,
    InvalidReferral,
    ReferralRefused,
)
from openindustry.quests.models import TaskKind
from openindustry.quests.schemas import AttemptResult, ReferralRead
from openindustry.registration.service import RegistrationService

_REFUSALS = {
    "self_referral": "Нельзя пригласить самого себя.",
    "referral_loop": "Этот человек уже пришёл по вашему приглашению.",
    "referral_not_new": "Приглашение — для новых участников: вы присоединились раньше.",
    "referral_too_late": "Приглашение принимают до первого выполненного задания.",
    "already_referred": "Вы уже приняли приглашение.",
}


class SocialMixin(QuestsBase):
    async def record_attendance(
        self, user_id: int, *, slot_id: int, series_id: int | None, enterprise_id: int
    ) -> list[int]:
        """Complete every open attendance task this check-in satisfies; returns the newly
        completed task ids (a repeated check-in completes nothing twice)."""
        async with transaction(self.session):
            now = clock.now()
            done = []
            for task in await repo.open_tasks(self.session, TaskKind.ATTENDANCE, now):
                fits = rules.attendance_matches(
                    task.attendance_scope,
                    task.scope_id,
                    series_id=series_id,
                    enterprise_id=enterprise_id,
                )
                if fits and await self._complete(task, user_id, now, slot_id=slot_id) is not None:
                    done.append(task.id)
            return done

    async def leave_feedback(
        self, user_id: int, task_id: int, *, slot_id: int, rating: int, comment: str
    ) -> AttemptResult:
        """Feedback on a visited slot, once per person and slot (a unique key)."""
        async with transaction(self.session):
            task = await self._task(task_id, TaskKind.FEEDBACK)
            now = clock.now()
            self._check_open(task, now)
            registrations = RegistrationService(self.session, self.settings)
            if not await registrations.has_attended(user_id, slot_id):
                raise FeedbackNotAllowed("Отзыв можно оставить после посещения экскурсии.")
            feedback_id = await repo.insert_feedback(
                self.session,
                user_id=user_id,
                slot_id=slot_id,
                task_id=task.id,
                rating=rating,
                comment=comment.strip(),
                now=now,
            )
            if feedback_id is None:
                raise AlreadyDone("Отзыв об этой экскурсии уже оставлен.")
            points = await self._complete(task, user_id, now, slot_id=slot_id)
            return AttemptResult(
                attempt_id=feedback_id,
                task_id=task.id,
                score=None,
                max_score=None,
                passed=True,
                points=points or 0,
            )

    def _referral_key(self) -> bytes:
        return derive_key(self.settings.secret_key.get_secret_value(), "referral")

    async def referral(self, user_id: int) -> ReferralRead:
        """The person's invite code and link, how many came by it, who invited them."""
        code = rules.referral_code(self._referral_key(), user_id)
        async with transaction(self.session):
            invited = await repo.invited_count(self.session, user_id)
            referred_by = await repo.referrer_of(self.session, user_id)
        base = self.settings.public_base_url.rstrip("/")
        return ReferralRead(
            code=code, link=f"{base}/invite/{code}", invited=invited, referred_by=referred_by
        )

    async def accept_referral(self, user_id: int, code: str) -> ReferralRead:
        """Accept an invite once; never one's own, never in a loop, only as a newcomer."""
        referrer_id = rules.referral_user(self._referral_key(), code)
        if referrer_id is None:
            raise InvalidReferral("Такого кода приглашения нет.")
        async with transaction(self.session):
            try:
                await AccountsService(self.session, self.settings).me(referrer_id)
            except UserNotFound:
                raise InvalidReferral("Такого кода приглашения нет.") from None
            if await repo.referrer_of(self.session, user_id) is not None:
                _refuse("already_referred")
            chain = await self._chain(referrer_id)
            refusal = rules.referral_refusal(user_id, referrer_id, chain)
            if refusal is None and await repo.completed_any(self.session, user_id):
                refusal = "referral_too_late"
            if refusal is not None:
                _refuse(refusal)
            if not await repo.insert_referral(
                self.session, invitee_id=user_id, referrer_id=referrer_id, now=clock.now()
            ):
                _refuse("already_referred")
        return await self.referral(user_id)

    async def _chain(self, user_id: int) -> list[int]:
        """Who invited `user_id`, who invited them, and so on (ids only go down, so it ends)."""
        chain: list[int] = []
        current: int | None = user_id
        while current is not None and len(chain) < rules.MAX_REFERRAL_CHAIN:
            current = await repo.referrer_of(self.session, current)
            if current is not None:
                chain.append(current)
        return chain


def _refuse(code: str) -> NoReturn:
    raise ReferralRefused(_REFUSALS[code], code=code)
