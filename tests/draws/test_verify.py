"""verify() accepts an honest draw and catches any change to what was published."""

from __future__ import annotations

import dataclasses
import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openindustry.draws import rules
from openindustry.draws.rules import PublishedDraw, PublishedEntry
from openindustry.draws.verify import verify

entries_st = st.lists(
    st.builds(
        PublishedEntry,
        entry_id=st.text("0123456789abcdef", min_size=32, max_size=32),
        weight=st.integers(1, 100),
        party_size=st.integers(1, 5),
    ),
    min_size=2,
    max_size=25,
    unique_by=lambda e: e.entry_id,
)


def honest(entries: list[PublishedEntry] | None = None, seats: int = 6) -> PublishedDraw:
    if entries is None:
        entries = [
            PublishedEntry(rules.entry_id(b"key", 42, uid), 1 + uid % 3, 1 + uid % 4)
            for uid in range(20)
        ]
    seed = hashlib.sha256(b"a secret seed").digest()
    return rules.run_draw(42, seed, "2025-06-01 lottery: 4 8 15 16 23 42", entries, seats)


def failed(draw: PublishedDraw) -> set[str]:
    report = verify(draw)
    assert not report.ok
    return {name for name, passed, _ in report.checks if not passed}


@given(entries=entries_st, seats=st.integers(0, 30))
def test_an_honest_draw_verifies(entries: list[PublishedEntry], seats: int) -> None:
    report = verify(honest(entries, seats))
    assert report.ok, report.checks
    assert all(passed and text for _, passed, text in report.checks)
    names = [name for name, _, _ in report.checks]
    assert {"commitment", "entrants_digest", "ranking", "winners"} <= set(names)


def test_not_drawn_yet() -> None:
    draw = dataclasses.replace(
        honest(), seed_hex=None, entries=(), entrants_count=0, ranked=(), winners=()
    )
    report = verify(draw)
    assert not report.ok
    assert [name for name, _, _ in report.checks] == ["seed_revealed"]
    assert "not taken place yet" in {n: t for n, _, t in report.checks}["seed_revealed"]


def test_a_different_seed_breaks_the_commitment() -> None:
    draw = dataclasses.replace(honest(), seed_hex=hashlib.sha256(b"other").hexdigest())
    assert "commitment" in failed(draw)


def test_a_different_commitment_fails() -> None:
    assert failed(dataclasses.replace(honest(), commitment="0" * 64)) == {"commitment"}


def test_an_unreadable_seed_fails_without_crashing() -> None:
    assert "seed_revealed" in failed(dataclasses.replace(honest(), seed_hex="not hex"))


@pytest.mark.parametrize(
    "change",
    [
        {"algorithm": "openindustry-draw-v0"},
        {"entrants_count": 19},
        {"entrants_digest": "f" * 64},
        {"public_value": "another lottery"},
        {"draw_id": 43},
    ],
)
def test_other_published_fields_are_checked(change: dict[str, object]) -> None:
    assert failed(dataclasses.replace(honest(), **change))


@given(entries=entries_st, data=st.data())
def test_adding_or_removing_an_entry_fails(
    entries: list[PublishedEntry], data: st.DataObject
) -> None:
    draw = honest(entries)
    removed = data.draw(st.integers(0, len(entries) - 1))
    fewer = draw.entries[:removed] + draw.entries[removed + 1 :]
    assert {"entrants_count", "entrants_digest"} <= failed(dataclasses.replace(draw, entries=fewer))
    more = (*draw.entries, PublishedEntry("intruder"))
    assert {"entrants_count", "entrants_digest"} <= failed(dataclasses.replace(draw, entries=more))


def test_a_changed_weight_fails() -> None:
    draw = honest(seats=3)
    last = draw.ranked[-1]
    entries = tuple(
        dataclasses.replace(e, weight=100) if e.entry_id == last else e for e in draw.entries
    )
    assert {"entrants_digest", "ranking"} <= failed(dataclasses.replace(draw, entries=entries))


def test_a_changed_party_size_fails() -> None:
    draw = honest()
    first = draw.winners[0]
    entries = tuple(
        dataclasses.replace(e, party_size=draw.seats + 1) if e.entry_id == first else e
        for e in draw.entries
    )
    assert failed(dataclasses.replace(draw, entries=entries)) == {"entrants_digest", "winners"}


@given(entries=entries_st, data=st.data())
def test_any_retuned_input_fails_even_when_the_result_stays(
    entries: list[PublishedEntry], data: st.DataObject
) -> None:
    # The digest covers weights and party sizes: no input can change after the freeze.
    draw = honest(entries)
    i = data.draw(st.integers(0, len(draw.entries) - 1))
    entry = draw.entries[i]
    changed = dataclasses.replace(entry, weight=entry.weight % 100 + 1)
    altered = (*draw.entries[:i], changed, *draw.entries[i + 1 :])
    assert "entrants_digest" in failed(dataclasses.replace(draw, entries=altered))


@given(entries=entries_st, data=st.data())
def test_a_swapped_ranking_fails(entries: list[PublishedEntry], data: st.DataObject) -> None:
    draw = honest(entries)
    i = data.draw(st.integers(0, len(entries) - 2))
    ranked = list(draw.ranked)
    ranked[i], ranked[i + 1] = ranked[i + 1], ranked[i]
    assert "ranking" in failed(dataclasses.replace(draw, ranked=tuple(ranked)))


@given(entries=entries_st, seats=st.integers(0, 30), data=st.data())
def test_changed_winners_fail(
    entries: list[PublishedEntry], seats: int, data: st.DataObject
) -> None:
    draw = honest(entries, seats)
    outsider = data.draw(st.sampled_from(draw.ranked))
    winners = tuple(w for w in draw.winners if w != outsider)
    if outsider not in draw.winners:
        winners = (*winners, outsider)
    assert failed(dataclasses.replace(draw, winners=winners)) == {"winners"}


def test_malformed_entries_are_reported_not_raised() -> None:
    draw = honest()
    bad = (dataclasses.replace(draw.entries[0], weight=0), *draw.entries[1:])
    assert {"entries_well_formed", "ranking"} <= failed(dataclasses.replace(draw, entries=bad))
    twice = (*draw.entries, draw.entries[0])
    assert "entries_well_formed" in failed(dataclasses.replace(draw, entries=twice))


def test_verifies_after_a_json_round_trip() -> None:
    assert verify(PublishedDraw.from_json(honest().to_json())).ok
