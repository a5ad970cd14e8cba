"""Quiz attempts and code words: tries limited by a unique (task, user, number) key."""

from __future__ import annotations

import random
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from openindustry.kit import clock
from openindustry.kit.tx import transaction
from openindustry.quests import repository as repo
from openindustry.quests import rules
from openindustry.quests._common import QuestsBase
from openindustry.quests.errors import (
    AlreadyDone,
    AttemptExpired,
    AttemptsExhausted,
    InvalidAnswers,
    NoOpenAttempt,
    TryAgain,
)
from openindustry.quests.models import Attempt, QuizOption, QuizQuestion, Task, TaskKind
from openindustry.quests.schemas import AttemptResult, AttemptStarted, OptionRead, QuestionRead

T = TypeVar("T")
DEFAULT_CODE_WORD_ATTEMPTS = 10
# A submission sent just before the deadline may arrive a moment after it.
DEADLINE_GRACE = timedelta(seconds=5)


def _expired(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + DEADLINE_GRACE


class QuizMixin(QuestsBase):
    async def _retrying(self, work: Callable[[], Awaitable[T]]) -> T:
        # Two requests of one person may take the same attempt number at once; the unique key
        # refuses one, which then runs again and sees the other's attempt.
        for _ in range(3):
            try:
                return await work()
            except IntegrityError:
                continue
        raise TryAgain("Запрос столкнулся с другим, повторите.")

    async def start_attempt(self, user_id: int, task_id: int) -> AttemptStarted:
        """Start a quiz attempt (or return the open one) with its own order of questions."""

        async def work() -> AttemptStarted:
            async with transaction(self.session):
                task = await self._task(task_id, TaskKind.QUIZ)
                now = clock.now()
                questions = await repo.questions(self.session, task.id)
                attempt = await repo.open_attempt(self.session, task.id, user_id)
                if attempt is not None and _expired(attempt, now):
                    await self._expire(attempt, now)
                    attempt = None
                if attempt is None:
                    attempt = await self._new_attempt(task, user_id, now, questions)
                return _started(task, attempt, questions)

        return await self._retrying(work)

    async def open_attempt(self, user_id: int, task_id: int) -> AttemptStarted | None:
        """The caller's open, unexpired attempt, read only: never starts or closes one, so a
        page that shows a question cannot use up a try."""
        async with transaction(self.session):
            task = await self._task(task_id, TaskKind.QUIZ)
            attempt = await repo.open_attempt(self.session, task.id, user_id)
            if attempt is None or _expired(attempt, clock.now()):
                return None
            return _started(task, attempt, await repo.questions(self.session, task.id))

    async def _new_attempt(
        self,
        task: Task,
        user_id: int,
        now: datetime,
        questions: Sequence[tuple[QuizQuestion, Sequence[QuizOption]]],
    ) -> Attempt:
        self._check_open(task, now)
        used = await repo.attempts_used(self.session, task.id, user_id)
        if task.max_attempts is not None and used >= task.max_attempts:
            raise AttemptsExhausted("Попытки закончились.", details={"max_attempts": used})
        rng = random.Random(secrets.randbits(64))  # noqa: S311 - an order, not a secret
        layout = rules.shuffled_layout([(q.id, [o.id for o in opts]) for q, opts in questions], rng)
        limit = task.time_limit_seconds
        attempt = Attempt(
            task_id=task.id,
            user_id=user_id,
            number=used + 1,
            started_at=now,
            deadline=now + timedelta(seconds=limit) if limit else None,
            layout=[[q, options] for q, options in layout],
            max_score=len(questions),
        )
        self.session.add(attempt)
        await self.session.flush()
        return attempt

    async def _expire(self, attempt: Attempt, now: datetime) -> None:
        # A late attempt counts as a failed one: the time limit is part of the quiz.
        await repo.close_attempt(
            self.session, attempt.id, submitted_at=now, score=0, passed=False, expired=True
        )

    async def submit_attempt(
        self, user_id: int, task_id: int, answers: Mapping[int, Sequence[int]]
    ) -> AttemptResult:
        """Score the open attempt once (a conditional UPDATE); a pass completes the task."""

        async def work() -> AttemptResult | None:
            async with transaction(self.session):
                task = await self._task(task_id, TaskKind.QUIZ)
                now = clock.now()
                questions = await repo.questions(self.session, task.id)
                attempt = await repo.open_attempt(self.session, task.id, user_id)
                if attempt is None:
                    if task.time_limit_seconds:
                        raise NoOpenAttempt("Сначала начните попытку.")
                    attempt = await self._new_attempt(task, user_id, now, questions)
                if _expired(attempt, now):
                    await self._expire(attempt, now)
                    return None  # committed as failed; refused below
                return await self._score(task, attempt, user_id, answers, questions, now)

        result = await self._retrying(work)
        if result is None:
            raise AttemptExpired("Время на попытку вышло, она засчитана как неудачная.")
        return result

    async def _score(
        self,
        task: Task,
        attempt: Attempt,
        user_id: int,
        answers: Mapping[int, Sequence[int]],
        questions: Sequence[tuple[QuizQuestion, Sequence[QuizOption]]],
        now: datetime,
    ) -> AttemptResult:
        layout: rules.Layout = [(int(q), [int(o) for o in opts]) for q, opts in attempt.layout]
        multiple = {q.id: q.multiple for q, _ in questions}
        problems = rules.answer_problems(layout, answers, multiple)
        if problems:
            raise InvalidAnswers("Ответы не подходят к вопросам попытки.", details=problems)
        right = {q.id: [o.id for o in opts if o.correct] for q, opts in questions}
        correct = {q: right.get(q, []) for q, _ in layout}
        outcome = rules.score_quiz(correct, answers)
        threshold = task.pass_threshold or outcome.max_score
        passed = rules.passed(outcome.score, threshold)
        closed = await repo.close_attempt(
            self.session,
            attempt.id,
            submitted_at=now,
            answers={str(q): sorted(chosen) for q, chosen in answers.items()},
            score=outcome.score,
            passed=passed,
        )
        if not closed:
            raise NoOpenAttempt("Эта попытка уже отправлена.")
        points = (await self._complete(task, user_id, now, attempt_id=attempt.id)) if passed else 0
        left = rules.attempts_left(attempt.number, task.max_attempts)
        over = left == 0 or rules.availability(now, task.opens_at, task.closes_at) != "open"
        return AttemptResult(
            attempt_id=attempt.id,
            task_id=task.id,
            score=outcome.score,
            max_score=outcome.max_score,
            passed=passed,
            points=points or 0,
            wrong=outcome.wrong,
            attempts_left=left,
            right_options={str(q): sorted(r) for q, r in correct.items()} if over else None,
        )

    async def submit_code_word(self, user_id: int, task_id: int, word: str) -> AttemptResult:
        """Check a code word; a wrong one is a failed try, and tries are limited."""

        async def work() -> AttemptResult:
            async with transaction(self.session):
                task = await self._task(task_id, TaskKind.CODE_WORD)
                now = clock.now()
                self._check_open(task, now)
                if await repo.completed(self.session, user_id, [task.id]):
                    raise AlreadyDone("Это задание уже выполнено.")
                used = await repo.attempts_used(self.session, task.id, user_id)
                limit = task.max_attempts or DEFAULT_CODE_WORD_ATTEMPTS
                if used >= limit:
                    raise AttemptsExhausted("Попытки закончились.", details={"max_attempts": limit})
                ok = rules.code_word_matches(word, task.code_word or "")
                attempt = Attempt(
                    task_id=task.id,
                    user_id=user_id,
                    number=used + 1,
                    started_at=now,
                    submitted_at=now,
                    layout=[],
                    answers={"code_word": word[:100]},
                    score=int(ok),
                    max_score=1,
                    passed=ok,
                )
                self.session.add(attempt)
                await self.session.flush()
                points = (
                    await self._complete(task, user_id, now, attempt_id=attempt.id) if ok else 0
                )
                return AttemptResult(
                    attempt_id=attempt.id,
                    task_id=task.id,
                    score=int(ok),
                    max_score=1,
                    passed=ok,
                    points=points or 0,
                    attempts_left=limit - used - 1,
                )

        return await self._retrying(work)


def _started(
    task: Task, attempt: Attempt, questions: Sequence[tuple[QuizQuestion, Sequence[QuizOption]]]
) -> AttemptStarted:
    by_id = {q.id: (q, {o.id: o for o in opts}) for q, opts in questions}
    shown = []
    for question_id, option_ids in attempt.layout:
        question, options = by_id[int(question_id)]
        shown.append(
            QuestionRead(
                id=question.id,
                text=question.text,
                image_url=question.image_url,
                multiple=question.multiple,
                options=[OptionRead(id=o, text=options[int(o)].text) for o in option_ids],
            )
        )
    return AttemptStarted(
        attempt_id=attempt.id,
        task_id=task.id,
        number=attempt.number,
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        attempts_left=rules.attempts_left(attempt.number, task.max_attempts),
        questions=shown,
    )
