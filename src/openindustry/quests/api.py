"""Quest JSON routes: tasks with progress, attempts, invites; organizers' tasks and prize draws."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.catalog.schemas import Page
from openindustry.config import Settings
from openindustry.draws.schemas import DrawRead
from openindustry.kit.auth import CurrentUser, MaybeUser, Organizer
from openindustry.kit.deps import get_session, get_settings
from openindustry.kit.ratelimit import Limiter, Scope, client_ip
from openindustry.kit.types import PathId
from openindustry.quests.models import TaskKind
from openindustry.quests.schemas import (
    AttemptInput,
    AttemptResult,
    AttemptStarted,
    PrizeDrawRequest,
    ReferralAccept,
    ReferralRead,
    TaskAdminRead,
    TaskCreate,
    TaskGates,
    TaskRead,
    TaskUpdate,
)
from openindustry.quests.service import QuestsService

router = APIRouter(tags=["quests"])


async def get_quests(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> QuestsService:
    return QuestsService(session, settings)


Quests = Annotated[QuestsService, Depends(get_quests)]


@router.get("/tasks", summary="Tasks, with the caller's progress when signed in")
async def list_tasks(
    quests: Quests,
    user: MaybeUser,
    kind: Annotated[TaskKind | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[TaskRead]:
    user_id = user.user_id if user else None
    return await quests.tasks(user_id, kind=kind, limit=limit, offset=offset)


@router.get("/tasks/{task_id}", summary="One task (a quiz's questions come with an attempt)")
async def get_task(task_id: PathId, quests: Quests, user: MaybeUser) -> TaskRead:
    return await quests.task(task_id, user.user_id if user else None)


@router.post(
    "/tasks/{task_id}/attempts",
    summary="Start or submit a quiz attempt, try a code word, or leave feedback",
    description=(
        'Quiz: `{}` or `{"start": true}` starts (or returns the open) attempt with its questions; '
        '`{"answers": {"<question_id>": [<option_id>, ...]}}` submits. Code word: '
        '`{"code_word": "..."}`. Feedback: `{"slot_id", "rating", "comment"}`.'
    ),
)
async def attempt(
    task_id: PathId,
    body: AttemptInput,
    request: Request,
    quests: Quests,
    caller: CurrentUser,
    limiter: Limiter,
) -> AttemptStarted | AttemptResult:
    # Guessing code words (or hammering a quiz) is slowed per person and per address, whatever
    # the task's own attempt limits.
    await limiter.check(Scope.ATTEMPT, participant=caller.user_id, ip=client_ip(request))
    return await quests.attempt(caller.user_id, task_id, body)


@router.get("/me/referral", summary="The caller's invite code and link")
async def my_referral(quests: Quests, caller: CurrentUser) -> ReferralRead:
    return await quests.referral(caller.user_id)


@router.post("/me/referral", summary="Accept an invite (once, as a newcomer)")
async def accept_referral(
    body: ReferralAccept, quests: Quests, caller: CurrentUser
) -> ReferralRead:
    return await quests.accept_referral(caller.user_id, body.code)


@router.post(
    "/admin/tasks", status_code=status.HTTP_201_CREATED, summary="Organizer: create a task"
)
async def create_task(body: TaskCreate, quests: Quests, _organizer: Organizer) -> TaskAdminRead:
    return await quests.create_task(body, actor_id=_organizer.user_id)


@router.get("/admin/tasks/{task_id}", summary="Organizer: a task with its answers and code word")
async def admin_task(task_id: PathId, quests: Quests, _organizer: Organizer) -> TaskAdminRead:
    return await quests.admin_task(task_id)


@router.get(
    "/admin/tasks/{task_id}/gates",
    summary="Organizer: the series and upcoming slots that require this task",
)
async def task_gates(task_id: PathId, quests: Quests, _organizer: Organizer) -> TaskGates:
    return await quests.task_gates(task_id)


@router.put(
    "/admin/tasks/{task_id}/gates",
    summary="Organizer: make exactly these series and slots (not yet over) require the task",
)
async def set_task_gates(
    task_id: PathId, body: TaskGates, quests: Quests, _organizer: Organizer
) -> TaskGates:
    await quests.set_task_gates(task_id, body, actor_id=_organizer.user_id)
    return await quests.task_gates(task_id)


@router.patch("/admin/tasks/{task_id}", summary="Organizer: change a task")
async def update_task(
    task_id: PathId, body: TaskUpdate, quests: Quests, _organizer: Organizer
) -> TaskAdminRead:
    return await quests.update_task(task_id, body, actor_id=_organizer.user_id)


@router.post(
    "/admin/prizes/{prize_id}/draw",
    summary="Organizer: draw a prize among a quiz's passers (score ≥ min_score in its window)",
)
async def draw_prize(
    prize_id: PathId, body: PrizeDrawRequest, quests: Quests, _organizer: Organizer
) -> DrawRead:
    return await quests.draw_prize(prize_id, body, actor_id=_organizer.user_id)
