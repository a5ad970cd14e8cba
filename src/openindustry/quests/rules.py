"""Pure quest rules: scoring, normalising code words, shuffling, windows, referral codes."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import random
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

# A layout is what one attempt shows: questions in order, each with its options in order.
Layout = list[tuple[int, list[int]]]

MAX_REFERRAL_CHAIN = 10_000


class Availability(StrEnum):
    NOT_OPEN = "not_open"
    OPEN = "open"
    CLOSED = "closed"


def availability(
    now: datetime, opens_at: datetime | None, closes_at: datetime | None
) -> Availability:
    """Where `now` falls in a task's window; an open end is no limit."""
    if opens_at is not None and now < opens_at:
        return Availability.NOT_OPEN
    if closes_at is not None and now >= closes_at:
        return Availability.CLOSED
    return Availability.OPEN


def question_right(chosen: Iterable[int], correct: Iterable[int]) -> bool:
    """A question counts only when the chosen set is exactly the set of right options."""
    return set(chosen) == set(correct)


@dataclass(frozen=True)
class QuizScore:
    score: int
    max_score: int
    wrong: list[int]  # question ids, in the order given


def score_quiz(
    correct: Mapping[int, Iterable[int]], chosen: Mapping[int, Iterable[int]]
) -> QuizScore:
    """One point per question answered exactly; an unanswered question is wrong."""
    wrong = [q for q, right in correct.items() if not question_right(chosen.get(q, ()), right)]
    return QuizScore(len(correct) - len(wrong), len(correct), wrong)


def passed(score: int, threshold: int) -> bool:
    return score >= threshold


def attempts_left(used: int, limit: int | None) -> int | None:
    return None if limit is None else max(limit - used, 0)


def shuffled_layout(questions: Sequence[tuple[int, Sequence[int]]], rng: random.Random) -> Layout:
    """Questions and each question's options in a fresh order (fairness, not secrecy)."""
    order = [(q, list(options)) for q, options in questions]
    rng.shuffle(order)
    for _, options in order:
        rng.shuffle(options)
    return order


def answer_problems(
    layout: Layout, answers: Mapping[int, Sequence[int]], multiple: Mapping[int, bool]
) -> dict[str, list[int]]:
    """What is wrong with the shape of a submission: unknown questions or options, or several
    options chosen where one is asked for. Empty when the answers fit the attempt."""
    options = {q: set(opts) for q, opts in layout}
    unknown_questions = sorted(q for q in answers if q not in options)
    unknown_options = sorted(
        o for q, chosen in answers.items() if q in options for o in chosen if o not in options[q]
    )
    too_many = sorted(
        q for q, chosen in answers.items() if q in options and not multiple[q] and len(chosen) > 1
    )
    duplicates = sorted(q for q, chosen in answers.items() if len(set(chosen)) != len(chosen))
    problems = {
        "unknown_questions": unknown_questions,
        "unknown_options": unknown_options,
        "single_choice": too_many,
        "duplicate_options": duplicates,
    }
    return {key: value for key, value in problems.items() if value}


_SPACES = re.compile(r"[\s\-‐-―_.,!?«»\"']+")


def normalise_code_word(word: str) -> str:
    """Case, spaces (and dashes, punctuation, quotes) and ё/е do not matter."""
    folded = word.casefold().replace("ё", "е")
    return _SPACES.sub("", folded)


def code_word_matches(given: str, expected: str) -> bool:
    normalised = normalise_code_word(given)
    return bool(normalised) and hmac.compare_digest(
        normalised.encode(), normalise_code_word(expected).encode()
    )


def attendance_matches(
    scope: str | None,
    scope_id: int | None,
    *,
    series_id: int | None,
    enterprise_id: int,
) -> bool:
    """Whether a check-in at a slot of this series and enterprise completes an attendance task."""
    if scope in (None, "any"):
        return True
    if scope == "series":
        return series_id is not None and series_id == scope_id
    if scope == "enterprise":
        return enterprise_id == scope_id
    return False


# Referral codes: 4 bytes of the user id masked, plus a 2-byte MAC; 10 base32 characters.
# They are derived, so nothing is stored, and decoding gives the user id back.


def _mac(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, payload, hashlib.sha256).digest()


def referral_code(key: bytes, user_id: int) -> str:
    payload = user_id.to_bytes(4, "big")
    tag = _mac(key, b"tag" + payload)[:2]
    mask = _mac(key, b"mask" + tag)[:4]
    masked = bytes(a ^ b for a, b in zip(payload, mask, strict=True))
    return base64.b32encode(masked + tag).decode().rstrip("=")


def referral_user(key: bytes, code: str) -> int | None:
    """The user a code belongs to, or None for anything that is not a code we issued."""
    cleaned = re.sub(r"[\s\-]", "", code).upper().replace("0", "O").replace("1", "I")
    if len(cleaned) != 10:
        return None
    try:
        raw = base64.b32decode(cleaned + "======")
    except (binascii.Error, ValueError):
        return None
    masked, tag = raw[:4], raw[4:]
    mask = _mac(key, b"mask" + tag)[:4]
    payload = bytes(a ^ b for a, b in zip(masked, mask, strict=True))
    if not hmac.compare_digest(_mac(key, b"tag" + payload)[:2], tag):
        return None
    user_id = int.from_bytes(payload, "big")
    return user_id or None


def referral_refusal(
    invitee_id: int, referrer_id: int, referrer_chain: Sequence[int]
) -> str | None:
    """Why `invitee_id` may not accept `referrer_id`'s invite, as an error code, or None.

    `referrer_chain` lists who invited the referrer, who invited them, and so on.
    """
    if invitee_id == referrer_id:
        return "self_referral"
    if invitee_id in referrer_chain:
        return "referral_loop"
    if referrer_id > invitee_id:
        # An invite is for newcomers: the inviter must have joined first. It also keeps every
        # chain acyclic by construction (a CHECK in the table), whatever the concurrency.
        return "referral_not_new"
    return None
