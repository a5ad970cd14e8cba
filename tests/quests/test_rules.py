"""Pure quest rules, exhaustively where the space is small."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openindustry.quests import rules

OPTIONS = [1, 2, 3, 4]
SUBSETS = [
    set(combo)
    for size in range(len(OPTIONS) + 1)
    for combo in itertools.combinations(OPTIONS, size)
]


@pytest.mark.parametrize("correct", SUBSETS[1:])
def test_a_question_is_right_only_for_exactly_the_right_set(correct: set[int]) -> None:
    for chosen in SUBSETS:
        assert rules.question_right(chosen, correct) is (chosen == correct)
        # Order and repetition of the chosen ids do not matter, only the set.
        assert rules.question_right(sorted(chosen, reverse=True), correct) is (chosen == correct)


def test_score_counts_exact_questions_and_lists_the_wrong_ones() -> None:
    correct = {10: [1], 20: [2, 3], 30: [4]}
    assert rules.score_quiz(correct, {10: [1], 20: [3, 2], 30: [4]}) == rules.QuizScore(3, 3, [])
    assert rules.score_quiz(correct, {10: [1], 20: [2]}) == rules.QuizScore(1, 3, [20, 30])
    assert rules.score_quiz(correct, {}) == rules.QuizScore(0, 3, [10, 20, 30])
    assert rules.score_quiz(correct, {10: [1, 2], 20: [2, 3, 4]}).score == 0


@pytest.mark.parametrize(
    ("score", "threshold", "ok"), [(9, 10, False), (10, 10, True), (12, 10, True)]
)
def test_pass_threshold(score: int, threshold: int, ok: bool) -> None:
    assert rules.passed(score, threshold) is ok


def test_attempts_left() -> None:
    assert rules.attempts_left(0, 3) == 3
    assert rules.attempts_left(3, 3) == 0
    assert rules.attempts_left(5, 3) == 0
    assert rules.attempts_left(5, None) is None


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("Моспром", "Моспром"),
        ("  мос пром ", "МОСПРОМ"),
        ("ЁЛКА", "елка"),
        ("ёлка", "Елка"),
        ("Ёж-ик", "ежик"),
        ("«Ракета»!", "ракета"),
    ],
)
def test_code_words_ignore_case_spaces_and_yo(given: str, expected: str) -> None:
    assert rules.code_word_matches(given, expected)


def test_code_word_mismatches() -> None:
    assert not rules.code_word_matches("ракеты", "ракета")
    assert not rules.code_word_matches("   ", "")
    assert not rules.code_word_matches("", "ракета")


def test_layout_is_a_permutation_and_seeded_orders_differ() -> None:
    questions = [(q, list(range(q * 10, q * 10 + 6))) for q in range(1, 13)]
    first = rules.shuffled_layout(questions, random.Random(1))
    second = rules.shuffled_layout(questions, random.Random(2))
    for layout in (first, second):
        assert sorted(q for q, _ in layout) == list(range(1, 13))
        assert {q: sorted(o) for q, o in layout} == dict(questions)
    assert first != second  # 12! × (6!)^12 orders: equal ones would be a broken shuffle
    assert first == rules.shuffled_layout(questions, random.Random(1))
    assert questions[0] == (1, list(range(10, 16)))  # the input is left as it was


def test_answer_problems() -> None:
    layout: rules.Layout = [(1, [11, 12]), (2, [21, 22, 23])]
    multiple = {1: False, 2: True}
    assert rules.answer_problems(layout, {1: [11], 2: [21, 23]}, multiple) == {}
    assert rules.answer_problems(layout, {}, multiple) == {}
    assert rules.answer_problems(layout, {3: [1]}, multiple) == {"unknown_questions": [3]}
    assert rules.answer_problems(layout, {1: [21]}, multiple) == {"unknown_options": [21]}
    assert rules.answer_problems(layout, {1: [11, 12]}, multiple) == {"single_choice": [1]}
    assert rules.answer_problems(layout, {2: [21, 21]}, multiple) == {"duplicate_options": [2]}


def test_availability_window() -> None:
    now = datetime(2030, 12, 11, tzinfo=UTC)
    hour = timedelta(hours=1)
    assert rules.availability(now, None, None) == "open"
    assert rules.availability(now, now + hour, None) == "not_open"
    assert rules.availability(now, now - hour, now) == "closed"
    assert rules.availability(now, now, now + hour) == "open"


@pytest.mark.parametrize(
    ("scope", "scope_id", "series_id", "enterprise_id", "fits"),
    [
        ("any", None, None, 5, True),
        (None, None, 3, 5, True),
        ("series", 3, 3, 5, True),
        ("series", 3, 4, 5, False),
        ("series", 3, None, 5, False),
        ("enterprise", 5, None, 5, True),
        ("enterprise", 5, 3, 6, False),
    ],
)
def test_attendance_scope(
    scope: str | None, scope_id: int | None, series_id: int | None, enterprise_id: int, fits: bool
) -> None:
    matched = rules.attendance_matches(
        scope, scope_id, series_id=series_id, enterprise_id=enterprise_id
    )
    assert matched is fits


KEY = b"k" * 32


@given(st.integers(min_value=1, max_value=2**31 - 1))
def test_referral_codes_round_trip(user_id: int) -> None:
    code = rules.referral_code(KEY, user_id)
    assert len(code) == 10
    assert rules.referral_user(KEY, code) == user_id
    assert rules.referral_user(KEY, code.lower()) == user_id
    assert rules.referral_user(b"x" * 32, code) != user_id


@given(st.text(max_size=20))
def test_anything_else_is_not_a_referral_code(text: str) -> None:
    user = rules.referral_user(KEY, text)
    assert user is None or rules.referral_code(KEY, user).upper() == text.strip().upper()


def test_referral_refusals() -> None:
    assert rules.referral_refusal(5, 5, []) == "self_referral"
    assert rules.referral_refusal(2, 7, [4, 2]) == "referral_loop"
    assert rules.referral_refusal(2, 7, []) == "referral_not_new"
    assert rules.referral_refusal(9, 7, [4, 2]) is None
