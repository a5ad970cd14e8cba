"""«Задания» over HTTP with cookie sessions: the quiz played page by page, code words, the slot
page's gating by a task, points and the leaderboard."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.catalog.schemas import SlotUpdate
from openindustry.config import Settings
from openindustry.quests.models import TaskKind
from openindustry.quests.schemas import TaskAdminRead, TaskCreate
from openindustry.quests.service import QuestsService
from tests import factories
from tests.web import test_registration_pages as registration_pages
from tests.web.test_registration_pages import (
    MakePerson,
    MakeSlot,
    Person,
    _form,
    _text,
)

# The registration pages' fixtures, shared.
open_slot = registration_pages.open_slot
person = registration_pages.person

QUESTIONS = [
    ("Сколько будет два плюс два?", [("Четыре", True), ("Пять", False), ("Три", False)], False),
    ("Какого цвета небо днём?", [("Голубое", True), ("Зелёное", False)], False),
    (
        "Какие из этих чисел чётные?",
        [("Два", True), ("Шесть", True), ("Семь", False)],
        True,
    ),
]
OPTION = re.compile(
    r'<input class="check" type="(?:radio|checkbox)" id="option-(\d+)" name="c" value="\d+"[^>]*>'
    r'\s*<label for="option-\d+">([^<]*)</label>'
)


async def _quiz(session: AsyncSession, settings: Settings, **changes: Any) -> TaskAdminRead:
    now = datetime.now(UTC)
    data: dict[str, Any] = {
        "kind": TaskKind.QUIZ,
        "title": "Проверочная викторина",
        "description": "Три вопроса.",
        "points": 50,
        "opens_at": now - timedelta(hours=1),
        "closes_at": now + timedelta(days=5),
        "pass_threshold": 2,
        "max_attempts": 2,
        "time_limit_seconds": 600,
        "questions": [
            {"text": t, "multiple": m, "options": [{"text": o, "correct": c} for o, c in opts]}
            for t, opts, m in QUESTIONS
        ],
    } | changes
    return await QuestsService(session, settings).create_task(TaskCreate.model_validate(data))


async def _code_word_task(session: AsyncSession, settings: Settings, points: int = 30) -> int:
    task = await QuestsService(session, settings).create_task(
        TaskCreate(
            kind=TaskKind.CODE_WORD,
            title="Кодовое слово",
            points=points,
            code_word="Ёлка Моспром",
            max_attempts=3,
        )
    )
    return task.id


def _right(text: str) -> bool:
    for _question, options, _multiple in QUESTIONS:
        for option, correct in options:
            if option == text:
                return correct
    raise AssertionError(text)


async def play(someone: Person, task_id: int, *, right: bool, next_: str = "") -> httpx.Response:
    """Start the quiz on its page and answer every question; returns the redirect to the result."""
    suffix = f"?next={next_}" if next_ else ""
    started = await someone.submit(f"/tasks/{task_id}{suffix}", f"/tasks/{task_id}/start")
    assert started.status_code == 303, _text(started)
    url = started.headers["location"]
    seen: list[str] = []
    for _ in range(10):
        page = await someone.get(url)
        assert page.status_code == 200, (url, page.status_code)
        seen.append(page.text)
        options = [(oid, html.unescape(label)) for oid, label in OPTION.findall(page.text)]
        chosen = [oid for oid, label in options if _right(label) == right]
        if not right:
            chosen = chosen[:1]
        if f'action="/tasks/{task_id}/submit"' in page.text:
            form = _form(page, f"/tasks/{task_id}/submit")
            for text in seen:
                _assert_no_answers(text)
            return await someone.client.post(f"/tasks/{task_id}/submit", data={**form, "c": chosen})
        form = _form(page, f"/tasks/{task_id}/play")
        step = re.search(r'name="q" value="(\d+)"', page.text)
        assert step
        response = await someone.client.get(
            f"/tasks/{task_id}/play", params={**form, "c": chosen, "q": step.group(1)}
        )
        assert response.status_code == 200
        url = str(response.url)
        seen.append(response.text)
    raise AssertionError("the quiz never ended")


def _assert_no_answers(page: str) -> None:
    # Every option is written the same way; nothing tells the right ones apart.
    assert "correct" not in page.lower()
    inputs = re.findall(r'<input class="check"[^>]*>', page)
    assert inputs
    assert all(" checked" not in i or "option-" in i for i in inputs)
    assert "Верные ответы" not in page


async def test_the_quiz_played_page_by_page_to_a_pass(
    person: MakePerson, session: AsyncSession, settings: Settings
) -> None:
    quiz = await _quiz(session, settings)
    anna = await person()
    tasks = await anna.get("/tasks")
    assert tasks.status_code == 200
    assert "Проверочная викторина" in _text(tasks)
    assert "Доступны сейчас" in _text(tasks)

    page = await anna.get(f"/tasks/{quiz.id}")
    text = _text(page)
    assert "верно ответить на 2 из 3" in text
    assert "10 мин" in text
    assert "осталось 2 из 2" in text

    done = await play(anna, quiz.id, right=True)
    assert done.status_code == 303
    result = await anna.get(done.headers["location"])
    text = _text(result)
    assert "Викторина пройдена!" in text
    assert "3 из 3" in text
    assert "Начислено: 50 баллов." in text
    assert "Ошибки" not in text

    tasks = _text(await anna.get("/tasks"))
    assert "Выполнены" in tasks
    assert "✓ Выполнено" in tasks
    points = _text(await anna.get("/me/points"))
    assert "+50" in points
    assert "Задание «Проверочная викторина»" in points

    # The same result page cannot be replayed by somebody else.
    bob = await person()
    forged = await bob.get(done.headers["location"])
    assert forged.status_code == 303


async def test_the_quiz_failed_shows_wrong_questions_then_the_answers_and_the_limit(
    person: MakePerson, session: AsyncSession, settings: Settings
) -> None:
    quiz = await _quiz(session, settings)
    anna = await person()
    first = await anna.get((await play(anna, quiz.id, right=False)).headers["location"])
    text = _text(first)
    assert "Не хватило верных ответов" in text
    assert "0 из 3" in text
    assert "Ошибки в вопросах: 1, 2, 3." in text
    assert "Осталось попыток: 1." in text
    assert "Верные ответы" not in text  # a next attempt is still possible

    second = await anna.get((await play(anna, quiz.id, right=False)).headers["location"])
    text = _text(second)
    assert "Попытки закончились." in text
    assert "Верные ответы" in text
    assert "Четыре" in text
    assert "Два; Шесть" in text

    page = await anna.get(f"/tasks/{quiz.id}")
    assert "Попытки закончились" in _text(page)
    assert f'action="/tasks/{quiz.id}/start"' not in page.text
    refused = await anna.client.post(f"/tasks/{quiz.id}/start", data=await anna.csrf())
    assert refused.status_code == 409
    assert "Попытки закончились." in _text(refused)


async def test_navigation_keeps_answers_and_back_works(
    person: MakePerson, session: AsyncSession, settings: Settings
) -> None:
    quiz = await _quiz(session, settings)
    anna = await person()
    started = await anna.submit(f"/tasks/{quiz.id}", f"/tasks/{quiz.id}/start")
    first = await anna.get(started.headers["location"])
    assert "Вопрос 1 из 3" in _text(first)
    assert '<progress class="quiz__bar" max="3" value="1"' in first.text
    assert "Назад" not in _text(first)
    option = OPTION.findall(first.text)[0][0]
    form = _form(first, f"/tasks/{quiz.id}/play")
    second = await anna.client.get(f"/tasks/{quiz.id}/play", params={**form, "c": option, "q": "2"})
    assert "Вопрос 2 из 3" in _text(second)
    assert "Время на попытку — до" in _text(second)
    back = re.search(r'<a class="button button--ghost" href="([^"]+)">Назад</a>', second.text)
    assert back
    again = await anna.get(html.unescape(back.group(1)))
    assert "Вопрос 1 из 3" in _text(again)
    assert f'id="option-{option}" name="c" value="{option}" checked' in again.text
    # A GET of the play page never starts an attempt: without one it leads to the task page.
    bob = await person()
    assert (await bob.get(f"/tasks/{quiz.id}/play?q=1")).status_code == 303


async def test_code_word_ignores_case_and_yo(
    person: MakePerson, session: AsyncSession, settings: Settings
) -> None:
    task_id = await _code_word_task(session, settings)
    anna = await person()
    wrong = await anna.submit(f"/tasks/{task_id}", f"/tasks/{task_id}/code", {"code_word": "нет"})
    assert wrong.status_code == 303
    page = _text(await anna.get(f"/tasks/{task_id}"))
    assert "Слово не подошло" in page
    assert "осталось 2 из 3" in page
    right = await anna.submit(
        f"/tasks/{task_id}", f"/tasks/{task_id}/code", {"code_word": "  ЕЛКА   моспром "}
    )
    assert right.status_code == 303
    page = _text(await anna.get(f"/tasks/{task_id}"))
    assert "Верно! Задание выполнено." in page
    assert "Задание выполнено" in page
    again = await anna.client.post(
        f"/tasks/{task_id}/code", data={**await anna.csrf(), "code_word": "ёлка моспром"}
    )
    assert again.status_code == 409
    assert "Это задание уже выполнено." in _text(again)
    empty = await anna.client.post(
        f"/tasks/{task_id}/code", data={**await anna.csrf(), "code_word": " "}
    )
    assert empty.status_code == 422


async def test_a_gated_slot_links_the_quiz_and_opens_after_passing(
    person: MakePerson, open_slot: MakeSlot, session: AsyncSession, settings: Settings
) -> None:
    quiz = await _quiz(session, settings)
    slot = await open_slot()
    await factories.catalog(session).update_slot(slot.id, SlotUpdate(required_tasks=[quiz.id]))
    anna = await person()
    page = await anna.get(f"/slots/{slot.id}")
    text = _text(page)
    assert "Чтобы записаться, выполните задание: Проверочная викторина" in text
    link = f"/tasks/{quiz.id}?next=%2Fslots%2F{slot.id}"
    assert f'href="{link}"' in page.text
    assert f'action="/slots/{slot.id}/register"' not in page.text

    # Posting anyway is refused with the same way forward.
    refused = await anna.client.post(
        f"/slots/{slot.id}/register",
        data={**await anna.csrf(), "form_key": "k" * 20},
    )
    assert refused.status_code == 409
    assert f'href="{link}"' in refused.text

    task_page = await anna.get(link)
    assert "← Вернуться к записи" in _text(task_page)
    done = await play(anna, quiz.id, right=True, next_=f"/slots/{slot.id}")
    location = done.headers["location"]
    assert parse_qs(urlsplit(location).query)["next"] == [f"/slots/{slot.id}"]
    result = await anna.get(location)
    assert re.search(rf'<a class="button button--primary" href="/slots/{slot.id}">', result.text)

    page = await anna.get(f"/slots/{slot.id}")
    assert "Чтобы записаться" not in _text(page)
    ticket = await anna.ticket_id(slot.id)
    assert ticket > 0


async def test_next_is_only_a_local_path(
    person: MakePerson, session: AsyncSession, settings: Settings
) -> None:
    quiz = await _quiz(session, settings)
    anna = await person()
    for target in ("https://evil.example/x", "//evil.example/x", "/\\evil.example"):
        page = await anna.client.get(f"/tasks/{quiz.id}", params={"next": target})
        main = page.text.split('<main id="main"', 1)[1]
        assert "evil.example" not in main
        assert "Вернуться к записи" not in main


async def test_leaderboard_shows_my_place(
    person: MakePerson, session: AsyncSession, settings: Settings
) -> None:
    task_id = await _code_word_task(session, settings)
    anna = await person()
    await anna.submit(f"/tasks/{task_id}", f"/tasks/{task_id}/code", {"code_word": "ёлка моспром"})
    board = await anna.get("/leaderboard")
    assert board.status_code == 200
    assert re.search(r'leaders__item--me"[^>]*aria-current="true"', board.text)
    assert "это вы" in _text(board)
    bob = await person()
    text = _text(await bob.get("/leaderboard"))
    assert "Вас пока нет в рейтинге" in text
    anonymous = await (await person()).client.get("/leaderboard?series_id=abc")
    assert anonymous.status_code == 404


async def test_forms_without_csrf_are_refused(
    person: MakePerson, session: AsyncSession, settings: Settings
) -> None:
    quiz = await _quiz(session, settings)
    code = await _code_word_task(session, settings)
    anna = await person()
    for action in (f"/tasks/{quiz.id}/start", f"/tasks/{quiz.id}/submit", f"/tasks/{code}/code"):
        response = await anna.client.post(action, data={"code_word": "ёлка моспром"})
        assert response.status_code == 403, action
    assert "осталось 3 из 3" in _text(await anna.get(f"/tasks/{code}"))


@pytest.mark.parametrize(
    "answers",
    ["garbage", "1:2:3", "x" * 6000, "99999:1", "-1:2"],
)
async def test_garbage_answers_are_4xx(
    person: MakePerson, session: AsyncSession, settings: Settings, answers: str
) -> None:
    quiz = await _quiz(session, settings)
    anna = await person()
    started = await anna.submit(f"/tasks/{quiz.id}", f"/tasks/{quiz.id}/start")
    assert started.status_code == 303
    page = await anna.get(f"/tasks/{quiz.id}/play?q={len(QUESTIONS)}")
    form = {
        **await anna.csrf(),
        "answers": answers,
        "attempt": _attempt_id(page.text),
    }
    response = await anna.client.post(f"/tasks/{quiz.id}/submit", data=form)
    assert 400 <= response.status_code < 500, response.status_code


def _attempt_id(page: str) -> str:
    # The play page of a non-final question has no attempt field; the task page has the link.
    found = re.search(r'name="attempt" value="(\d+)"', page)
    return found.group(1) if found else "0"


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/tasks/abc", 422),
        ("/tasks/0", 422),
        ("/tasks/424242", 404),
        ("/tasks/424242/play", 404),
        ("/tasks/1/result?r=forged.token", 303),
    ],
)
async def test_garbage_addresses_are_4xx(person: MakePerson, path: str, status: int) -> None:
    anna = await person()
    response = await anna.get(path)
    assert response.status_code == status, response.text[:300]


async def test_signed_out_visitors_see_tasks_and_are_sent_to_sign_in(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    quiz = await _quiz(session, settings)
    assert (await client.get("/tasks")).status_code == 200
    page = await client.get(f"/tasks/{quiz.id}")
    assert "Войдите, чтобы выполнить задание" in _text(page)
    for path in (f"/tasks/{quiz.id}/play", "/me/points", "/me/prizes"):
        response = await client.get(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/login")


async def test_an_invite_link_leads_to_the_invite_task_with_the_code(
    person: MakePerson, session: AsyncSession, settings: Settings, app: object
) -> None:
    task = await QuestsService(session, settings).create_task(
        TaskCreate(kind=TaskKind.REFERRAL, title="Пригласите друга", points=50)
    )
    inviter, friend = await person(), await person()
    link = (await inviter.get(f"/tasks/{task.id}")).text
    code = re.search(r'id="invite-link" value="[^"]*/invite/([A-Z0-9]+)"', link)
    assert code, "the invite task shows the link"
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as stranger:
        anonymous = await stranger.get(f"/invite/{code.group(1)}")
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/login?")
    signed_in = await friend.client.get(f"/invite/{code.group(1)}")
    assert signed_in.status_code == 303
    target = signed_in.headers["location"]
    assert target == f"/tasks/{task.id}?code={code.group(1)}"
    page = await friend.get(target)
    assert f'value="{code.group(1)}"' in page.text
