"""Fair draws: commit–reveal seed, exact weighted ranking, allocation of whole parties.

Pure and exact (integers only, no floats, no PRNG), so any language can recompute a draw.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

ALGORITHM = "openindustry-draw-v1"
MAX_WEIGHT = 100
_N = 2**256 + 1  # u = (h + 1) / N lies strictly inside (0, 1)
_N_POW = tuple(_N**k for k in range(MAX_WEIGHT + 1))
_HEX = re.compile(r"(?:[0-9a-f]{2})+")


def new_seed() -> bytes:
    return secrets.token_bytes(32)


def commitment(seed: bytes) -> str:
    return hashlib.sha256(seed).hexdigest()


def entry_id(key: bytes, draw_id: int, user_id: int) -> str:
    """Pseudonymous, per-draw entry id: entries cannot be linked to a person or across draws."""
    return hmac.new(key, f"{draw_id}:{user_id}".encode(), hashlib.sha256).hexdigest()[:32]


def entrants_digest(entries: Iterable[PublishedEntry]) -> str:
    """SHA-256 of the sorted lines `entry_id weight party_size`: the frozen inputs, weights and
    party sizes included, so none of them can be retuned after the seed is known."""
    lines = sorted(f"{e.entry_id} {e.weight} {e.party_size}" for e in entries)
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def final_seed(seed: bytes, public_value: str, draw_id: int) -> bytes:
    return hashlib.sha256(seed + public_value.encode() + str(draw_id).encode()).digest()


def entry_hash(seed_star: bytes, entry: str) -> int:
    return int.from_bytes(hashlib.sha256(seed_star + entry.encode()).digest(), "big")


def _check_weight(entry: str, weight: int) -> None:
    if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= MAX_WEIGHT:
        raise ValueError(f"weight of {entry!r} must be an integer 1..{MAX_WEIGHT}: {weight!r}")


def rank(seed_star: bytes, entries: Mapping[str, int]) -> list[str]:
    """Entry ids by the key u ** (1 / weight), highest first (Efraimidis–Spirakis), exactly:

    u^(1/a) > v^(1/b)  ⟺  u^b > v^a  ⟺  (hu+1)^b · N^a > (hv+1)^a · N^b, all integers.
    """
    keyed: dict[str, tuple[int, int]] = {}
    for entry, weight in entries.items():
        _check_weight(entry, weight)
        keyed[entry] = (entry_hash(seed_star, entry) + 1, weight)

    def compare(x: str, y: str) -> int:
        (hx, a), (hy, b) = keyed[x], keyed[y]
        left, right = (hx, hy) if a == b else (hx**b * _N_POW[a], hy**a * _N_POW[b])
        if left != right:
            return -1 if left > right else 1  # higher key sorts first
        return -1 if x < y else (1 if x > y else 0)

    return sorted(keyed, key=functools.cmp_to_key(compare))


@dataclass(frozen=True)
class Allocation:
    winners: tuple[str, ...]
    rest: tuple[str, ...]  # in rank order: the waitlist, or the alternates


def allocate(ranked: Sequence[str], party_sizes: Mapping[str, int], seats: int) -> Allocation:
    """Whole parties in rank order; a party that no longer fits is skipped, smaller ones behind it
    may still get in."""
    if seats < 0:
        raise ValueError(f"seats must not be negative: {seats}")
    left, winners, rest = seats, [], []
    for entry in ranked:
        size = party_sizes[entry]
        if size < 1:
            raise ValueError(f"party size of entry {entry!r} must be at least 1: {size}")
        if size <= left:
            winners.append(entry)
            left -= size
        else:
            rest.append(entry)
    return Allocation(tuple(winners), tuple(rest))


@dataclass(frozen=True)
class PublishedEntry:
    entry_id: str
    weight: int = 1
    party_size: int = 1  # always 1 for prize draws


@dataclass(frozen=True)
class PublishedDraw:
    """What the public draw page and the API publish; enough to verify the draw by hand."""

    draw_id: int
    algorithm: str
    commitment: str
    public_value: str
    seed_hex: str | None  # None before the draw
    entrants_count: int
    entrants_digest: str
    entries: tuple[PublishedEntry, ...]
    seats: int  # slots: seats to allocate; prize draws: number of winners
    ranked: tuple[str, ...]
    winners: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        entries = [asdict(e) for e in self.entries]
        return {
            **asdict(self),
            "entries": entries,
            "ranked": [*self.ranked],
            "winners": [*self.winners],
        }

    @classmethod
    def from_json(cls, data: Any) -> PublishedDraw:
        """Parse published JSON; ValueError names the first malformed field."""
        if not isinstance(data, Mapping):
            raise ValueError(f"a published draw must be a JSON object, not {type(data).__name__}")
        values = {name: _field(data, name, kind) for name, kind in _TYPES.items()}
        seed_hex = values["seed_hex"]
        if seed_hex is not None and not (isinstance(seed_hex, str) and _HEX.fullmatch(seed_hex)):
            raise ValueError("seed_hex must be null or lowercase hex digits (whole bytes)")
        for name in ("commitment", "entrants_digest"):
            if len(values[name]) != 64 or not _HEX.fullmatch(values[name]):
                raise ValueError(f"{name} must be 64 lowercase hex digits")
        for name in ("ranked", "winners"):
            if not all(isinstance(v, str) for v in values[name]):
                raise ValueError(f"field {name} must be a list of strings")
            values[name] = tuple(values[name])
        entries = []
        for i, raw in enumerate(values["entries"]):
            if not isinstance(raw, Mapping):
                raise ValueError(f"entries[{i}] must be an object")
            kinds = {"entry_id": str, "weight": int, "party_size": int}
            entries.append(
                PublishedEntry(**{k: _field(raw, k, t, f"entries[{i}].") for k, t in kinds.items()})
            )
        values["entries"] = tuple(entries)
        return cls(**values)


_TYPES: dict[str, type] = {
    **dict.fromkeys(("draw_id", "entrants_count", "seats"), int),
    **dict.fromkeys(("algorithm", "commitment", "public_value", "entrants_digest"), str),
    **dict.fromkeys(("entries", "ranked", "winners"), list),
    "seed_hex": object,  # str or None, checked below
}


def _field(data: Mapping[str, Any], name: str, kind: type, where: str = "") -> Any:
    if name not in data:
        raise ValueError(f"missing field {where}{name}")
    value = data[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"field {where}{name} must be of type {kind.__name__}: {value!r}")
    return value


def run_draw(
    draw_id: int, seed: bytes, public_value: str, entries: Iterable[PublishedEntry], seats: int
) -> PublishedDraw:
    """Everything the draw publishes, computed from the secret seed and the frozen entries."""
    listed = tuple(sorted(entries, key=lambda e: e.entry_id))
    ids = [e.entry_id for e in listed]
    if len(set(ids)) != len(ids):
        raise ValueError("entry ids must be unique")
    ranked = rank(final_seed(seed, public_value, draw_id), {e.entry_id: e.weight for e in listed})
    allocation = allocate(ranked, {e.entry_id: e.party_size for e in listed}, seats)
    return PublishedDraw(
        draw_id=draw_id,
        algorithm=ALGORITHM,
        commitment=commitment(seed),
        public_value=public_value,
        seed_hex=seed.hex(),
        entrants_count=len(listed),
        entrants_digest=entrants_digest(listed),
        entries=listed,
        seats=seats,
        ranked=tuple(ranked),
        winners=allocation.winners,
    )
