"""The quiz and task editor: every kind through its form, gating, refusals next to the fields."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.audit.models import AuditEntry
from openindustry.catalog.models import Series, Slot
from openindustry.quests.models import AttendanceScope, QuizOption, QuizQuestion, Task, TaskKind
from tests import factories
from tests.backoffice.conftest import SignIn, csrf_of, post_form, text_of
from tests.conftest import TokenFor

PAGE = "/backoffice/tasks"


def _quiz(**overrides: Any) -> dict[str, Any]:
    """A two-question quiz form as the browser sends it (one blank block, blank rows)."""
    form: dict[str, Any] = {
        "kind": "quiz",
        "title": "Что делают на «Эстете»",
        "description": "Двенадцать вопросов о ювелирном деле",
        "points": "30",
        "opens_at": "2030-12-01T10:00",
        "closes_at": "2030-12-22T18:00",
        "series_id": "",
        "pass_threshold": "1",
        "max_attempts": "3",
        "time_limit_minutes": "1.5",
        "question_count": "3",
        "q0-text": "Из чего делают кольца?",
        "q0-option_count": "4",
        "q0-o0-text": "Из золота",
        "q0-o0-correct": "on",
        "q0-o1-text": "Из картона",
        "q0-o2-text": "",
        "q0-o3-text": "",
        "q1-text": "Что печатают на 3D-принтере?",
        "q1-multiple": "on",
        "q1-option_count": "3",
        "q1-o0-text": "Восковые модели",
        "q1-o0-correct": "on",
        "q1-o1-text": "Формы для литья",
        "q1-o1-correct": "on",
        "q1-o2-text": "Слитки",
        "q2-text": "",
        "q2-option_count": "4",
    }
    return form | overrides


async def _actions(session: AsyncSession) -> list[str]:
    entries = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [e.action for e in entries if not e.action.startswith("staff.")]


async def test_organizer_creates_and_edits_a_quiz(sign_in: SignIn, session: AsyncSession) -> None:
    client = await sign_in()
    new = await client.get(f"{PAGE}/new?kind=quiz")
    assert new.status_code == 200
    assert 'name="q0-o3-text"' in new.text  # blank blocks to fill without JavaScript
    created = await post_form(client, f"{PAGE}/new?kind=quiz", PAGE, _quiz())
    assert created.status_code == 303, text_of(created)[:600]
    task = (await session.scalars(select(Task))).one()
    assert created.headers["location"] == f"{PAGE}/{task.id}"
    assert (task.kind, task.points, task.pass_threshold) == (TaskKind.QUIZ, 30, 1)
    assert task.time_limit_seconds == 90
    assert task.opens_at is not None
    assert task.opens_at.astimezone(UTC) == datetime(2030, 12, 1, 7, 0, tzinfo=UTC)  # Moscow
    questions = (await session.scalars(select(QuizQuestion).order_by(QuizQuestion.position))).all()
    assert [q.text for q in questions] == ["Из чего делают кольца?", "Что печатают на 3D-принтере?"]
    assert questions[1].multiple is True
    options = (await session.scalars(select(QuizOption).order_by(QuizOption.id))).all()
    assert [(o.text, o.correct) for o in options] == [
        ("Из золота", True),
        ("Из картона", False),
        ("Восковые модели", True),
        ("Формы для литья", True),
        ("Слитки", False),
    ]

    page = await client.get(created.headers["location"])
    assert "Изменения сохранены." in text_of(page)
    assert 'value="1.5"' in page.text
    assert 'value="2030-12-01T10:00"' in page.text
    edited = await client.post(
        f"{PAGE}/{task.id}",
        data={
            "csrf_token": csrf_of(page),
            **_quiz(title="Ювелирная викторина", points="40", kind="ignored"),
            "time_limit_minutes": "",
        },
    )
    assert edited.status_code == 303, text_of(edited)[:600]
    await session.refresh(task)
    assert (task.title, task.points, task.time_limit_seconds) == ("Ювелирная викторина", 40, None)
    assert task.kind is TaskKind.QUIZ  # the kind never changes
    # Unchanged questions are not rewritten: the same rows are still there.
    assert [q.id for q in await session.scalars(select(QuizQuestion))] == [q.id for q in questions]
    assert await _actions(session) == ["task.created", "task.updated"]


async def test_refused_quiz_keeps_the_input(sign_in: SignIn, session: AsyncSession) -> None:
    client = await sign_in()
    refused = await post_form(
        client,
        f"{PAGE}/new?kind=quiz",
        PAGE,
        _quiz(
            title="",
            points="-5",
            closes_at="2030-11-01T10:00",
            **{"q0-o0-correct": "", "q1-multiple": ""},
        ),
    )
    assert refused.status_code == 422
    text = text_of(refused)
    assert "Укажите название" in text
    assert "Баллы — целое число" in text
    assert "Отметьте хотя бы один верный вариант." in text  # question 1
    assert "Отметьте ровно один верный вариант" in text  # question 2: two right, single choice
    assert 'id="q0" aria-describedby="q0-error"' in refused.text
    assert 'value="Из картона"' in refused.text  # nothing typed is lost
    assert 'value="-5"' in refused.text
    assert (await session.scalars(select(Task))).first() is None

    window = await post_form(
        client, f"{PAGE}/new?kind=quiz", PAGE, _quiz(closes_at="2030-11-01T10:00")
    )
    assert window.status_code == 422
    assert "закрываться позже, чем открывается" in text_of(window)
    too_high = await post_form(client, f"{PAGE}/new?kind=quiz", PAGE, _quiz(pass_threshold="5"))
    assert "не может быть больше, чем вопросов" in text_of(too_high)
    empty = await post_form(client, f"{PAGE}/new?kind=quiz", PAGE, _quiz(question_count="0"))
    assert "Добавьте хотя бы один вопрос." in text_of(empty)
    bad_time = await post_form(client, f"{PAGE}/new?kind=quiz", PAGE, _quiz(opens_at="завтра"))
    assert bad_time.status_code == 422
    assert 'id="opens_at" name="opens_at" aria-invalid="true"' in bad_time.text
    assert await _actions(session) == []


async def test_more_questions_adds_room_without_saving(
    sign_in: SignIn, session: AsyncSession
) -> None:
    client = await sign_in()
    more = await post_form(client, f"{PAGE}/new?kind=quiz", PAGE, _quiz(action="more"))
    assert more.status_code == 200
    assert 'name="question_count" value="6"' in more.text
    assert 'value="Из золота"' in more.text
    assert (await session.scalars(select(Task))).first() is None


async def test_code_word_attendance_feedback_referral(
    sign_in: SignIn, session: AsyncSession
) -> None:
    plant = await factories.enterprise(session, name="ГКНПЦ им. Хруничева")
    client = await sign_in()
    base = {"points": "10", "opens_at": "", "closes_at": "", "series_id": "", "description": ""}
    code = await post_form(
        client,
        f"{PAGE}/new?kind=code_word",
        PAGE,
        base
        | {
            "kind": "code_word",
            "title": "Слово с экскурсии",
            "code_word": "Ракета",
            "max_attempts": "",
        },
    )
    assert code.status_code == 303, text_of(code)[:600]
    no_word = await post_form(
        client,
        f"{PAGE}/new?kind=code_word",
        PAGE,
        base | {"kind": "code_word", "title": "x", "code_word": ""},
    )
    assert no_word.status_code == 422
    assert "Укажите кодовое слово" in text_of(no_word)

    no_plant = await post_form(
        client,
        f"{PAGE}/new?kind=attendance",
        PAGE,
        base
        | {"kind": "attendance", "title": "Побывать на заводе", "attendance_scope": "enterprise"},
    )
    assert no_plant.status_code == 422
    assert "Выберите серию или предприятие" in text_of(no_plant)
    visit = await post_form(
        client,
        f"{PAGE}/new?kind=attendance",
        PAGE,
        base
        | {
            "kind": "attendance",
            "title": "Побывать на заводе",
            "attendance_scope": "enterprise",
            "scope_enterprise_id": str(plant.id),
            "scope_series_id": "",
        },
    )
    assert visit.status_code == 303, text_of(visit)[:600]
    for kind in ("feedback", "referral"):
        done = await post_form(
            client, f"{PAGE}/new?kind={kind}", PAGE, base | {"kind": kind, "title": kind}
        )
        assert done.status_code == 303, text_of(done)[:600]
    tasks = {t.kind: t for t in await session.scalars(select(Task))}
    assert tasks[TaskKind.CODE_WORD].code_word == "Ракета"
    assert tasks[TaskKind.CODE_WORD].max_attempts == 10
    assert tasks[TaskKind.ATTENDANCE].attendance_scope is AttendanceScope.ENTERPRISE
    assert tasks[TaskKind.ATTENDANCE].scope_id == plant.id
    assert set(tasks) == set(TaskKind) - {TaskKind.QUIZ}

    listing = await client.get(f"{PAGE}?kind=code_word")
    assert "Слово с экскурсии" in text_of(listing)
    assert "Побывать на заводе" not in text_of(listing)
    # The list never shows a code word; the organizer's own form does.
    assert "Ракета" not in listing.text
    assert 'value="Ракета"' in (await client.get(f"{PAGE}/{tasks[TaskKind.CODE_WORD].id}")).text


async def test_gating_series_and_slots(sign_in: SignIn, session: AsyncSession) -> None:
    series = await factories.series(session)
    other = await factories.series(session, title="Ноябрьская серия")
    program = await factories.program(session)
    soon = datetime.now(UTC) + timedelta(days=5)
    in_series = await factories.slot(
        session, program_id=program.id, series_id=series.id, starts_at=soon
    )
    alone = await factories.slot(session, program_id=program.id, starts_at=soon + timedelta(days=1))
    client = await sign_in()
    base = {"kind": "referral", "title": "Позовите друга", "points": "5"}
    created = await post_form(
        client,
        f"{PAGE}/new?kind=referral",
        PAGE,
        base | {"gate_series": [str(series.id)], "gate_slots": [str(alone.id)]},
    )
    assert created.status_code == 303, text_of(created)[:600]
    task_id = int(created.headers["location"].rsplit("/", 1)[1])
    required = {s.id: s.required_tasks for s in await session.scalars(select(Series))}
    assert required == {series.id: [task_id], other.id: []}
    slots = {s.id: s.required_tasks for s in await session.scalars(select(Slot))}
    assert slots == {in_series.id: [], alone.id: [task_id]}
    form = await client.get(created.headers["location"])
    assert (
        f'id="gate-series-{series.id}" name="gate_series" value="{series.id}" checked' in form.text
    )
    assert f'<option value="{alone.id}" selected' in form.text
    assert "(уже через серию)" in text_of(form)

    moved = await client.post(
        created.headers["location"],
        data={
            "csrf_token": csrf_of(form),
            **base,
            "gate_series": [str(other.id)],
            "gate_slots": [str(in_series.id)],
        },
    )
    assert moved.status_code == 303, text_of(moved)[:600]
    for row in [*await session.scalars(select(Series)), *await session.scalars(select(Slot))]:
        await session.refresh(row)
    required = {s.id: s.required_tasks for s in await session.scalars(select(Series))}
    assert required == {series.id: [], other.id: [task_id]}
    slots = {s.id: s.required_tasks for s in await session.scalars(select(Slot))}
    assert slots == {in_series.id: [task_id], alone.id: []}
    actions = await _actions(session)
    assert actions.count("series.updated") == 3
    assert actions.count("slot.updated") == 3

    unknown = await post_form(
        client,
        created.headers["location"],
        created.headers["location"],
        base | {"gate_slots": ["999999"]},
    )
    assert unknown.status_code == 404
    assert "Такой экскурсии нет" in text_of(unknown)


async def test_access(client: httpx.AsyncClient, sign_in: SignIn, session: AsyncSession) -> None:
    assert (await client.get(PAGE)).status_code == 303
    plant = await factories.enterprise(session)
    host = await sign_in(Role.HOST, [plant.id])
    assert (await host.get(PAGE)).status_code == 403
    assert (await host.post(PAGE, data={"kind": "quiz"})).status_code == 403
    organizer = await sign_in(Role.ORGANIZER)
    assert (await organizer.post(PAGE, data={"kind": "referral", "title": "x"})).status_code == 403
    assert (await organizer.get(f"{PAGE}/999999")).status_code == 404
    assert (await organizer.get(f"{PAGE}/new?kind=lottery")).status_code == 404
    assert (await session.scalars(select(Task))).first() is None


async def test_the_gates_api(
    client: httpx.AsyncClient, token_for: TokenFor, session: AsyncSession
) -> None:
    series = await factories.series(session)
    slot = await factories.slot(session)
    auth = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}
    created = await client.post(
        "/api/v1/admin/tasks",
        json={"kind": "code_word", "title": "Слово", "code_word": "Ракета"},
        headers=auth,
    )
    task_id = created.json()["id"]
    read = await client.get(f"/api/v1/admin/tasks/{task_id}", headers=auth)
    assert read.json()["code_word"] == "Ракета"
    gates = {"series_ids": [series.id], "slot_ids": [slot.id]}
    put = await client.put(f"/api/v1/admin/tasks/{task_id}/gates", json=gates, headers=auth)
    assert put.status_code == 200, put.text
    assert put.json() == gates
    got = await client.get(f"/api/v1/admin/tasks/{task_id}/gates", headers=auth)
    assert got.json() == gates
    unknown = await client.put(
        f"/api/v1/admin/tasks/{task_id}/gates", json={"series_ids": [999999]}, headers=auth
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "series_not_found")
    participant = {"Authorization": f"Bearer {await token_for()}"}
    refused = await client.get(f"/api/v1/admin/tasks/{task_id}", headers=participant)
    assert refused.status_code == 403
