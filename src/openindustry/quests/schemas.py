"""Quest data shapes. Nothing a participant receives carries right answers or code words:
the participant-facing shapes simply have no such fields."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator

from openindustry.kit.types import DbId
from openindustry.quests.models import AttendanceScope, TaskKind
from openindustry.quests.rules import Availability, normalise_code_word

MAX_QUESTIONS = 100
MAX_OPTIONS = 20
Text200 = Annotated[str, Field(min_length=1, max_length=200)]
Points = Annotated[int, Field(ge=0, le=100_000)]


class OptionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(min_length=1, max_length=500)]
    correct: bool = False


class QuestionInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, Field(min_length=1, max_length=2000)]
    image_url: Annotated[str, Field(max_length=500, pattern=r"^(https?://|/)\S+$")] | None = None
    multiple: bool = False
    options: Annotated[list[OptionInput], Field(min_length=2, max_length=MAX_OPTIONS)]

    @model_validator(mode="after")
    def _right_answers(self) -> QuestionInput:
        right = sum(o.correct for o in self.options)
        if right == 0:
            raise ValueError("a question needs at least one right option")
        if not self.multiple and right != 1:
            raise ValueError("a single-choice question has exactly one right option")
        return self


class TaskFields(BaseModel):
    """What an organizer may set on any task (all optional for a change)."""

    model_config = ConfigDict(extra="forbid")

    title: Text200 | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    points: Points | None = None
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    series_id: DbId | None = None
    max_attempts: Annotated[int, Field(ge=1, le=1000)] | None = None
    pass_threshold: Annotated[int, Field(ge=1, le=MAX_QUESTIONS)] | None = None
    time_limit_seconds: Annotated[int, Field(ge=10, le=24 * 3600)] | None = None
    code_word: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    attendance_scope: AttendanceScope | None = None
    scope_id: DbId | None = None
    questions: Annotated[list[QuestionInput], Field(max_length=MAX_QUESTIONS)] | None = None


class TaskUpdate(TaskFields):
    """A change; `questions`, when given, replace all of them (only before anyone has tried)."""


class TaskCreate(TaskFields):
    kind: TaskKind
    title: Text200
    description: Annotated[str, Field(max_length=5000)] = ""
    points: Points = 0

    @model_validator(mode="after")
    def _consistent(self) -> TaskCreate:
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValueError("closes_at must be after opens_at")
        for moment in (self.opens_at, self.closes_at):
            if moment is not None and moment.tzinfo is None:
                raise ValueError("times need an offset")
        if self.kind is TaskKind.QUIZ:
            if not self.questions:
                raise ValueError("a quiz needs questions")
            if self.pass_threshold is not None and self.pass_threshold > len(self.questions):
                raise ValueError("pass_threshold is more than the number of questions")
        elif self.questions:
            raise ValueError("only a quiz has questions")
        if self.kind is TaskKind.CODE_WORD and not normalise_code_word(self.code_word or ""):
            raise ValueError("a code word task needs a code word")
        if self.kind is TaskKind.ATTENDANCE:
            scope = self.attendance_scope or AttendanceScope.ANY
            if (scope is AttendanceScope.ANY) != (self.scope_id is None):
                raise ValueError("scope_id names the series or enterprise, and only then")
        elif self.attendance_scope is not None or self.scope_id is not None:
            raise ValueError("only an attendance task has a scope")
        return self


class OptionRead(BaseModel):
    id: int
    text: str


class QuestionRead(BaseModel):
    id: int
    text: str
    image_url: str | None
    multiple: bool
    options: list[OptionRead]


class OptionAdminRead(OptionRead):
    correct: bool


class QuestionAdminRead(BaseModel):
    id: int
    position: int
    text: str
    image_url: str | None
    multiple: bool
    options: list[OptionAdminRead]


class TaskProgress(BaseModel):
    """The caller's standing on one task."""

    done: bool = False
    attempts_used: int = 0
    attempts_left: int | None = None
    best_score: int | None = None
    open_attempt_id: int | None = None


class TaskRead(BaseModel):
    id: int
    kind: TaskKind
    title: str
    description: str
    points: int
    opens_at: datetime | None
    closes_at: datetime | None
    series_id: int | None
    availability: Availability
    max_attempts: int | None
    pass_threshold: int | None
    time_limit_seconds: int | None
    question_count: int
    attendance_scope: AttendanceScope | None
    scope_id: int | None
    progress: TaskProgress | None = None


class TaskAdminRead(TaskRead):
    code_word: str | None
    questions: list[QuestionAdminRead]


class AttemptStarted(BaseModel):
    attempt_id: int
    task_id: int
    number: int
    started_at: datetime
    deadline: datetime | None
    attempts_left: int | None
    questions: list[QuestionRead]


class AttemptResult(BaseModel):
    attempt_id: int | None
    task_id: int
    score: int | None
    max_score: int | None
    passed: bool
    points: int
    # Question ids answered wrongly in this attempt.
    wrong: list[int] = Field(default_factory=list)
    attempts_left: int | None = None
    # The right option ids per question: only once the quiz is over for the caller (no attempts
    # left, or the task closed), so they cannot help a next attempt.
    right_options: dict[str, list[int]] | None = None


class AttemptInput(BaseModel):
    """One body for every kind: the task decides which fields it reads."""

    model_config = ConfigDict(extra="forbid")

    start: bool | None = None
    answers: (
        Annotated[
            dict[DbId, Annotated[list[DbId], Field(max_length=MAX_OPTIONS)]],
            Field(max_length=MAX_QUESTIONS),
        ]
        | None
    ) = None
    code_word: Annotated[str, Field(max_length=200)] | None = None
    slot_id: DbId | None = None
    rating: Annotated[int, Field(ge=1, le=5)] | None = None
    comment: Annotated[str, Field(max_length=4000)] = ""

    def fields_given(self) -> set[str]:
        return {name for name in self.model_fields_set if getattr(self, name) is not None}


class ReferralRead(BaseModel):
    code: str
    link: str
    invited: int
    referred_by: int | None


class AttemptRecord(BaseModel):
    """One try at a task, for the person's own data download."""

    task_id: int
    task_title: str
    number: int
    started_at: datetime
    submitted_at: datetime | None
    score: int | None
    max_score: int
    passed: bool | None


class FeedbackRecord(BaseModel):
    slot_id: int
    rating: int
    comment: str
    created_at: datetime


class CompletionRecord(BaseModel):
    task_id: int
    completed_at: datetime


class QuestsExport(BaseModel):
    """What quests keeps about a person: tries, tasks done, feedback, their invite."""

    attempts: list[AttemptRecord]
    completions: list[CompletionRecord]
    feedback: list[FeedbackRecord]
    referral: ReferralRead


class ReferralAccept(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Annotated[str, Field(min_length=1, max_length=40)]


class PrizeDrawRequest(BaseModel):
    """Who enters: a quiz's passers (optionally with a higher score), or a leaderboard's top N."""

    model_config = ConfigDict(extra="forbid")

    task_id: DbId | None = None
    min_score: Annotated[int, Field(ge=0, le=MAX_QUESTIONS)] | None = None
    leaderboard_top: Annotated[int, Field(ge=1, le=100)] | None = None
    series_id: DbId | None = None
    winners: Annotated[int, Field(ge=1, le=10_000)]

    @model_validator(mode="after")
    def _one_rule(self) -> PrizeDrawRequest:
        if (self.task_id is None) == (self.leaderboard_top is None):
            raise ValueError("give either task_id (quiz passers) or leaderboard_top")
        return self


class TaskGates(BaseModel):
    """Where a task must be done before registering: whole series, and single slots.

    Slots are those not yet over (and any named here); a slot of a listed series is gated by its
    series already, so it need not be listed too.
    """

    model_config = ConfigDict(extra="forbid")

    series_ids: Annotated[list[DbId], Field(max_length=500)] = Field(default_factory=list)
    slot_ids: Annotated[list[DbId], Field(max_length=5000)] = Field(default_factory=list)
