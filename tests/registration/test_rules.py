"""The pure registration rules: who may come, who is seated next, the no-show block, offer
deadlines, overlapping tours. Hand-picked cases from the issue plus properties over many inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openindustry.registration.rules import (
    Booking,
    Person,
    Waiting,
    age_refusal,
    blocked_until,
    conflicting,
    next_to_seat,
    offer_deadline,
    overlaps,
)

RATINGS = (0, 6, 12, 16, 18)
DAY = date(2030, 12, 15)


def born(years_ago: int, *, day: date = DAY) -> date:
    """A birth date that makes someone exactly `years_ago` on `day` (their birthday)."""
    return day.replace(year=day.year - years_ago)


def refusal(
    registrant: date | None,
    *companions: date | None,
    rating: int = 0,
    min_age: int | None = None,
    day: date = DAY,
) -> str | None:
    return age_refusal(
        Person("Гость", registrant),
        [Person(f"Спутник {i}", b) for i, b in enumerate(companions)],
        rating=rating,
        min_age=min_age,
        day=day,
    )


# Age -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("rating", RATINGS)
def test_an_adult_alone_may_come_to_any_rating(rating: int) -> None:
    assert refusal(born(30), rating=rating) is None
    assert refusal(born(18), rating=rating) is None  # 18 today


@pytest.mark.parametrize("rating", [r for r in RATINGS if r < 18])
def test_an_unknown_birth_date_counts_as_an_adult_below_18(rating: int) -> None:
    assert refusal(None, rating=rating) is None
    assert refusal(None, born(rating), rating=rating) is None


def test_18_plus_needs_a_known_birth_date_showing_18() -> None:
    assert refusal(None, rating=18) is not None
    assert refusal(born(17), rating=18) is not None
    assert refusal(born(18, day=DAY + timedelta(days=1)), rating=18) is not None  # tomorrow
    assert refusal(born(18), rating=18) is None  # the birthday is the slot's day
    # An adult companion does not make a minor registrant eligible for 18+.
    assert refusal(born(17), born(40), rating=18) is not None


@pytest.mark.parametrize("rating", RATINGS)
def test_companions_must_be_old_enough_on_the_slot_day(rating: int) -> None:
    if rating:
        younger = born(rating, day=DAY + timedelta(days=1))  # turns `rating` the next day
        assert refusal(born(40), younger, rating=rating) is not None
    assert refusal(born(40), born(rating), rating=rating) is None  # birthday on the day
    assert refusal(born(40), born(rating), born(rating + 1), rating=rating) is None


@pytest.mark.parametrize("rating", RATINGS)
def test_a_companion_of_unknown_age_is_refused(rating: int) -> None:
    assert refusal(born(40), None, rating=rating) is not None


def test_children_come_only_with_an_adult() -> None:
    # A 14-year-old registering with a 12-year-old sibling: nobody is an adult.
    assert refusal(born(14), born(12), rating=12) is not None
    assert refusal(born(14), rating=0) is not None
    # The same children with an adult companion may come.
    assert refusal(born(14), born(12), born(45), rating=12) is None
    # A registrant turning 18 on the slot day is the adult.
    assert refusal(born(18), born(6), rating=6) is None


def test_a_minor_registrant_below_the_rating_is_refused_even_with_an_adult() -> None:
    assert refusal(born(11), born(40), rating=12) is not None
    assert refusal(born(12), born(40), rating=12) is None


def test_the_enterprise_minimum_age_applies_on_top_of_the_rating() -> None:
    assert refusal(born(40), born(13), rating=6, min_age=14) is not None
    assert refusal(born(40), born(14), rating=6, min_age=14) is None
    assert refusal(born(40), born(16), rating=16, min_age=14) is None
    assert refusal(born(40), born(15), rating=16, min_age=14) is not None
    # A minimum age of 18 is an 18+ program: the registrant's birth date must show it.
    assert refusal(None, rating=0, min_age=18) is not None
    assert refusal(born(18), rating=0, min_age=18) is None


@pytest.mark.parametrize(
    ("slot_day", "age"),
    [
        (date(2024, 2, 28), 15),  # leap year, the day before the birthday
        (date(2024, 2, 29), 16),  # leap year, the birthday itself
        (date(2023, 2, 28), 14),  # common year: no 29 February, so still 14 on the 28th…
        (date(2023, 3, 1), 15),  # …and a year older on 1 March
        (date(2025, 2, 28), 16),
        (date(2025, 3, 1), 17),
    ],
)
def test_a_29_february_birthday(slot_day: date, age: int) -> None:
    leapling = date(2008, 2, 29)
    assert (refusal(born(40, day=slot_day), leapling, rating=16, day=slot_day) is None) == (
        age >= 16
    )
    assert (refusal(born(40, day=slot_day), leapling, rating=age, day=slot_day)) is None
    assert refusal(born(40, day=slot_day), leapling, rating=age + 1, day=slot_day) is not None


def _age(birth: date, day: date) -> int:
    # Independent of accounts.rules.age_on: count the birthdays that have passed.
    years = 0
    while True:
        try:
            anniversary = birth.replace(year=birth.year + years + 1)
        except ValueError:  # 29 February in a common year: the birthday is 1 March
            anniversary = date(birth.year + years + 1, 3, 1)
        if anniversary > day:
            return years
        years += 1


def _allowed(
    registrant: date | None, companions: list[date | None], rating: int, min_age: int | None
) -> bool:
    """The issue's wording, spelled out independently of the implementation."""
    limit = max(rating, min_age or 0)
    own = None if registrant is None else _age(registrant, DAY)
    if limit >= 18 and (own is None or own < 18):
        return False
    if own is not None and own < limit:
        return False
    ages = [None if c is None else _age(c, DAY) for c in companions]
    if any(a is None or a < limit for a in ages):
        return False
    return own is None or own >= 18 or any(a is not None and a >= 18 for a in ages)


birth_dates = st.one_of(st.none(), st.dates(date(1930, 1, 1), DAY))


@given(
    registrant=birth_dates,
    companions=st.lists(birth_dates, max_size=4),
    rating=st.sampled_from(RATINGS),
    min_age=st.one_of(st.none(), st.integers(0, 21)),
)
def test_age_refusal_matches_the_issue(
    registrant: date | None, companions: list[date | None], rating: int, min_age: int | None
) -> None:
    answer = refusal(registrant, *companions, rating=rating, min_age=min_age)
    assert (answer is None) == _allowed(registrant, companions, rating, min_age)
    if answer is not None:
        assert answer.strip()
    # A party allowed at a rating is allowed at every lower one.
    if answer is None:
        for lower in (r for r in RATINGS if r < rating):
            assert refusal(registrant, *companions, rating=lower, min_age=min_age) is None


# The queue -------------------------------------------------------------------------------------


queues = st.lists(st.integers(1, 5), max_size=12).map(
    lambda sizes: [Waiting(i, s) for i, s in enumerate(sizes, 1)]
)


@given(queue=queues, seats=st.integers(0, 20))
def test_next_to_seat_is_in_order_fits_and_skips_only_who_does_not_fit(
    queue: list[Waiting], seats: int
) -> None:
    chosen = next_to_seat(queue, seats)
    assert sum(p.party_size for p in chosen) <= seats
    # A subsequence of the queue, in its order; nobody twice.
    positions = [queue.index(p) for p in chosen]
    assert positions == sorted(set(positions))
    # Maximal, greedily: walking the queue, every party left out did not fit at its turn.
    left, picked = seats, iter(chosen)
    upcoming = next(picked, None)
    for party in queue:
        if party == upcoming:
            assert party.party_size <= left
            left -= party.party_size
            upcoming = next(picked, None)
        else:
            assert party.party_size > left, f"{party} fits into {left} seats but was skipped"
    assert upcoming is None


def test_a_big_party_does_not_block_a_small_one_behind_it() -> None:
    queue = [Waiting(1, 3), Waiting(2, 1), Waiting(3, 2)]
    assert next_to_seat(queue, 1) == [Waiting(2, 1)]
    assert next_to_seat(queue, 3) == [Waiting(1, 3)]
    assert next_to_seat(queue, 4) == [Waiting(1, 3), Waiting(2, 1)]
    assert next_to_seat(queue, 2) == [Waiting(2, 1)]  # greedy in order: 1 first, then 2 no more
    assert next_to_seat(queue, 0) == []
    assert next_to_seat([], 5) == []


# The no-show policy ----------------------------------------------------------------------------

NOW = datetime(2030, 12, 15, 12, 0, tzinfo=UTC)
WINDOW, BLOCK = timedelta(days=90), timedelta(days=30)


def blocked(*days_ago: float, threshold: int = 2) -> datetime | None:
    strikes = [NOW - timedelta(days=d) for d in days_ago]
    return blocked_until(strikes, now=NOW, window=WINDOW, threshold=threshold, block=BLOCK)


def test_two_strikes_in_90_days_block_for_30_days_after_the_latest() -> None:
    assert blocked() is None
    assert blocked(1) is None
    assert blocked(10, 1) == NOW - timedelta(days=1) + BLOCK
    assert blocked(1, 10) == NOW - timedelta(days=1) + BLOCK  # order does not matter
    assert blocked(89, 20) == NOW + timedelta(days=10)
    assert blocked(89, 25) == NOW + timedelta(days=5)


def test_old_strikes_and_served_blocks_do_not_count() -> None:
    assert blocked(91, 1) is None  # one of them is older than the window
    assert blocked(90, 1) == NOW - timedelta(days=1) + BLOCK  # exactly 90 days still counts
    assert blocked(40, 31) is None  # the block after the latest ran out a day ago
    assert blocked(40, 30) is None  # and ends exactly now
    assert blocked(1, 2, threshold=0) is None
    assert blocked(1, 2, threshold=3) is None
    assert blocked(1, 2, 3, threshold=3) == NOW - timedelta(days=1) + BLOCK


@given(
    days_ago=st.lists(st.floats(0, 400, allow_nan=False), max_size=6),
    threshold=st.integers(0, 4),
)
def test_a_block_is_in_the_future_and_follows_the_latest_recent_strike(
    days_ago: list[float], threshold: int
) -> None:
    strikes = [NOW - timedelta(days=d) for d in days_ago]
    until = blocked_until(strikes, now=NOW, window=WINDOW, threshold=threshold, block=BLOCK)
    recent = [s for s in strikes if NOW - s <= WINDOW]
    if threshold <= 0 or len(recent) < threshold or max(recent) + BLOCK <= NOW:
        assert until is None
    else:
        assert until == max(recent) + BLOCK
        assert until > NOW


# Offers ----------------------------------------------------------------------------------------


def test_an_offer_lasts_the_configured_hours_but_never_past_the_close() -> None:
    far = NOW + timedelta(days=3)
    assert offer_deadline(NOW, far, 12) == NOW + timedelta(hours=12)
    assert offer_deadline(NOW, NOW + timedelta(hours=5), 12) == NOW + timedelta(hours=5)
    assert offer_deadline(NOW, NOW + timedelta(minutes=30), 12) == NOW + timedelta(minutes=30)
    # Under half an hour left (or the window already closed): confirm directly instead.
    assert offer_deadline(NOW, NOW + timedelta(minutes=29, seconds=59), 12) is None
    assert offer_deadline(NOW, NOW, 12) is None
    assert offer_deadline(NOW, NOW - timedelta(hours=1), 12) is None
    assert offer_deadline(NOW, far, 0) is None


@given(minutes_to_close=st.integers(-600, 5000), hours=st.integers(0, 48))
def test_offer_deadline_bounds(minutes_to_close: int, hours: int) -> None:
    closes_at = NOW + timedelta(minutes=minutes_to_close)
    deadline = offer_deadline(NOW, closes_at, hours)
    latest = min(NOW + timedelta(hours=hours), closes_at)
    if latest - NOW < timedelta(minutes=30):
        assert deadline is None
    else:
        assert deadline == latest
        assert NOW + timedelta(minutes=30) <= deadline <= closes_at


# Overlapping tours -----------------------------------------------------------------------------


def at(hour: float) -> datetime:
    return NOW + timedelta(hours=hour)


def test_touching_tours_do_not_overlap() -> None:
    assert not overlaps(at(10), at(12), at(12), at(14))
    assert not overlaps(at(12), at(14), at(10), at(12))
    assert overlaps(at(10), at(12), at(11.99), at(14))
    assert overlaps(at(10), at(14), at(11), at(12))  # one inside the other
    assert overlaps(at(10), at(12), at(10), at(12))  # the same times


@given(
    a=st.tuples(st.integers(0, 48), st.integers(1, 10)),
    b=st.tuples(st.integers(0, 48), st.integers(1, 10)),
)
def test_overlaps_is_a_shared_moment(a: tuple[int, int], b: tuple[int, int]) -> None:
    a_start, a_end = at(a[0]), at(a[0] + a[1])
    b_start, b_end = at(b[0]), at(b[0] + b[1])
    shared = min(a_end, b_end) - max(a_start, b_start)
    assert overlaps(a_start, a_end, b_start, b_end) == (shared > timedelta(0))
    assert overlaps(a_start, a_end, b_start, b_end) == overlaps(b_start, b_end, a_start, a_end)


def test_conflicting_finds_another_slot_at_the_same_time() -> None:
    morning = Booking(1, 7, at(10), at(12))
    afternoon = Booking(2, 7, at(12), at(14))
    assert conflicting([], slot_id=3, starts_at=at(11), ends_at=at(13)) is None
    assert conflicting([morning, afternoon], slot_id=3, starts_at=at(11), ends_at=at(13)) in (
        morning,
        afternoon,
    )
    assert conflicting([morning], slot_id=3, starts_at=at(12), ends_at=at(13)) is None
    assert conflicting([afternoon], slot_id=3, starts_at=at(11), ends_at=at(12)) is None
    assert conflicting([afternoon], slot_id=3, starts_at=at(11), ends_at=at(13)) == afternoon
    # The slot itself is not a conflict (already_registered covers it).
    assert conflicting([morning], slot_id=1, starts_at=at(10), ends_at=at(12)) is None
