"""Pure registration decisions: who may come, what the queue does, the no-show policy. No I/O."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from openindustry.accounts.rules import age_on
from openindustry.catalog.rules import normalize_search_text

ADULT = 18
MAX_COMPANIONS = 4


@dataclass(frozen=True)
class Person:
    name: str
    birth_date: date | None


def age_refusal(
    registrant: Person, companions: Sequence[Person], *, rating: int, min_age: int | None, day: date
) -> str | None:
    """Why this party may not come to a program of `rating`+ at an enterprise with `min_age`.

    The person registering counts as the adult of the party unless their birth date says they are
    a minor; for 18+ they must have a known birth date that shows it. Companions need a known age
    at or above both limits.
    """
    limit = max(rating, min_age or 0)
    if limit >= ADULT and (
        registrant.birth_date is None or age_on(registrant.birth_date, day) < ADULT
    ):
        return "Программа только для взрослых: укажите в профиле дату рождения (18+)."
    registrant_age = age_on(registrant.birth_date, day) if registrant.birth_date else None
    if registrant_age is not None and registrant_age < limit:
        return f"Программа для гостей от {limit} лет."
    for person in companions:
        if person.birth_date is None or age_on(person.birth_date, day) < limit:
            return f"{person.name}: программа для гостей от {limit} лет."
    party_has_adult = (
        registrant_age is None
        or registrant_age >= ADULT
        or any(p.birth_date and age_on(p.birth_date, day) >= ADULT for p in companions)
    )
    if not party_has_adult:
        return "Дети приходят только со взрослым: добавьте в группу взрослого."
    return None


def missing_tasks(required: Sequence[int], completed: Iterable[int]) -> list[int]:
    """Required tasks not yet completed, in the order the organizer listed them."""
    done = set(completed)
    return [task for task in required if task not in done]


@dataclass(frozen=True)
class Booking:
    """Another active registration of the same person, as the rules need to see it."""

    slot_id: int
    series_id: int | None
    starts_at: datetime
    ends_at: datetime


def overlaps(a_start: datetime, a_end: datetime, b_start: datetime, b_end: datetime) -> bool:
    return a_start < b_end and b_start < a_end


def conflicting(
    bookings: Iterable[Booking], *, slot_id: int, starts_at: datetime, ends_at: datetime
) -> Booking | None:
    for booking in bookings:
        if booking.slot_id != slot_id and overlaps(
            booking.starts_at, booking.ends_at, starts_at, ends_at
        ):
            return booking
    return None


def blocked_until(
    strikes: Iterable[datetime],
    *,
    now: datetime,
    window: timedelta,
    threshold: int,
    block: timedelta,
) -> datetime | None:
    """The no-show policy: `threshold` late cancellations or no-shows within `window` block new
    registrations for `block` after the latest one (e.g. 2 in 90 days → 30 days)."""
    recent = sorted(s for s in strikes if now - s <= window)
    if threshold <= 0 or len(recent) < threshold:
        return None
    until = recent[-1] + block
    return until if until > now else None


@dataclass(frozen=True)
class Waiting:
    registration_id: int
    party_size: int


def next_to_seat(queue: Sequence[Waiting], seats_left: int) -> list[Waiting]:
    """Parties to seat, in queue order, skipping one that does not fit so it does not block
    a smaller party behind it; nobody is ever split."""
    chosen: list[Waiting] = []
    for party in queue:
        if party.party_size <= seats_left:
            chosen.append(party)
            seats_left -= party.party_size
        if seats_left == 0:
            break
    return chosen


def offer_deadline(now: datetime, closes_at: datetime, hours: int) -> datetime | None:
    """When an offer of freed seats lapses: `hours` from now, never after the window closes.

    None means there is too little time left for an offer to make sense (under 30 minutes):
    the waiting party, who asked to be seated, is confirmed directly.
    """
    deadline = min(now + timedelta(hours=hours), closes_at)
    return deadline if deadline - now >= timedelta(minutes=30) else None


@dataclass(frozen=True)
class Placement:
    """Where a slot belongs, as a move between slots needs to see it."""

    program_id: int
    enterprise_id: int
    series_id: int | None


def may_move(source: Placement, target: Placement) -> bool:
    """A party moves to another date of the same program, or to another program of the same
    enterprise in the same series; never to another enterprise (other gate, other rules)."""
    if source.enterprise_id != target.enterprise_id:
        return False
    same_series = source.series_id is not None and source.series_id == target.series_id
    return source.program_id == target.program_id or same_series


def matches_person(needle: str, *, name: str, email: str | None, phone: str | None) -> bool:
    """Whether a staff search finds this person: part of the name (any case, ё as е), of the
    e-mail, or at least four digits of the phone number in any notation."""
    text = normalize_search_text(needle)
    if not text:
        return True
    if text in normalize_search_text(name) or (email and text in email.casefold()):
        return True
    digits = "".join(ch for ch in needle if ch.isdigit())
    if len(digits) == 11 and digits[0] == "8":
        digits = "7" + digits[1:]  # 8 916 … is how a Russian number is often typed
    looks_like_phone = len(digits) >= 4 and not any(ch.isalpha() for ch in needle)
    return bool(looks_like_phone and phone and digits in "".join(filter(str.isdigit, phone)))
