"""Quest use cases: tasks, quiz attempts, code words, attendance, feedback, referrals.

Each public method is one transaction (joining the caller's, if any). Completing a task and paying
for it happen in the same transaction, and the completion's unique key makes a task pay once.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.audit.service import AuditService, changed
from openindustry.catalog.schemas import Page
from openindustry.catalog.service import CatalogService
from openindustry.config import Settings
from openindustry.draws.schemas import DrawRead
from openindustry.kit import clock
from openindustry.kit.tx import transaction
from openindustry.quests import repository as repo
from openindustry.quests import rules
from openindustry.quests._gates import GatesMixin
from openindustry.quests._quiz import DEFAULT_CODE_WORD_ATTEMPTS, QuizMixin
from openindustry.quests._social import SocialMixin
from openindustry.quests.errors import InvalidAnswers, InvalidTask, NotSubmittable, TaskHasAttempts
from openindustry.quests.models import AttendanceScope, Task, TaskKind
from openindustry.quests.schemas import (
    AttemptInput,
    AttemptRecord,
    AttemptResult,
    AttemptStarted,
    CompletionRecord,
    FeedbackRecord,
    OptionAdminRead,
    PrizeDrawRequest,
    QuestionAdminRead,
    QuestsExport,
    TaskAdminRead,
    TaskCreate,
    TaskGates,
    TaskProgress,
    TaskRead,
    TaskUpdate,
)
from openindustry.rewards.service import RewardsService

# Which fields of an attempt body each kind reads.
_FIELDS = {
    TaskKind.QUIZ: {"start", "answers"},
    TaskKind.CODE_WORD: {"code_word"},
    TaskKind.FEEDBACK: {"slot_id", "rating", "comment"},
}


class QuestsService(QuizMixin, SocialMixin, GatesMixin):
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.rewards = RewardsService(session, settings)

    # Gating (registration's TaskProgress) -------------------------------------------------------

    async def completed(self, user_id: int, task_ids: Sequence[int]) -> set[int]:
        """Which of these tasks the person has done (a quiz counts once passed)."""
        if not task_ids:
            return set()
        async with transaction(self.session):
            return await repo.completed(self.session, user_id, list(task_ids))

    # Reading ------------------------------------------------------------------------------------

    async def tasks(
        self,
        user_id: int | None = None,
        *,
        kind: TaskKind | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> Page[TaskRead]:
        """Tasks with the caller's progress on each (none for an anonymous caller)."""
        async with transaction(self.session):
            found, total = await repo.tasks(self.session, kind=kind, limit=limit, offset=offset)
            items = await self._reads(found, user_id)
        return Page(items=items, total=total, limit=limit, offset=offset)

    async def task(self, task_id: int, user_id: int | None = None) -> TaskRead:
        async with transaction(self.session):
            return (await self._reads([await self._task(task_id)], user_id))[0]

    async def _reads(self, found: Sequence[Task], user_id: int | None) -> list[TaskRead]:
        ids = [t.id for t in found]
        counts = await repo.question_counts(self.session, ids) if ids else {}
        done: set[int] = set()
        stats: dict[int, tuple[int, int | None, int | None]] = {}
        if user_id is not None and ids:
            done = await repo.completed(self.session, user_id, ids)
            stats = await repo.attempt_stats(self.session, user_id, ids)
        now = clock.now()
        reads = []
        for task in found:
            progress = None
            if user_id is not None:
                used, best, open_id = stats.get(task.id, (0, None, None))
                progress = TaskProgress(
                    done=task.id in done,
                    attempts_used=used,
                    attempts_left=rules.attempts_left(used, task.max_attempts),
                    best_score=best,
                    open_attempt_id=open_id,
                )
            reads.append(_read(task, counts.get(task.id, 0), now, progress))
        return reads

    # Doing --------------------------------------------------------------------------------------

    async def attempt(
        self, user_id: int, task_id: int, body: AttemptInput
    ) -> AttemptStarted | AttemptResult:
        """One entry for every kind: start or submit a quiz, try a code word, leave feedback."""
        async with transaction(self.session):
            task = await self._task(task_id)
        allowed = _FIELDS.get(task.kind)
        if allowed is None:
            raise NotSubmittable(
                "Это задание выполняется само: отметкой на экскурсии или приглашением."
            )
        extra = body.fields_given() - allowed
        if extra:
            raise InvalidAnswers(
                "Эти поля не относятся к заданию такого вида.",
                code="invalid_attempt",
                details={"unexpected": sorted(extra)},
            )
        if task.kind is TaskKind.QUIZ:
            if body.answers is None:
                return await self.start_attempt(user_id, task_id)
            return await self.submit_attempt(user_id, task_id, body.answers)
        if task.kind is TaskKind.CODE_WORD:
            if body.code_word is None:
                raise _missing("code_word")
            return await self.submit_code_word(user_id, task_id, body.code_word)
        if body.slot_id is None or body.rating is None:
            raise _missing("slot_id", "rating")
        return await self.leave_feedback(
            user_id, task_id, slot_id=body.slot_id, rating=body.rating, comment=body.comment
        )

    async def quiz_passers(self, task_id: int, min_score: int | None = None) -> list[int]:
        """People whose attempt started in the quiz's window scored at least `min_score`
        (the pass threshold by default): the entrants of a prize draw."""
        async with transaction(self.session):
            task = await self._task(task_id, TaskKind.QUIZ)
            threshold = min_score if min_score is not None else task.pass_threshold or 0
            return await repo.quiz_passers(
                self.session, task.id, threshold, task.opens_at, task.closes_at
            )

    async def draw_prize(
        self, prize_id: int, data: PrizeDrawRequest, *, actor_id: int | None = None
    ) -> DrawRead:
        """Draw a prize among a quiz's passers or a leaderboard's top, by the fair machinery."""
        async with transaction(self.session):
            if data.task_id is not None:
                entrants = await self.quiz_passers(data.task_id, data.min_score)
            else:
                board = await self.rewards.leaderboard(
                    series_id=data.series_id, limit=data.leaderboard_top or 1
                )
                entrants = [item.user_id for item in board.items]
            return await self.rewards.run_prize_draw(
                prize_id, entrants, data.winners, actor_id=actor_id
            )

    # A person's own data (the privacy domain calls these) --------------------------------------

    async def export_person(self, user_id: int) -> QuestsExport:
        """The person's tries, tasks done, feedback and invite, oldest first."""
        async with transaction(self.session):
            attempts = await repo.attempts_of(self.session, user_id)
            completions = await repo.completions_of(self.session, user_id)
            feedback = await repo.feedback_of(self.session, user_id)
            return QuestsExport(
                attempts=[
                    AttemptRecord(
                        task_id=a.task_id,
                        task_title=title,
                        number=a.number,
                        started_at=a.started_at,
                        submitted_at=a.submitted_at,
                        score=a.score,
                        max_score=a.max_score,
                        passed=a.passed,
                    )
                    for a, title in attempts
                ],
                completions=[
                    CompletionRecord(task_id=c.task_id, completed_at=c.completed_at)
                    for c in completions
                ],
                feedback=[
                    FeedbackRecord(
                        slot_id=f.slot_id,
                        rating=f.rating,
                        comment=f.comment,
                        created_at=f.created_at,
                    )
                    for f in feedback
                ],
                referral=await self.referral(user_id),
            )

    async def forget_person(self, user_id: int) -> int:
        """Blank the free text the person wrote (feedback comments may name anyone); ratings,
        attempts and completions stay, tied only to the emptied account. Returns how many."""
        async with transaction(self.session):
            return await repo.blank_feedback(self.session, user_id)

    # Organizers ---------------------------------------------------------------------------------

    async def create_task(
        self, data: TaskCreate, *, actor_id: int | None = None, gates: TaskGates | None = None
    ) -> TaskAdminRead:
        """Create a task (and, when `gates` is given, make those series and slots require it)."""
        async with transaction(self.session):
            await self._check_series(data.series_id)
            fields = data.model_dump(exclude={"questions"})
            if data.kind is TaskKind.QUIZ and data.questions and data.pass_threshold is None:
                fields["pass_threshold"] = len(data.questions)
            if data.kind is TaskKind.CODE_WORD and data.max_attempts is None:
                fields["max_attempts"] = DEFAULT_CODE_WORD_ATTEMPTS
            if data.kind is TaskKind.ATTENDANCE and data.attendance_scope is None:
                fields["attendance_scope"] = AttendanceScope.ANY
            task = Task(**fields)
            self.session.add(task)
            await self.session.flush()
            if data.questions:
                await repo.replace_questions(
                    self.session, task.id, [q.model_dump() for q in data.questions]
                )
            read = await self._admin_read(task)
            await AuditService(self.session).record(
                actor_id,
                "task.created",
                subject_type="task",
                subject_id=task.id,
                after=_audit_fields(read),
            )
            if gates is not None:
                await self._set_gates(task.id, gates, actor_id)
            return read

    async def update_task(
        self,
        task_id: int,
        data: TaskUpdate,
        *,
        actor_id: int | None = None,
        gates: TaskGates | None = None,
    ) -> TaskAdminRead:
        """Change a task; its questions only until someone has tried the quiz. With `gates`,
        exactly those series and slots (not yet over) require it afterwards."""
        async with transaction(self.session):
            task = await self._task(task_id)
            current = await self._admin_read(task)
            changes = data.model_dump(exclude_unset=True)
            as_created: dict[str, Any] = current.model_dump(
                include=set(TaskCreate.model_fields) - {"questions"}
            )
            as_created["questions"] = [
                {
                    "text": q.text,
                    "image_url": q.image_url,
                    "multiple": q.multiple,
                    "options": [{"text": o.text, "correct": o.correct} for o in q.options],
                }
                for q in current.questions
            ] or None
            try:
                merged = TaskCreate.model_validate(as_created | changes)
            except ValidationError as exc:
                raise InvalidTask(
                    "Задание с такими изменениями не сходится.",
                    details={"errors": [str(e["msg"]) for e in exc.errors()]},
                ) from None
            if "questions" in changes and await repo.has_attempts(self.session, task.id):
                raise TaskHasAttempts("Вопросы не меняют, когда викторину уже проходили.")
            await self._check_series(merged.series_id)
            for field in changes.keys() - {"questions"}:
                setattr(task, field, getattr(merged, field))
            if "questions" in changes and merged.questions:
                await repo.replace_questions(
                    self.session, task.id, [q.model_dump() for q in merged.questions]
                )
            await self.session.flush()
            read = await self._admin_read(task)
            was, now = changed(_audit_fields(current), _audit_fields(read))
            await AuditService(self.session).record(
                actor_id,
                "task.updated",
                subject_type="task",
                subject_id=task.id,
                before=was,
                after=now,
            )
            if gates is not None:
                await self._set_gates(task.id, gates, actor_id)
            return read

    async def admin_task(self, task_id: int) -> TaskAdminRead:
        async with transaction(self.session):
            return await self._admin_read(await self._task(task_id))

    async def _check_series(self, series_id: int | None) -> None:
        if series_id is not None:
            await CatalogService(self.session, self.settings.tz).series(series_id)

    async def _admin_read(self, task: Task) -> TaskAdminRead:
        questions = await repo.questions(self.session, task.id)
        base = _read(task, len(questions), clock.now(), None)
        return TaskAdminRead(
            **base.model_dump(),
            code_word=task.code_word,
            questions=[
                QuestionAdminRead(
                    id=q.id,
                    position=q.position,
                    text=q.text,
                    image_url=q.image_url,
                    multiple=q.multiple,
                    options=[
                        OptionAdminRead(id=o.id, text=o.text, correct=o.correct) for o in opts
                    ],
                )
                for q, opts in questions
            ],
        )


def _read(task: Task, question_count: int, now: Any, progress: TaskProgress | None) -> TaskRead:
    return TaskRead(
        id=task.id,
        kind=task.kind,
        title=task.title,
        description=task.description,
        points=task.points,
        opens_at=task.opens_at,
        closes_at=task.closes_at,
        series_id=task.series_id,
        availability=rules.availability(now, task.opens_at, task.closes_at),
        max_attempts=task.max_attempts,
        pass_threshold=task.pass_threshold,
        time_limit_seconds=task.time_limit_seconds,
        question_count=question_count,
        attendance_scope=task.attendance_scope,
        scope_id=task.scope_id,
        progress=progress,
    )


def _missing(*fields: str) -> InvalidAnswers:
    return InvalidAnswers(
        "Не хватает полей для этого задания.",
        code="invalid_attempt",
        details={"missing": list(fields)},
    )


def _audit_fields(task: TaskAdminRead) -> dict[str, Any]:
    # The code word is the answer to the task: never in the log.
    fields = task.model_dump(exclude={"id", "code_word", "questions", "progress", "availability"})
    fields["code_word_set"] = task.code_word is not None
    return fields
