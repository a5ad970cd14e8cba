"""The draw rules against hand-rolled independent computations, and their properties."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
from decimal import Decimal, localcontext
from math import isqrt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openindustry.draws import rules
from openindustry.draws.rules import PublishedDraw, PublishedEntry

N = 2**256 + 1
ids_st = st.lists(st.text("0123456789abcdef", min_size=1, max_size=8), max_size=30, unique=True)
weighted_st = st.dictionaries(
    st.text("0123456789abcdef", min_size=1, max_size=8), st.integers(1, 100), max_size=30
)


def sha(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def independent_seed_star(seed: bytes, public_value: str, draw_id: int) -> bytes:
    return sha(seed + public_value.encode("utf-8") + str(draw_id).encode("ascii"))


def test_primitives_match_hand_rolled_hashes() -> None:
    seed = bytes(range(32))
    assert rules.commitment(seed) == hashlib.sha256(seed).hexdigest()
    assert len(rules.new_seed()) == 32
    assert rules.new_seed() != rules.new_seed()
    expected = hmac.new(b"k", b"7:42", hashlib.sha256).hexdigest()[:32]
    assert rules.entry_id(b"k", 7, 42) == expected
    assert rules.entry_id(b"k", 8, 42) != expected  # not linkable across draws
    entries = [
        rules.PublishedEntry("b", 2, 3),
        rules.PublishedEntry("a"),
        rules.PublishedEntry("c"),
    ]
    expected = hashlib.sha256(b"a 1 1\nb 2 3\nc 1 1").hexdigest()
    assert rules.entrants_digest(entries) == expected
    assert rules.entrants_digest([]) == hashlib.sha256(b"").hexdigest()
    # The weights and party sizes are part of the frozen inputs.
    assert rules.entrants_digest([rules.PublishedEntry("b", 1, 3), *entries[1:]]) != expected
    assert rules.final_seed(seed, "LOTO 123", 9) == sha(seed + b"LOTO 1239")
    assert rules.entry_hash(b"s", "e") == int(hashlib.sha256(b"se").hexdigest(), 16)


def test_known_answer_with_weights_one() -> None:
    seed, draw_id = bytes(32), 1
    entries = ["alice", "bob", "carol", "dave", "eve"]
    seed_star = independent_seed_star(seed, "", draw_id)
    expected = sorted(entries, key=lambda e: sha(seed_star + e.encode()), reverse=True)
    assert rules.rank(rules.final_seed(seed, "", draw_id), dict.fromkeys(entries, 1)) == expected
    # Pinned (computed with sha256sum, as in docs/fair-draws.md), so that a change to the
    # algorithm cannot pass unnoticed: other languages and past draws rely on it.
    assert expected == ["bob", "eve", "carol", "dave", "alice"]


def test_known_answer_with_weights_against_high_precision_logarithms() -> None:
    """Independently: key u^(1/w) ranks like ln(u) / w, computed with 120 significant digits."""
    seed_star = independent_seed_star(b"seed", "public", 3)
    weights = {f"entry-{i}": 1 + (i * 37) % 100 for i in range(60)}

    with localcontext() as ctx:
        ctx.prec = 120

        def key(entry: str) -> Decimal:
            h = int.from_bytes(sha(seed_star + entry.encode()), "big")
            return (Decimal(h + 1) / Decimal(N)).ln() / weights[entry]

        expected = sorted(weights, key=key, reverse=True)
    assert rules.rank(seed_star, weights) == expected


@given(seed=st.binary(min_size=1, max_size=32), ids=ids_st)
def test_weights_one_order_by_hash_descending(seed: bytes, ids: list[str]) -> None:
    expected = sorted(ids, key=lambda e: sha(seed + e.encode()), reverse=True)
    assert rules.rank(seed, dict.fromkeys(ids, 1)) == expected


@given(seed=st.binary(max_size=32), ids=ids_st, weight=st.integers(1, 100))
def test_equal_weights_rank_like_weight_one(seed: bytes, ids: list[str], weight: int) -> None:
    assert rules.rank(seed, dict.fromkeys(ids, weight)) == rules.rank(seed, dict.fromkeys(ids, 1))


@given(seed=st.binary(max_size=32), entries=weighted_st)
def test_ranking_is_a_deterministic_permutation(seed: bytes, entries: dict[str, int]) -> None:
    ranked = rules.rank(seed, entries)
    assert sorted(ranked) == sorted(entries)
    assert ranked == rules.rank(seed, dict(reversed(entries.items())))


def test_weight_two_wins_about_twice_as_often() -> None:
    seeds = [sha(i.to_bytes(4, "big")) for i in range(900)]
    heavy_first = sum(rules.rank(s, {"heavy": 2, "light": 1})[0] == "heavy" for s in seeds)
    assert 0.60 < heavy_first / len(seeds) < 0.73  # expected 2/3
    field = {"heavy": 2} | {f"light-{i}": 1 for i in range(9)}
    wins = sum(rules.rank(s, field)[0] == "heavy" for s in seeds)
    assert 0.12 < wins / len(seeds) < 0.25  # expected 2/11 ≈ 0.18, a weight-1 entry 1/11


@pytest.mark.parametrize("weight", [0, -1, 101, 1.5, True, "2"])
def test_weights_outside_one_to_hundred_are_refused(weight: object) -> None:
    with pytest.raises(ValueError, match="weight"):
        rules.rank(b"s", {"a": 1, "b": weight})


@pytest.mark.parametrize(("offset", "winner"), [(0, "y"), (1, "x")])
def test_comparison_is_exact_near_a_tie(
    monkeypatch: pytest.MonkeyPatch, offset: int, winner: str
) -> None:
    """x (weight 1) and y (weight 2) differ by ~2^-256 in key: floats would tie, integers do not.

    u_x > u_y^(1/2)  ⟺  (hx+1)^2 > (hy+1) · N; hx+1 = isqrt((hy+1) · N) + offset.
    """
    hy1 = 2**255 + 12345
    hx1 = isqrt(hy1 * N) + offset
    assert hx1**2 != hy1 * N
    hashes = {"x": hx1 - 1, "y": hy1 - 1}
    monkeypatch.setattr(rules, "entry_hash", lambda _seed, entry: hashes[entry])
    assert float(hx1) / N == (float(hy1) / N) ** 0.5  # what floats would see
    assert rules.rank(b"", {"x": 1, "y": 2})[0] == winner


def test_exact_tie_is_broken_by_entry_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "entry_hash", lambda _seed, _entry: 5)
    assert rules.rank(b"", {"c": 3, "a": 3, "b": 3}) == ["a", "b", "c"]


def test_allocation_skips_a_party_that_does_not_fit_and_takes_a_smaller_one() -> None:
    sizes = {"a": 2, "b": 3, "c": 2, "d": 1}
    result = rules.allocate(["a", "b", "c", "d"], sizes, 4)
    assert result == rules.Allocation(winners=("a", "c"), rest=("b", "d"))


def test_a_party_is_never_split() -> None:
    assert rules.allocate(["a", "b"], {"a": 4, "b": 1}, 3) == rules.Allocation(("b",), ("a",))
    assert rules.allocate(["a"], {"a": 1}, 0) == rules.Allocation((), ("a",))


def test_allocation_refuses_bad_input() -> None:
    with pytest.raises(ValueError, match="seats"):
        rules.allocate(["a"], {"a": 1}, -1)
    with pytest.raises(ValueError, match="party size"):
        rules.allocate(["a"], {"a": 0}, 3)


@given(sizes=st.lists(st.integers(1, 6), max_size=30), seats=st.integers(0, 40))
def test_allocation_is_maximal_in_rank_order(sizes: list[int], seats: int) -> None:
    ranked = [f"e{i}" for i in range(len(sizes))]
    party = dict(zip(ranked, sizes, strict=True))
    result = rules.allocate(ranked, party, seats)
    used = sum(party[e] for e in result.winners)
    assert used <= seats
    assert sorted(result.winners + result.rest) == sorted(ranked)
    assert list(result.winners) == [e for e in ranked if e in result.winners]
    assert list(result.rest) == [e for e in ranked if e in result.rest]  # rank order kept
    assert not [e for e in result.rest if party[e] <= seats - used]


def draw(seats: int = 3, weights: tuple[int, ...] = (1, 2, 1, 3, 1)) -> PublishedDraw:
    entries = [
        PublishedEntry(rules.entry_id(b"key", 11, uid), weight=w, party_size=1 + uid % 3)
        for uid, w in enumerate(weights)
    ]
    return rules.run_draw(11, sha(b"secret"), "lottery 2025-05-01: 7 12 33", entries, seats)


def test_run_draw_publishes_everything_consistently() -> None:
    published = draw()
    assert published == draw()  # deterministic
    ids = [e.entry_id for e in published.entries]
    assert ids == sorted(ids)
    assert published.algorithm == rules.ALGORITHM == "openindustry-draw-v1"
    assert published.seed_hex == sha(b"secret").hex()
    assert published.commitment == hashlib.sha256(sha(b"secret")).hexdigest()
    digest = rules.entrants_digest(published.entries)
    assert (published.entrants_count, published.entrants_digest) == (5, digest)
    assert sorted(published.ranked) == ids
    sizes = {e.entry_id: e.party_size for e in published.entries}
    assert published.winners == rules.allocate(published.ranked, sizes, 3).winners


def test_prize_draw_winners_are_the_top_of_the_ranking() -> None:
    entries = [PublishedEntry(f"{i:032x}") for i in range(10)]
    published = rules.run_draw(5, b"s" * 32, "", entries, 3)
    assert published.winners == published.ranked[:3]


def test_run_draw_refuses_duplicate_entries() -> None:
    with pytest.raises(ValueError, match="unique"):
        rules.run_draw(1, b"s", "", [PublishedEntry("a"), PublishedEntry("a")], 1)


def test_json_round_trips() -> None:
    published = draw()
    data = published.to_json()
    assert data["entries"][0] == {
        "entry_id": published.entries[0].entry_id,
        "weight": published.entries[0].weight,
        "party_size": published.entries[0].party_size,
    }
    assert PublishedDraw.from_json(json.loads(json.dumps(data))) == published
    before = PublishedDraw(**{**published.__dict__, "seed_hex": None, "ranked": (), "winners": ()})
    assert before.to_json()["seed_hex"] is None
    assert PublishedDraw.from_json(before.to_json()) == before


def _altered(**changes: object) -> dict[str, object]:
    return {**draw().to_json(), **changes}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (None, "JSON object"),
        ([], "JSON object"),
        ("draw", "JSON object"),
        ({}, "missing field"),
        (_altered(draw_id="11"), "draw_id"),
        (_altered(draw_id=True), "draw_id"),
        (_altered(commitment="abc"), "commitment"),
        (_altered(entrants_digest="Z" * 64), "entrants_digest"),
        (_altered(seed_hex="xyz"), "seed_hex"),
        (_altered(seed_hex="abc"), "seed_hex"),
        (_altered(seed_hex=5), "seed_hex"),
        (_altered(entries={}), "entries"),
        (_altered(entries=[1]), r"entries\[0\]"),
        (_altered(entries=[{"entry_id": "a", "weight": 1}]), r"entries\[0\]\.party_size"),
        (_altered(entries=[{"entry_id": 1, "weight": 1, "party_size": 1}]), "entry_id"),
        (_altered(ranked=["a", 2]), "ranked"),
        (_altered(winners="a"), "winners"),
    ],
)
def test_from_json_refuses_malformed_input(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PublishedDraw.from_json(data)


json_st = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=15,
)


@given(data=json_st | st.fixed_dictionaries(dict.fromkeys(draw().to_json(), json_st)))
def test_from_json_on_garbage_raises_only_value_error(data: object) -> None:
    with contextlib.suppress(ValueError):
        PublishedDraw.from_json(data)
