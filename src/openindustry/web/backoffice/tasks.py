"""The quiz and task editor: the list of tasks, and one form per task for every kind.

A new task starts from its kind (`/backoffice/tasks/new?kind=quiz`); the form posts to the list
(create) or to the task (update). The same form sets where the task gates registration: whole
series, and single slots not yet over. A refused form comes back with the messages next to its
fields and everything typed in it.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from openindustry.catalog.api import Catalog
from openindustry.catalog.schemas import SlotFilter, SlotRead
from openindustry.kit.auth import Principal
from openindustry.kit.errors import AppError
from openindustry.kit.types import PathId
from openindustry.quests.api import Quests
from openindustry.quests.models import AttendanceScope, TaskKind
from openindustry.quests.schemas import TaskAdminRead, TaskCreate, TaskGates, TaskUpdate
from openindustry.web import csrf
from openindustry.web.backoffice import task_form
from openindustry.web.backoffice.staff import OrganizerPage
from openindustry.web.errors import error_page, status_of
from openindustry.web.forms import MAX_VALUE, Form
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import flash, redirect, settings_of

router = APIRouter(include_in_schema=False)

PAGE = "/backoffice/tasks"
PAGE_SIZE = 50
# A quiz of up to 100 questions with up to 20 options each is a large form: the shared reader's
# 50-field cap is for small forms, so this one reads its own (still bounded) form.
MAX_TASK_FIELDS = 4_500
SLOTS_SHOWN = 1_000
# The fields a change sends, by kind (the rest of a task is not the form's to touch).
_COMMON = {"title", "description", "points", "opens_at", "closes_at", "series_id"}
_UPDATED: dict[TaskKind, set[str]] = {
    TaskKind.QUIZ: _COMMON | {"max_attempts", "pass_threshold", "time_limit_seconds"},
    TaskKind.CODE_WORD: _COMMON | {"code_word", "max_attempts"},
    TaskKind.ATTENDANCE: _COMMON | {"attendance_scope", "scope_id"},
    TaskKind.FEEDBACK: _COMMON,
    TaskKind.REFERRAL: _COMMON,
}


async def task_form_fields(request: Request) -> Form:
    """The submitted task form (CSRF checked), text values only, each bounded."""
    data = await request.form(max_files=0, max_fields=MAX_TASK_FIELDS)
    values: dict[str, list[str]] = {}
    for key, value in data.multi_items():
        if isinstance(value, str) and len(value) <= MAX_VALUE:
            values.setdefault(key, []).append(value)
    form = Form(values)
    csrf.check(request, form)
    return form


def _kind(raw: str | None) -> TaskKind | None:
    try:
        return TaskKind(raw or "")
    except ValueError:
        return None


@router.get(PAGE, response_class=HTMLResponse)
async def tasks_list(
    request: Request,
    quests: Quests,
    catalog: Catalog,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    kind = _kind(request.query_params.get("kind"))
    raw_offset = request.query_params.get("offset", "0")
    offset = int(raw_offset) if raw_offset.isdigit() and len(raw_offset) < 8 else 0
    page = await quests.tasks(None, kind=kind, limit=PAGE_SIZE, offset=offset)
    context = {
        "page": page,
        "kind": kind.value if kind else "",
        "kinds": [k.value for k in TaskKind],
        "series_titles": {s.id: s.title for s in await catalog.series_list()},
        "offset": offset,
        "page_size": PAGE_SIZE,
        "staff_role": user.role,
    }
    return pages.render(request, "backoffice/tasks.html", context)


async def _upcoming_slots(catalog: Catalog) -> list[SlotRead]:
    found: list[SlotRead] = []
    while len(found) < SLOTS_SHOWN:
        page = await catalog.slots(SlotFilter(limit=200, offset=len(found)))
        found.extend(page.items)
        if not page.items or len(found) >= page.total:
            break
    return found


async def _render(
    request: Request,
    pages: Pages,
    catalog: Catalog,
    user: Principal,
    values: dict[str, Any],
    *,
    task: TaskAdminRead | None = None,
    errors: dict[str, str] | None = None,
    refusal: AppError | None = None,
    status: int = 200,
) -> HTMLResponse:
    all_series = await catalog.series_list()
    gated_series = {int(i) for i in values["gate_series"] if i.isdigit() and len(i) < 10}
    titles = {s.id: s.title for s in all_series}
    groups: dict[int | None, list[SlotRead]] = {}
    for slot in await _upcoming_slots(catalog):
        groups.setdefault(slot.series_id, []).append(slot)
    context = {
        "values": values,
        "task": task,
        "kind": values["kind"],
        "errors": errors or {},
        "refusal": refusal,
        "all_series": all_series,
        "gated_by_series": {s.id for s in all_series if s.id in gated_series},
        "enterprises": (await catalog.enterprises(limit=200)).items,
        # (series title, its slots); the title is None for slots outside any series.
        "slot_groups": [(titles.get(k) if k else None, v) for k, v in groups.items()],
        "scopes": [s.value for s in AttendanceScope],
        "staff_role": user.role,
    }
    return pages.render(request, "backoffice/task_form.html", context, status=status)


@router.get(PAGE + "/new", response_class=HTMLResponse)
async def task_new(
    request: Request,
    catalog: Catalog,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    kind = _kind(request.query_params.get("kind"))
    if kind is None:
        return error_page(request, 404, "unknown_kind", "Такого вида заданий нет.")
    return await _render(request, pages, catalog, user, task_form.blank(kind))


@router.get(PAGE + "/{task_id}", response_class=HTMLResponse)
async def task_edit(
    task_id: PathId,
    request: Request,
    quests: Quests,
    catalog: Catalog,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    task = await quests.admin_task(task_id)
    gates = await quests.task_gates(task_id)
    values = task_form.values_of(task, gates, settings_of(request).tz)
    return await _render(request, pages, catalog, user, values, task=task)


async def _save(
    request: Request,
    quests: Quests,
    catalog: Catalog,
    pages: Pages,
    user: Principal,
    form: Form,
    kind: TaskKind,
    task: TaskAdminRead | None,
) -> Response:
    parsed = task_form.parse(form, kind, settings_of(request).tz)
    if form.get("action") == "more":
        # «Добавить вопросы»: the same form with more room, nothing saved, nothing refused yet.
        values = task_form.with_blank_blocks(parsed.values, task_form.NEW_QUESTION_BLOCKS)
        return await _render(request, pages, catalog, user, values, task=task)
    if parsed.data is None or parsed.gates is None:
        errors = parsed.errors
        return await _render(
            request, pages, catalog, user, parsed.values, task=task, errors=errors, status=422
        )
    try:
        saved = await _store(quests, user, parsed.data, parsed.gates, task)
    except AppError as exc:
        status = status_of(exc)
        return await _render(
            request, pages, catalog, user, parsed.values, task=task, refusal=exc, status=status
        )
    return flash(redirect(f"{PAGE}/{saved.id}"), request, "saved")


async def _store(
    quests: Quests,
    user: Principal,
    data: TaskCreate,
    gates: TaskGates,
    task: TaskAdminRead | None,
) -> TaskAdminRead:
    if task is None:
        return await quests.create_task(data, actor_id=user.user_id, gates=gates)
    change: dict[str, Any] = data.model_dump(include=_UPDATED[task.kind])
    typed = task_form.questions_payload(data)
    if task.kind is TaskKind.QUIZ and typed != task_form.saved_questions(task):
        # Only a real change of questions is sent: one tried already refuses any.
        change["questions"] = typed
    return await quests.update_task(
        task.id, TaskUpdate.model_validate(change), actor_id=user.user_id, gates=gates
    )


@router.post(PAGE, response_class=HTMLResponse)
async def task_create(
    request: Request,
    quests: Quests,
    catalog: Catalog,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    form = await task_form_fields(request)
    kind = _kind(form.get("kind"))
    if kind is None:
        return error_page(request, 422, "unknown_kind", "Такого вида заданий нет.")
    return await _save(request, quests, catalog, pages, user, form, kind, None)


@router.post(PAGE + "/{task_id}", response_class=HTMLResponse)
async def task_update(
    task_id: PathId,
    request: Request,
    quests: Quests,
    catalog: Catalog,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    form = await task_form_fields(request)
    task = await quests.admin_task(task_id)
    return await _save(request, quests, catalog, pages, user, form, task.kind, task)
