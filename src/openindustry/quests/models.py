"""Tasks (задания) and what people do with them: attempts, completions, feedback, referrals."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openindustry.kit import clock
from openindustry.kit.db import Base, JSONDocument, UTCDateTime, string_enum


class TaskKind(StrEnum):
    QUIZ = "quiz"
    CODE_WORD = "code_word"
    ATTENDANCE = "attendance"
    FEEDBACK = "feedback"
    REFERRAL = "referral"


class AttendanceScope(StrEnum):
    ANY = "any"
    SERIES = "series"
    ENTERPRISE = "enterprise"


class Task(Base):
    __tablename__ = "task"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaskKind] = mapped_column(string_enum(TaskKind))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    points: Mapped[int] = mapped_column(Integer, default=0)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id", ondelete="SET NULL"))
    # Quiz and code word: how many tries a person gets; quiz: right answers needed, time per try.
    max_attempts: Mapped[int | None] = mapped_column(Integer)
    pass_threshold: Mapped[int | None] = mapped_column(Integer)
    time_limit_seconds: Mapped[int | None] = mapped_column(Integer)
    # Kept as written by the organizer; compared after normalising both sides. Never sent out.
    code_word: Mapped[str | None] = mapped_column(String(100))
    # Attendance: a check-in at which slots completes the task.
    attendance_scope: Mapped[AttendanceScope | None] = mapped_column(string_enum(AttendanceScope))
    scope_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (
        Index("ix_task_kind", "kind"),
        CheckConstraint("points >= 0", name="points_non_negative"),
    )


class QuizQuestion(Base):
    __tablename__ = "quiz_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(500))
    multiple: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_quiz_question_task", "task_id", "position"),)


class QuizOption(Base):
    __tablename__ = "quiz_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("quiz_question.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    correct: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_quiz_option_question", "question_id", "position"),)


class Attempt(Base):
    """One try at a quiz or a code word; the (task, user, number) key caps tries."""

    __tablename__ = "attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The order this attempt shows: [[question_id, [option_id, ...]], ...].
    layout: Mapped[list[Any]] = mapped_column(JSONDocument, default=list)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSONDocument)
    score: Mapped[int | None] = mapped_column(Integer)
    max_score: Mapped[int] = mapped_column(Integer, default=0)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    expired: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (
        UniqueConstraint("task_id", "user_id", "number"),
        Index("ix_attempt_task_score", "task_id", "score"),
        CheckConstraint("number >= 1", name="number_positive"),
    )


class TaskCompletion(Base):
    """A task done by a person: the unique key is what makes a task pay once."""

    __tablename__ = "task_completion"

    id: Mapped[int] = mapped_column(primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    attempt_id: Mapped[int | None] = mapped_column(Integer)
    slot_id: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("task_id", "user_id"),
        Index("ix_task_completion_user", "user_id"),
    )


class Feedback(Base):
    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(ForeignKey("slot.id", ondelete="CASCADE"))
    task_id: Mapped[int | None] = mapped_column(ForeignKey("task.id", ondelete="SET NULL"))
    rating: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (
        UniqueConstraint("user_id", "slot_id"),
        Index("ix_feedback_slot", "slot_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating_range"),
    )


class Referral(Base):
    """Who invited whom. The inviter always joined earlier (lower id), so no chain can loop."""

    __tablename__ = "referral"

    invitee_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    referrer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (
        Index("ix_referral_referrer", "referrer_id"),
        CheckConstraint("referrer_id < invitee_id", name="referrer_joined_earlier"),
    )
