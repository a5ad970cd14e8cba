"""Quest test helpers: tasks made through the service, answers read from the organizer's view."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.quests.demo import quiz_task
from openindustry.quests.schemas import TaskAdminRead, TaskCreate
from openindustry.quests.service import QuestsService
from tests.registration.conftest import Participant, open_slot, participant

__all__ = ["open_slot", "participant"]

MakeTask = Callable[..., Awaitable[TaskAdminRead]]


@pytest.fixture
def quests(session: AsyncSession, settings: Settings) -> QuestsService:
    return QuestsService(session, settings)


@pytest.fixture
def make_quiz(quests: QuestsService) -> MakeTask:
    """The demo's 12-question quiz (10 to pass, 3 attempts, 15 minutes), open now."""

    async def make(**changes: Any) -> TaskAdminRead:
        now = datetime.now(UTC)
        data = quiz_task(
            opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=5), series_id=None
        )
        return await quests.create_task(data.model_copy(update=changes))

    return make


@pytest.fixture
def make_task(quests: QuestsService) -> MakeTask:
    async def make(kind: str, **fields: Any) -> TaskAdminRead:
        data = {"kind": kind, "title": f"Задание {kind}", "points": 10} | fields
        return await quests.create_task(TaskCreate.model_validate(data))

    return make


def right_answers(task: TaskAdminRead, wrong: int = 0) -> dict[str, list[int]]:
    """Answers to every question, the first `wrong` of them answered wrongly."""
    answers = {}
    for index, question in enumerate(task.questions):
        right = [o.id for o in question.options if o.correct]
        if index < wrong:
            right = [next(o.id for o in question.options if not o.correct)]
        answers[str(question.id)] = right
    return answers


async def user_id(person: Participant) -> int:
    response = await person.get("/api/v1/me")
    assert response.status_code == 200, response.text
    return int(response.json()["id"])
