"""Pure rewards decisions: penalties, pickup codes, public names. No I/O."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L: a code read aloud or typed from a phone screen cannot be mistyped into another.
PICKUP_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PICKUP_LENGTH = 8
_SEPARATORS = re.compile(r"[\s\-]+")


def new_pickup_code() -> str:
    """8 characters of a 31-letter alphabet: ~8.5·10¹¹ codes, so guessing one is hopeless."""
    return "".join(secrets.choice(PICKUP_ALPHABET) for _ in range(PICKUP_LENGTH))


def normalize_pickup_code(text: str) -> str:
    """What an organizer typed, as stored: upper case, spaces and dashes dropped."""
    return _SEPARATORS.sub("", text).upper()


def is_pickup_code(text: str) -> bool:
    return len(text) == PICKUP_LENGTH and all(c in PICKUP_ALPHABET for c in text)


def penalty_taken(balance: int, points: int) -> int:
    """A penalty takes at most what is there: the balance never goes below zero."""
    return max(0, min(balance, points))


def score_after_penalty(score: int, points: int) -> int:
    return max(0, score - points)


def public_name(user_id: int, name: str) -> str:
    """The leaderboard is public: a first name and an initial ("Анна К."), never a full name."""
    words = name.split()
    if not words:
        return f"Участник №{user_id}"
    if len(words) == 1:
        return words[0]
    return f"{words[0]} {words[-1][0]}."
