"""Code words, attendance, feedback, referrals, gating, and paying once under concurrency."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import User
from openindustry.catalog.schemas import SlotUpdate
from openindustry.config import Settings
from openindustry.kit import db
from openindustry.kit.errors import AppError
from openindustry.quests.service import QuestsService
from openindustry.registration.models import Registration
from openindustry.registration.staff import StaffRegistrations
from openindustry.rewards.models import PointsEntry
from tests import factories
from tests.quests.conftest import MakeTask, right_answers, user_id
from tests.registration.conftest import MakeParticipant, MakeSlot


async def attempt(person: Any, task_id: int, **body: Any) -> Any:
    return await person.post(f"/api/v1/tasks/{task_id}/attempts", json=body)


async def newest_user(session: AsyncSession, token_for: Any) -> int:
    await token_for()
    user = await session.scalar(select(func.max(User.id)))
    assert user is not None
    return user


async def ledger(session: AsyncSession, user: int) -> list[tuple[str, str, int, int]]:
    rows = await session.execute(
        select(PointsEntry.reason, PointsEntry.ref_type, PointsEntry.ref_id, PointsEntry.amount)
        .where(PointsEntry.user_id == user)
        .order_by(PointsEntry.id)
    )
    return [(str(r[0]), r[1], r[2], r[3]) for r in rows]


async def test_code_word_ignores_case_spaces_and_yo_and_limits_tries(
    participant: MakeParticipant, make_task: MakeTask
) -> None:
    task = await make_task("code_word", code_word="Ёлочная игрушка", max_attempts=3)
    person = await participant()
    wrong = (await attempt(person, task.id, code_word="шарик")).json()
    assert (wrong["passed"], wrong["points"], wrong["attempts_left"]) == (False, 0, 2)
    right = (await attempt(person, task.id, code_word="  ЕЛОЧНАЯ игрушка ")).json()
    assert (right["passed"], right["points"]) == (True, 10)
    again = await attempt(person, task.id, code_word="елочнаяигрушка")
    assert again.json()["error"]["code"] == "already_done"
    other = await participant()
    for _ in range(3):
        await attempt(other, task.id, code_word="нет")
    blocked = await attempt(other, task.id, code_word="ёлочная игрушка")
    assert blocked.json()["error"]["code"] == "attempts_exhausted"
    missing = await attempt(other, task.id)
    assert missing.json()["error"]["code"] == "invalid_attempt"


async def test_attendance_completes_by_scope_and_once(
    quests: QuestsService, make_task: MakeTask, session: AsyncSession, token_for: Any
) -> None:
    series = await factories.series(session)
    enterprise = await factories.enterprise(session)
    anywhere = await make_task("attendance")
    in_series = await make_task("attendance", attendance_scope="series", scope_id=series.id)
    at_factory = await make_task(
        "attendance", attendance_scope="enterprise", scope_id=enterprise.id
    )
    slot = await factories.slot(session)
    other = await factories.slot(session)
    user = await newest_user(session, token_for)
    done = await quests.record_attendance(
        user, slot_id=slot.id, series_id=None, enterprise_id=enterprise.id + 1000
    )
    assert done == [anywhere.id]
    done = await quests.record_attendance(
        user, slot_id=other.id, series_id=series.id, enterprise_id=enterprise.id
    )
    assert sorted(done) == sorted([in_series.id, at_factory.id])
    assert (
        await quests.record_attendance(
            user, slot_id=other.id, series_id=series.id, enterprise_id=enterprise.id
        )
        == []
    )
    assert await quests.completed(user, [anywhere.id, in_series.id, at_factory.id, 999]) == {
        anywhere.id,
        in_series.id,
        at_factory.id,
    }
    assert len(await ledger(session, user)) == 3


async def test_feedback_only_after_attending_and_once_per_slot(
    participant: MakeParticipant, make_task: MakeTask, open_slot: MakeSlot, session: AsyncSession
) -> None:
    task = await make_task("feedback", points=5)
    slot = await open_slot()
    person = await participant()
    assert (await person.register(slot.id)).status_code == 201
    body = {"slot_id": slot.id, "rating": 5, "comment": "Очень интересно"}
    refused = await attempt(person, task.id, **body)
    assert refused.json()["error"]["code"] == "feedback_not_allowed"
    me = await user_id(person)
    await session.execute(
        update(Registration)
        .where(Registration.user_id == me, Registration.slot_id == slot.id)
        .values(attended_at=slot.starts_at)
    )
    await session.commit()
    first = await attempt(person, task.id, **body)
    assert first.status_code == 200, first.text
    assert (first.json()["passed"], first.json()["points"]) == (True, 5)
    second = await attempt(person, task.id, **body | {"rating": 1})
    assert second.json()["error"]["code"] == "already_done"
    bad = await attempt(person, task.id, slot_id=slot.id, rating=6)
    assert bad.status_code == 422


async def test_referral_no_self_no_loops_and_pays_once_on_first_task(
    participant: MakeParticipant, make_task: MakeTask, session: AsyncSession
) -> None:
    referral_task = await make_task("referral", points=40)
    word = await make_task("code_word", code_word="завод", points=10)
    second_word = await make_task("code_word", code_word="цех", points=10)
    inviter, newcomer = await participant(), await participant()
    code = (await inviter.get("/api/v1/me/referral")).json()["code"]
    assert len(code) == 10
    own = await inviter.post("/api/v1/me/referral", json={"code": code})
    assert own.json()["error"]["code"] == "self_referral"
    junk = await newcomer.post("/api/v1/me/referral", json={"code": "AAAAAAAAAA"})
    assert junk.json()["error"]["code"] == "invalid_referral_code"
    accepted = await newcomer.post("/api/v1/me/referral", json={"code": code.lower()})
    assert accepted.status_code == 200, accepted.text
    inviter_id, newcomer_id = await user_id(inviter), await user_id(newcomer)
    assert accepted.json()["referred_by"] == inviter_id
    twice = await newcomer.post("/api/v1/me/referral", json={"code": code})
    assert twice.json()["error"]["code"] == "already_referred"
    back = (await newcomer.get("/api/v1/me/referral")).json()["code"]
    loop = await inviter.post("/api/v1/me/referral", json={"code": back})
    assert loop.json()["error"]["code"] == "referral_loop"
    assert (await inviter.get("/api/v1/me/referral")).json()["invited"] == 1

    await attempt(newcomer, word.id, code_word="Завод")
    await attempt(newcomer, second_word.id, code_word="ЦЕХ")
    assert await ledger(session, inviter_id) == [("referral", "user", newcomer_id, 40)]
    quests = QuestsService(session, Settings(database_url="sqlite://", environment="test"))
    assert await quests.completed(inviter_id, [referral_task.id]) == {referral_task.id}
    late = await participant()
    await attempt(late, word.id, code_word="завод")
    too_late = await late.post("/api/v1/me/referral", json={"code": code})
    assert too_late.json()["error"]["code"] == "referral_too_late"


async def test_gating_refuses_then_allows_registration(
    participant: MakeParticipant,
    make_quiz: MakeTask,
    open_slot: MakeSlot,
    session: AsyncSession,
    settings: Settings,
) -> None:
    quiz = await make_quiz()
    slot = await open_slot()
    await StaffRegistrations(session, settings).change_slot(
        slot.id, SlotUpdate(required_tasks=[quiz.id])
    )
    person = await participant()
    refused = await person.register(slot.id)
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "tasks_required"
    assert refused.json()["error"]["details"]["missing_tasks"] == [quiz.id]
    await attempt(person, quiz.id)
    passed = await attempt(person, quiz.id, answers=right_answers(quiz, wrong=2))
    assert passed.json()["passed"] is True
    booked = await person.register(slot.id)
    assert booked.status_code == 201, booked.text


async def test_concurrent_completions_pay_once(
    settings: Settings, engine: Any, make_task: MakeTask, session: AsyncSession, token_for: Any
) -> None:
    word = await make_task("code_word", code_word="ракета", points=25)
    visit = await make_task("attendance", points=15)
    user = await newest_user(session, token_for)
    slots = [await factories.slot(session), await factories.slot(session)]
    maker = db.create_sessionmaker(engine)

    async def code_word() -> Any:
        async with maker() as own:
            return await QuestsService(own, settings).submit_code_word(user, word.id, "Ракета")

    async def check_in(slot_id: int) -> list[int]:
        async with maker() as own:
            return await QuestsService(own, settings).record_attendance(
                user, slot_id=slot_id, series_id=None, enterprise_id=slots[0].enterprise_id
            )

    words = await asyncio.gather(code_word(), code_word(), return_exceptions=True)
    ok = [w for w in words if not isinstance(w, BaseException)]
    assert ok, words
    assert all(isinstance(w, AppError) for w in words if isinstance(w, BaseException)), words
    visits = await asyncio.gather(*(check_in(s.id) for s in slots))
    assert sorted(visits) == [[], [visit.id]]
    entries = await ledger(session, user)
    assert sorted(entries) == sorted(
        [("task", "task", word.id, 25), ("task", "task", visit.id, 15)]
    )
