"""All quest SQL. Repositories read and stage writes; they never commit."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.kit import sql
from openindustry.quests.models import (
    Attempt,
    Feedback,
    QuizOption,
    QuizQuestion,
    Referral,
    Task,
    TaskCompletion,
    TaskKind,
)

QuestionRows = list[tuple[QuizQuestion, list[QuizOption]]]


# Tasks -------------------------------------------------------------------------------------------


async def task(session: AsyncSession, task_id: int) -> Task | None:
    return await session.get(Task, task_id)


async def tasks(
    session: AsyncSession, *, kind: TaskKind | None, limit: int, offset: int
) -> tuple[Sequence[Task], int]:
    query = select(Task)
    if kind is not None:
        query = query.where(Task.kind == kind)
    total = await session.scalar(select(func.count()).select_from(query.subquery()))
    ordered = query.order_by(Task.opens_at.is_(None).desc(), Task.opens_at, Task.id)
    rows = (await session.scalars(ordered.limit(limit).offset(offset))).all()
    return rows, total or 0


async def open_tasks(session: AsyncSession, kind: TaskKind, now: datetime) -> Sequence[Task]:
    query = (
        select(Task)
        .where(
            Task.kind == kind,
            or_(Task.opens_at.is_(None), Task.opens_at <= now),
            or_(Task.closes_at.is_(None), Task.closes_at > now),
        )
        .order_by(Task.id)
    )
    return (await session.scalars(query)).all()


async def questions(session: AsyncSession, task_id: int) -> QuestionRows:
    found = (
        await session.scalars(
            select(QuizQuestion)
            .where(QuizQuestion.task_id == task_id)
            .order_by(QuizQuestion.position, QuizQuestion.id)
        )
    ).all()
    options = (
        await session.scalars(
            select(QuizOption)
            .where(QuizOption.question_id.in_([q.id for q in found]))
            .order_by(QuizOption.position, QuizOption.id)
        )
    ).all()
    by_question: dict[int, list[QuizOption]] = {q.id: [] for q in found}
    for option in options:
        by_question[option.question_id].append(option)
    return [(q, by_question[q.id]) for q in found]


async def question_counts(session: AsyncSession, task_ids: Sequence[int]) -> dict[int, int]:
    query = (
        select(QuizQuestion.task_id, func.count())
        .where(QuizQuestion.task_id.in_(task_ids))
        .group_by(QuizQuestion.task_id)
    )
    rows = (await session.execute(query)).all()
    return {row[0]: row[1] for row in rows}


async def replace_questions(
    session: AsyncSession, task_id: int, questions: Sequence[dict[str, Any]]
) -> None:
    await session.execute(delete(QuizQuestion).where(QuizQuestion.task_id == task_id))
    for position, data in enumerate(questions, start=1):
        question = QuizQuestion(
            task_id=task_id,
            position=position,
            text=data["text"],
            image_url=data.get("image_url"),
            multiple=data.get("multiple", False),
        )
        session.add(question)
        await session.flush()
        for option_position, option in enumerate(data["options"], start=1):
            session.add(
                QuizOption(
                    question_id=question.id,
                    position=option_position,
                    text=option["text"],
                    correct=option.get("correct", False),
                )
            )
    await session.flush()


async def has_attempts(session: AsyncSession, task_id: int) -> bool:
    found = await session.scalar(select(Attempt.id).where(Attempt.task_id == task_id).limit(1))
    return found is not None


# Attempts ----------------------------------------------------------------------------------------


async def attempt_stats(
    session: AsyncSession, user_id: int, task_ids: Sequence[int]
) -> dict[int, tuple[int, int | None, int | None]]:
    """Per task: attempts used, best score, the open attempt's id (a try not yet submitted)."""
    query = (
        select(
            Attempt.task_id,
            func.count(),
            func.max(Attempt.score),
            func.max(Attempt.id).filter(Attempt.submitted_at.is_(None)),
        )
        .where(Attempt.user_id == user_id, Attempt.task_id.in_(task_ids))
        .group_by(Attempt.task_id)
    )
    rows = (await session.execute(query)).all()
    return {task_id: (used, best, open_id) for task_id, used, best, open_id in rows}


async def open_attempt(session: AsyncSession, task_id: int, user_id: int) -> Attempt | None:
    query = (
        select(Attempt)
        .where(
            Attempt.task_id == task_id,
            Attempt.user_id == user_id,
            Attempt.submitted_at.is_(None),
        )
        .order_by(Attempt.number.desc())
        .limit(1)
    )
    return await session.scalar(query)


async def attempts_used(session: AsyncSession, task_id: int, user_id: int) -> int:
    query = select(func.count()).where(Attempt.task_id == task_id, Attempt.user_id == user_id)
    return await session.scalar(query) or 0


async def close_attempt(session: AsyncSession, attempt_id: int, **values: Any) -> bool:
    """Submit an open attempt; False when it was closed already (a doubled submission)."""
    result = await session.execute(
        update(Attempt)
        .where(Attempt.id == attempt_id, Attempt.submitted_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def quiz_passers(
    session: AsyncSession,
    task_id: int,
    min_score: int,
    opens_at: datetime | None,
    closes_at: datetime | None,
) -> list[int]:
    conditions: list[ColumnElement[bool]] = [
        Attempt.task_id == task_id,
        Attempt.score >= min_score,
        Attempt.submitted_at.is_not(None),
    ]
    if opens_at is not None:
        conditions.append(Attempt.submitted_at >= opens_at)
    if closes_at is not None:
        conditions.append(Attempt.submitted_at <= closes_at)
    query = select(Attempt.user_id).where(*conditions).distinct().order_by(Attempt.user_id)
    return list((await session.scalars(query)).all())


# Completions -------------------------------------------------------------------------------------


async def insert_completion(
    session: AsyncSession,
    task_id: int,
    user_id: int,
    *,
    now: datetime,
    attempt_id: int | None = None,
    slot_id: int | None = None,
) -> bool:
    """Record the task as done; False when it was done already (the unique key decides)."""
    statement = (
        sql.insert(session, TaskCompletion)
        .on_conflict_do_nothing(index_elements=["task_id", "user_id"])
        .values(
            task_id=task_id,
            user_id=user_id,
            completed_at=now,
            attempt_id=attempt_id,
            slot_id=slot_id,
        )
        .returning(TaskCompletion.id)
    )
    return (await session.scalar(statement)) is not None


async def completed(session: AsyncSession, user_id: int, task_ids: Sequence[int]) -> set[int]:
    query = select(TaskCompletion.task_id).where(
        TaskCompletion.user_id == user_id, TaskCompletion.task_id.in_(task_ids)
    )
    return set((await session.scalars(query)).all())


async def completed_any(session: AsyncSession, user_id: int) -> bool:
    query = select(TaskCompletion.id).where(TaskCompletion.user_id == user_id).limit(1)
    return (await session.scalar(query)) is not None


# Feedback and referrals --------------------------------------------------------------------------


async def insert_feedback(
    session: AsyncSession,
    *,
    user_id: int,
    slot_id: int,
    task_id: int,
    rating: int,
    comment: str,
    now: datetime,
) -> int | None:
    """The new feedback's id, or None when this person already left feedback for the slot."""
    statement = (
        sql.insert(session, Feedback)
        .on_conflict_do_nothing(index_elements=["user_id", "slot_id"])
        .values(
            user_id=user_id,
            slot_id=slot_id,
            task_id=task_id,
            rating=rating,
            comment=comment,
            created_at=now,
        )
        .returning(Feedback.id)
    )
    return await session.scalar(statement)


async def referrer_of(session: AsyncSession, invitee_id: int) -> int | None:
    query = select(Referral.referrer_id).where(Referral.invitee_id == invitee_id)
    return await session.scalar(query)


async def invited_count(session: AsyncSession, referrer_id: int) -> int:
    query = select(func.count()).where(Referral.referrer_id == referrer_id)
    return await session.scalar(query) or 0


async def insert_referral(
    session: AsyncSession, *, invitee_id: int, referrer_id: int, now: datetime
) -> bool:
    statement = (
        sql.insert(session, Referral)
        .on_conflict_do_nothing(index_elements=["invitee_id"])
        .values(invitee_id=invitee_id, referrer_id=referrer_id, created_at=now)
        .returning(Referral.invitee_id)
    )
    return (await session.scalar(statement)) is not None


# A person's own data ------------------------------------------------------------------------------


async def attempts_of(session: AsyncSession, user_id: int) -> Sequence[tuple[Attempt, str]]:
    query = (
        select(Attempt, Task.title)
        .join(Task, Task.id == Attempt.task_id)
        .where(Attempt.user_id == user_id)
        .order_by(Attempt.started_at, Attempt.id)
    )
    return [(a, t) for a, t in (await session.execute(query)).all()]


async def completions_of(session: AsyncSession, user_id: int) -> Sequence[TaskCompletion]:
    query = (
        select(TaskCompletion)
        .where(TaskCompletion.user_id == user_id)
        .order_by(TaskCompletion.completed_at, TaskCompletion.id)
    )
    return (await session.scalars(query)).all()


async def feedback_of(session: AsyncSession, user_id: int) -> Sequence[Feedback]:
    query = select(Feedback).where(Feedback.user_id == user_id).order_by(Feedback.id)
    return (await session.scalars(query)).all()


async def blank_feedback(session: AsyncSession, user_id: int) -> int:
    result = await session.execute(
        update(Feedback)
        .where(Feedback.user_id == user_id, Feedback.comment != "")
        .values(comment="")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
