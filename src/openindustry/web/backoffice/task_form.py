"""The task editor's form: typed values in, `TaskCreate`/`TaskGates` out, refusals per field.

A quiz's questions are numbered blocks of fields (`q3-text`, `q3-o1-text`, `q3-o1-correct`); a
block left empty is no question, an option row left empty is no option. Whatever was typed is
kept in `values`, so a refused form comes back exactly as it was sent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from openindustry.quests.models import AttendanceScope, TaskKind
from openindustry.quests.schemas import (
    MAX_OPTIONS,
    MAX_QUESTIONS,
    TaskAdminRead,
    TaskCreate,
    TaskGates,
)
from openindustry.web.forms import Form

# Blank option rows a question shows (more after "add" while a question fills its rows).
MIN_OPTION_ROWS = 4
SPARE_OPTION_ROWS = 2
NEW_QUESTION_BLOCKS = 3
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"

# Which fields each kind of task has, besides title, description, points, window and series.
KIND_FIELDS: dict[TaskKind, tuple[str, ...]] = {
    TaskKind.QUIZ: ("max_attempts", "pass_threshold", "time_limit_minutes"),
    TaskKind.CODE_WORD: ("code_word", "max_attempts"),
    TaskKind.ATTENDANCE: ("attendance_scope",),
    TaskKind.FEEDBACK: (),
    TaskKind.REFERRAL: (),
}
# Task-level refusals of TaskCreate's cross-field check, by the start of its message.
_MODEL_ERRORS = (
    ("closes_at must be after", "closes_at", "window"),
    ("times need an offset", "opens_at", "opens_at"),
    ("a quiz needs questions", "questions", "questions_missing"),
    ("pass_threshold is more", "pass_threshold", "pass_threshold_high"),
    ("a code word task needs", "code_word", "code_word"),
    ("scope_id names", "attendance_scope", "scope"),
)


@dataclass
class TaskForm:
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    data: TaskCreate | None = None
    gates: TaskGates | None = None


def blank(kind: TaskKind) -> dict[str, Any]:
    values: dict[str, Any] = {
        "kind": kind.value,
        "title": "",
        "description": "",
        "points": "0",
        "opens_at": "",
        "closes_at": "",
        "series_id": "",
        "max_attempts": "",
        "pass_threshold": "",
        "time_limit_minutes": "",
        "code_word": "",
        "attendance_scope": AttendanceScope.ANY.value,
        "scope_series_id": "",
        "scope_enterprise_id": "",
        "questions": [],
        "gate_series": [],
        "gate_slots": [],
    }
    return with_blank_blocks(values, NEW_QUESTION_BLOCKS if kind is TaskKind.QUIZ else 0)


def with_blank_blocks(values: dict[str, Any], count: int) -> dict[str, Any]:
    """Room for more: `count` empty question blocks, and spare rows in the filled ones."""
    questions = []
    for question in values["questions"]:
        filled = [o for o in question["options"] if o["text"] or o["correct"]]
        rows = min(MAX_OPTIONS, max(MIN_OPTION_ROWS, len(filled) + SPARE_OPTION_ROWS))
        options = filled + [_blank_option() for _ in range(rows - len(filled))]
        questions.append(question | {"options": options})
    room = max(0, min(count, MAX_QUESTIONS - len(questions)))
    questions += [_blank_question() for _ in range(room)]
    return values | {"questions": questions}


def _blank_option() -> dict[str, Any]:
    return {"text": "", "correct": False}


def _blank_question() -> dict[str, Any]:
    return {
        "text": "",
        "image_url": "",
        "multiple": False,
        "options": [_blank_option() for _ in range(MIN_OPTION_ROWS)],
    }


def _local(moment: datetime | None, tz: ZoneInfo) -> str:
    return moment.astimezone(tz).strftime(LOCAL_FORMAT) if moment else ""


def _text(value: object) -> str:
    return "" if value is None else str(value)


def values_of(task: TaskAdminRead, gates: TaskGates, tz: ZoneInfo) -> dict[str, Any]:
    """The form filled from a saved task (and where it gates registration)."""
    scope = task.attendance_scope
    limit = task.time_limit_seconds
    values = blank(task.kind) | {
        "title": task.title,
        "description": task.description,
        "points": str(task.points),
        "opens_at": _local(task.opens_at, tz),
        "closes_at": _local(task.closes_at, tz),
        "series_id": _text(task.series_id),
        "max_attempts": _text(task.max_attempts),
        "pass_threshold": _text(task.pass_threshold),
        # Minutes with a fraction when needed, so 90 seconds stay 90 seconds after a save.
        "time_limit_minutes": f"{limit / 60:g}" if limit else "",
        "code_word": task.code_word or "",
        "attendance_scope": (scope or AttendanceScope.ANY).value,
        "scope_series_id": _text(task.scope_id) if scope is AttendanceScope.SERIES else "",
        "scope_enterprise_id": _text(task.scope_id) if scope is AttendanceScope.ENTERPRISE else "",
        "questions": [
            {
                "text": q.text,
                "image_url": q.image_url or "",
                "multiple": q.multiple,
                "options": [{"text": o.text, "correct": o.correct} for o in q.options],
            }
            for q in task.questions
        ],
        "gate_series": [str(i) for i in gates.series_ids],
        "gate_slots": [str(i) for i in gates.slot_ids],
    }
    return with_blank_blocks(values, 1 if task.kind is TaskKind.QUIZ else 0)


def _count(form: Form, name: str, cap: int) -> int:
    raw = form.get(name)
    return min(int(raw), cap) if raw.isdigit() and len(raw) < 5 else 0


def _questions(form: Form) -> list[dict[str, Any]]:
    blocks = []
    for i in range(_count(form, "question_count", MAX_QUESTIONS)):
        rows = _count(form, f"q{i}-option_count", MAX_OPTIONS)
        blocks.append(
            {
                "text": form.get(f"q{i}-text").strip(),
                "image_url": form.text(f"q{i}-image_url"),
                "multiple": form.get(f"q{i}-multiple") == "on",
                "options": [
                    {
                        "text": form.text(f"q{i}-o{j}-text"),
                        "correct": form.get(f"q{i}-o{j}-correct") == "on",
                    }
                    for j in range(rows)
                ],
            }
        )
    return blocks


def read(form: Form, kind: TaskKind) -> dict[str, Any]:
    """The values as typed (nothing dropped), for the payload and for showing them again."""
    values = blank(kind) | {
        name: form.text(name)
        for name in (
            "title",
            "points",
            "opens_at",
            "closes_at",
            "series_id",
            "max_attempts",
            "pass_threshold",
            "time_limit_minutes",
            "code_word",
            "attendance_scope",
            "scope_series_id",
            "scope_enterprise_id",
        )
    }
    values["description"] = form.get("description").strip()
    values["questions"] = _questions(form) if kind is TaskKind.QUIZ else []
    values["gate_series"] = list(dict.fromkeys(form.getlist("gate_series")))
    values["gate_slots"] = list(dict.fromkeys(form.getlist("gate_slots")))
    return values


def _moment(raw: str, tz: ZoneInfo) -> datetime | None:
    """A datetime-local value as Moscow time; ValueError for anything else."""
    if not raw:
        return None
    moment = datetime.fromisoformat(raw)
    return moment if moment.tzinfo else moment.replace(tzinfo=tz)


def _or_none(raw: str) -> str | None:
    return raw or None


def parse(form: Form, kind: TaskKind, tz: ZoneInfo) -> TaskForm:
    """Read and check the form; `data` and `gates` are set only when nothing was refused."""
    values = read(form, kind)
    result = TaskForm(values)
    payload: dict[str, Any] = {
        "kind": kind,
        "title": values["title"],
        "description": values["description"],
        "points": values["points"] or 0,
        "series_id": _or_none(values["series_id"]),
    }
    for name in ("opens_at", "closes_at"):
        try:
            payload[name] = _moment(values[name], tz)
        except ValueError:
            result.errors[name] = name
    wanted = KIND_FIELDS[kind]
    for name in ("max_attempts", "pass_threshold", "code_word"):
        if name in wanted:
            payload[name] = _or_none(values[name])
    if "time_limit_minutes" in wanted and values["time_limit_minutes"]:
        try:
            payload["time_limit_seconds"] = round(
                float(values["time_limit_minutes"].replace(",", ".")) * 60
            )
        except (ValueError, OverflowError):
            result.errors["time_limit_minutes"] = "time_limit_minutes"
    if kind is TaskKind.ATTENDANCE:
        scope = values["attendance_scope"]
        payload["attendance_scope"] = scope
        target = {"series": "scope_series_id", "enterprise": "scope_enterprise_id"}.get(scope)
        payload["scope_id"] = _or_none(values[target]) if target else None
    kept = _kept_questions(values["questions"])
    if kind is TaskKind.QUIZ:
        payload["questions"] = [question for _, question in kept]
    try:
        result.data = TaskCreate.model_validate(payload)
    except ValidationError as exc:
        _field_errors(exc, [block for block, _ in kept], result.errors)
    try:
        result.gates = TaskGates.model_validate(
            {"series_ids": values["gate_series"], "slot_ids": values["gate_slots"]}
        )
    except ValidationError:
        result.errors["gates"] = "gates"
    if result.errors:
        result.data = result.gates = None
    return result


def _kept_questions(blocks: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """(block number, question payload) of the blocks with anything typed in them."""
    kept = []
    for number, block in enumerate(blocks):
        options = [o for o in block["options"] if o["text"] or o["correct"]]
        if not block["text"] and not options:
            continue
        kept.append(
            (
                number,
                {
                    "text": block["text"],
                    "image_url": block["image_url"] or None,
                    "multiple": block["multiple"],
                    "options": options,
                },
            )
        )
    return kept


def _field_errors(exc: ValidationError, blocks: list[int], errors: dict[str, str]) -> None:
    for error in exc.errors():
        loc = error["loc"]
        message = str(error.get("msg", ""))
        if loc and loc[0] == "questions" and len(loc) > 1 and isinstance(loc[1], int):
            errors.setdefault(f"q{blocks[loc[1]]}", _question_code(loc[2:], message))
        elif loc and loc[0] == "time_limit_seconds":
            errors.setdefault("time_limit_minutes", "time_limit_minutes")
        elif loc and loc[0] == "scope_id":
            errors.setdefault("attendance_scope", "scope")
        elif loc:
            errors.setdefault(str(loc[0]), str(loc[0]))
        else:
            name, code = next(
                ((n, c) for start, n, c in _MODEL_ERRORS if start in message), ("form", "form")
            )
            errors.setdefault(name, code)


def _question_code(rest: tuple[int | str, ...], message: str) -> str:
    if rest and rest[0] == "text":
        return "question_text"
    if rest and rest[0] == "image_url":
        return "question_image"
    if rest and rest[0] == "options":
        return "question_option_text" if len(rest) > 2 else "question_options"
    if "exactly one right option" in message:
        return "question_single"
    return "question_right"


def questions_payload(data: TaskCreate) -> list[dict[str, Any]] | None:
    return [q.model_dump() for q in data.questions] if data.questions else None


def saved_questions(task: TaskAdminRead) -> list[dict[str, Any]] | None:
    """A saved quiz's questions in the shape of `QuestionInput`, to tell whether they changed."""
    return [
        {
            "text": q.text,
            "image_url": q.image_url,
            "multiple": q.multiple,
            "options": [{"text": o.text, "correct": o.correct} for o in q.options],
        }
        for q in task.questions
    ] or None
