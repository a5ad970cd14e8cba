"""Organizers: tasks with questions, changes, and a prize drawn among a quiz's passers."""

from __future__ import annotations

from typing import Any

from openindustry.accounts.models import Role
from tests.conftest import TokenFor
from tests.quests.conftest import MakeTask, right_answers
from tests.registration.conftest import MakeParticipant

QUIZ: dict[str, Any] = {
    "kind": "quiz",
    "title": "Мини-викторина",
    "points": 5,
    "max_attempts": 2,
    "questions": [
        {"text": "Два плюс два?", "options": [{"text": "4", "correct": True}, {"text": "5"}]},
        {
            "text": "Чётные?",
            "multiple": True,
            "options": [
                {"text": "2", "correct": True},
                {"text": "4", "correct": True},
                {"text": "3"},
            ],
        },
    ],
}


async def test_create_change_and_refuse_bad_tasks(
    participant: MakeParticipant, token_for: TokenFor
) -> None:
    person = await participant()
    staff = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}
    client = person.client
    created = await client.post("/api/v1/admin/tasks", json=QUIZ, headers=staff)
    assert created.status_code == 201, created.text
    task = created.json()
    assert task["pass_threshold"] == 2
    assert task["question_count"] == 2
    url = f"/api/v1/admin/tasks/{task['id']}"
    changed = await client.patch(url, json={"title": "Новое", "pass_threshold": 1}, headers=staff)
    assert changed.json()["title"] == "Новое"
    too_high = await client.patch(url, json={"pass_threshold": 3}, headers=staff)
    assert too_high.json()["error"]["code"] == "invalid_task"
    await person.post(f"/api/v1/tasks/{task['id']}/attempts", json={})
    locked = await client.patch(url, json={"questions": QUIZ["questions"][:1]}, headers=staff)
    assert locked.json()["error"]["code"] == "task_has_attempts"
    for bad in (
        QUIZ | {"questions": []},
        QUIZ | {"questions": [{"text": "?", "options": [{"text": "a"}, {"text": "b"}]}]},
        {"kind": "code_word", "title": "Слово"},
        {"kind": "attendance", "title": "Визит", "attendance_scope": "series"},
    ):
        refused = await client.post("/api/v1/admin/tasks", json=bad, headers=staff)
        assert refused.status_code == 422, bad
    assert (await client.post("/api/v1/admin/tasks", json=QUIZ)).status_code == 401


async def test_prize_draw_among_passers(
    participant: MakeParticipant, make_quiz: MakeTask, token_for: TokenFor
) -> None:
    quiz = await make_quiz(time_limit_seconds=None)
    people = [await participant() for _ in range(3)]
    for person, wrong in zip(people, (0, 2, 5), strict=True):
        await person.post(
            f"/api/v1/tasks/{quiz.id}/attempts", json={"answers": right_answers(quiz, wrong)}
        )
    staff = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}
    client = people[0].client
    prize = await client.post(
        "/api/v1/admin/prizes",
        json={"title": "Термос", "stock": 5},
        headers=staff,
    )
    assert prize.status_code == 201, prize.text
    body = {"task_id": quiz.id, "min_score": 12, "winners": 3}
    draw_url = f"/api/v1/admin/prizes/{prize.json()['id']}/draw"
    # Drawing before the commitment is published would let nobody check the seed in advance.
    refused = await client.post(draw_url, json=body, headers=staff)
    assert refused.status_code == 409, refused.text
    assert refused.json()["error"]["code"] == "draw_not_announced"
    announced = await client.post(f"{draw_url}/announce", headers=staff)
    assert announced.status_code == 200, announced.text
    drawn = await client.post(draw_url, json=body, headers=staff)
    assert drawn.status_code == 200, drawn.text
    assert drawn.json()["commitment"] == announced.json()["commitment"]
    assert drawn.json()["entrants_count"] == 1
    assert len(drawn.json()["winners"]) == 1


async def test_prize_draw_among_a_leaderboards_top(
    participant: MakeParticipant, make_quiz: MakeTask, token_for: TokenFor
) -> None:
    quiz = await make_quiz(time_limit_seconds=None)
    people = [await participant() for _ in range(3)]
    for person in people[:2]:  # two of three earn points; the third is not on the board
        await person.post(
            f"/api/v1/tasks/{quiz.id}/attempts", json={"answers": right_answers(quiz, 0)}
        )
    staff = {"Authorization": f"Bearer {await token_for(Role.ORGANIZER)}"}
    client = people[0].client
    prize = (
        await client.post(
            "/api/v1/admin/prizes", json={"title": "Колонка", "stock": 1}, headers=staff
        )
    ).json()
    both = {"leaderboard_top": 10, "task_id": quiz.id, "winners": 1}
    refused = await client.post(
        f"/api/v1/admin/prizes/{prize['id']}/draw", json=both, headers=staff
    )
    assert refused.status_code == 422
    body = {"leaderboard_top": 10, "winners": 1}
    await client.post(f"/api/v1/admin/prizes/{prize['id']}/draw/announce", headers=staff)
    drawn = await client.post(f"/api/v1/admin/prizes/{prize['id']}/draw", json=body, headers=staff)
    assert drawn.status_code == 200, drawn.text
    assert drawn.json()["entrants_count"] == 2
    assert len(drawn.json()["winners"]) == 1
