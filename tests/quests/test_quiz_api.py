"""Quizzes through the JSON API: secret answers, thresholds, limits, time, window, bad input."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from tests.quests.conftest import MakeTask, right_answers
from tests.registration.conftest import MakeParticipant, Participant


def _keys(document: Any) -> set[str]:
    if isinstance(document, dict):
        return set(document) | {k for v in document.values() for k in _keys(v)}
    if isinstance(document, list):
        return {k for v in document for k in _keys(v)}
    return set()


def assert_no_answers(response_json: Any) -> None:
    """Nothing that tells a right option from a wrong one, nor the code word."""
    keys = _keys(response_json)
    assert "correct" not in keys, response_json
    assert "code_word" not in keys, response_json
    assert not any(isinstance(d, dict) and d.get("right_options") for d in _walk(response_json)), (
        response_json
    )


def _walk(document: Any) -> list[Any]:
    if isinstance(document, dict):
        return [document, *[x for v in document.values() for x in _walk(v)]]
    if isinstance(document, list):
        return [x for v in document for x in _walk(v)]
    return []


async def start(person: Participant, task_id: int, **body: Any) -> dict[str, Any]:
    response = await person.post(f"/api/v1/tasks/{task_id}/attempts", json=body)
    assert response.status_code == 200, response.text
    data: dict[str, Any] = response.json()
    return data


async def submit(person: Participant, task_id: int, answers: dict[str, list[int]]) -> Any:
    return await person.post(f"/api/v1/tasks/{task_id}/attempts", json={"answers": answers})


async def test_no_task_endpoint_reveals_answers_before_the_quiz_is_over(
    participant: MakeParticipant, make_quiz: MakeTask, make_task: MakeTask
) -> None:
    quiz = await make_quiz()
    await make_task("code_word", code_word="Секрет")
    person = await participant()
    anonymous_list = await person.client.get("/api/v1/tasks")
    seen = [anonymous_list.json(), (await person.client.get(f"/api/v1/tasks/{quiz.id}")).json()]
    attempt = await start(person, quiz.id)
    seen += [attempt, await start(person, quiz.id, start=True)]
    seen += [(await person.get("/api/v1/tasks")).json()]
    seen += [(await person.get(f"/api/v1/tasks/{quiz.id}")).json()]
    failed = await submit(person, quiz.id, right_answers(quiz, wrong=5))
    assert failed.status_code == 200
    seen.append(failed.json())
    for document in seen:
        assert_no_answers(document)
    assert len(attempt["questions"]) == 12
    assert all(len(q["options"]) == 4 for q in attempt["questions"])
    assert attempt["deadline"] is not None
    assert failed.json()["passed"] is False
    assert failed.json()["score"] == 7
    assert len(failed.json()["wrong"]) == 5
    assert failed.json()["attempts_left"] == 2


async def test_passing_pays_once_and_reveals_answers_only_when_no_try_is_left(
    participant: MakeParticipant, make_quiz: MakeTask
) -> None:
    quiz = await make_quiz()
    person = await participant()
    await start(person, quiz.id)
    passed = (await submit(person, quiz.id, right_answers(quiz, wrong=2))).json()
    assert (passed["score"], passed["max_score"], passed["passed"]) == (10, 12, True)
    assert passed["points"] == 50
    assert passed["right_options"] is None
    await start(person, quiz.id)
    again = (await submit(person, quiz.id, right_answers(quiz))).json()
    assert again["passed"] is True
    assert again["points"] == 0  # the task pays once
    await start(person, quiz.id)
    last = (await submit(person, quiz.id, right_answers(quiz, wrong=12))).json()
    assert last["attempts_left"] == 0
    assert last["right_options"] == {
        str(q.id): [o.id for o in q.options if o.correct] for q in quiz.questions
    }
    refused = await person.post(f"/api/v1/tasks/{quiz.id}/attempts", json={})
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "attempts_exhausted"
    points = (await person.get("/api/v1/me/points")).json()
    assert points["balance"] == 50
    task = (await person.get(f"/api/v1/tasks/{quiz.id}")).json()
    assert task["progress"] == {
        "done": True,
        "attempts_used": 3,
        "attempts_left": 0,
        "best_score": 12,
        "open_attempt_id": None,
    }


async def test_nine_of_twelve_fails(participant: MakeParticipant, make_quiz: MakeTask) -> None:
    quiz = await make_quiz()
    person = await participant()
    await start(person, quiz.id)
    result = (await submit(person, quiz.id, right_answers(quiz, wrong=3))).json()
    assert (result["score"], result["passed"], result["points"]) == (9, False, 0)


async def test_a_late_submission_is_refused_and_counts(
    participant: MakeParticipant, make_quiz: MakeTask
) -> None:
    quiz = await make_quiz()
    person = await participant()
    attempt = await start(person, quiz.id)
    late = datetime.fromisoformat(attempt["deadline"]) + timedelta(seconds=30)
    with time_machine.travel(late, tick=False):
        response = await submit(person, quiz.id, right_answers(quiz))
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "attempt_expired"
        # No attempt is open any more: with a time limit, one must start again.
        again = await submit(person, quiz.id, right_answers(quiz))
        assert again.json()["error"]["code"] == "no_open_attempt"
        task = (await person.get(f"/api/v1/tasks/{quiz.id}")).json()
    assert task["progress"]["attempts_used"] == 1
    assert task["progress"]["done"] is False
    second = await start(person, quiz.id)
    assert second["number"] == 2
    in_time = datetime.fromisoformat(second["deadline"]) - timedelta(seconds=1)
    with time_machine.travel(in_time, tick=False):
        ok = await submit(person, quiz.id, right_answers(quiz))
    assert ok.status_code == 200, ok.text
    assert ok.json()["passed"] is True


async def test_outside_the_window_is_task_closed(
    participant: MakeParticipant, make_quiz: MakeTask
) -> None:
    now = datetime.now(UTC)
    later = await make_quiz(opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2))
    over = await make_quiz(opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1))
    person = await participant()
    for quiz in (later, over):
        response = await person.post(f"/api/v1/tasks/{quiz.id}/attempts", json={})
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "task_closed"
    listed = {
        t["id"]: t["availability"] for t in (await person.get("/api/v1/tasks")).json()["items"]
    }
    assert listed == {later.id: "not_open", over.id: "closed"}


async def test_orders_differ_between_attempts(
    participant: MakeParticipant, make_quiz: MakeTask
) -> None:
    quiz = await make_quiz(max_attempts=None)
    person = await participant()
    orders = []
    for _ in range(3):
        attempt = await start(person, quiz.id)
        orders.append([(q["id"], [o["id"] for o in q["options"]]) for q in attempt["questions"]])
        assert (await submit(person, quiz.id, {})).status_code == 200
    # 12! × 24^12 orders: three equal ones would mean no shuffling at all.
    assert len({json.dumps(o) for o in orders}) > 1
    assert all(sorted(q for q, _ in o) == sorted(q.id for q in quiz.questions) for o in orders)


async def test_without_a_time_limit_one_call_starts_and_submits(
    participant: MakeParticipant, make_quiz: MakeTask
) -> None:
    quiz = await make_quiz(time_limit_seconds=None)
    person = await participant()
    result = await submit(person, quiz.id, right_answers(quiz))
    assert result.status_code == 200
    assert result.json()["passed"] is True


async def test_bad_answers_get_their_codes(
    participant: MakeParticipant, make_quiz: MakeTask
) -> None:
    quiz = await make_quiz()
    person = await participant()
    url = f"/api/v1/tasks/{quiz.id}/attempts"
    q1, q2 = quiz.questions[0], quiz.questions[1]
    await start(person, quiz.id)
    cases = [
        ({"answers": {"999999": [1]}}, 422, "invalid_answers"),
        ({"answers": {str(q1.id): [q2.options[0].id]}}, 422, "invalid_answers"),
        ({"answers": {str(q1.id): [o.id for o in q1.options[:2]]}}, 422, "invalid_answers"),
        ({"answers": {str(q1.id): "one"}}, 422, "validation_error"),
        ({"answers": {"abc": [1]}}, 422, "validation_error"),
        ({"answers": [1, 2]}, 422, "validation_error"),
        ({"code_word": "слово"}, 422, "invalid_attempt"),
        ({"unknown": 1}, 422, "validation_error"),
    ]
    for body, status, code in cases:
        response = await person.post(url, json=body)
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), body
    missing = await person.post("/api/v1/tasks/999999/attempts", json={})
    assert missing.json()["error"]["code"] == "task_not_found"
    # None of these used up a try.
    task = (await person.get(f"/api/v1/tasks/{quiz.id}")).json()
    assert task["progress"]["attempts_used"] == 1


async def test_fuzzed_attempt_bodies_never_500(
    participant: MakeParticipant, make_quiz: MakeTask, make_task: MakeTask
) -> None:
    quiz = await make_quiz(max_attempts=None, time_limit_seconds=None)
    word = await make_task("code_word", code_word="Ракета", max_attempts=1000)
    person = await participant()
    ids = st.sampled_from(
        [q.id for q in quiz.questions] + [o.id for o in quiz.questions[0].options]
    )
    values = st.one_of(
        st.none(), st.booleans(), st.integers(-(2**40), 2**40), st.text(max_size=8), ids
    )
    bodies = st.one_of(
        st.dictionaries(
            st.sampled_from(["answers", "start", "code_word", "slot_id", "rating", "x"]),
            st.one_of(values, st.lists(values, max_size=3)),
            max_size=3,
        ),
        st.fixed_dictionaries(
            {
                "answers": st.dictionaries(
                    st.one_of(ids.map(str), st.text(max_size=4)),
                    st.lists(ids, max_size=4),
                    max_size=4,
                )
            }
        ),
        values,
    )
    # Hypothesis drives sync functions: it picks the bodies, this loop sends them.
    pending: list[tuple[Any, int]] = []

    @settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
    @given(body=bodies, which=st.sampled_from([quiz.id, word.id]))
    def examples(body: Any, which: int) -> None:
        pending.append((body, which))

    examples()
    for body, which in pending:
        response = await person.post(f"/api/v1/tasks/{which}/attempts", json=body)
        assert response.status_code < 500, (body, response.text)
        if response.status_code >= 400:
            assert response.json()["error"]["code"], (body, response.text)
        else:
            assert_no_answers(response.json())


async def test_reading_the_open_attempt_never_uses_up_a_try(
    participant: MakeParticipant, make_quiz: MakeTask, session: AsyncSession, settings: Settings
) -> None:
    from openindustry.quests.service import QuestsService

    quiz = await make_quiz(time_limit_seconds=60, max_attempts=1)
    person = await participant()
    me = (await person.get("/api/v1/me")).json()
    quests = QuestsService(session, settings)
    assert await quests.open_attempt(me["id"], quiz.id) is None  # nothing started by reading
    started = await quests.start_attempt(me["id"], quiz.id)
    again = await quests.open_attempt(me["id"], quiz.id)
    assert again is not None
    assert again.attempt_id == started.attempt_id
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=5), tick=False):
        # Past its deadline the attempt is no longer offered, and reading does not close it.
        assert await quests.open_attempt(me["id"], quiz.id) is None
        assert await quests.open_attempt(me["id"], quiz.id) is None
