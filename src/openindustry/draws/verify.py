"""Recompute a published draw from the published data alone and say, check by check, if it holds."""

from __future__ import annotations

from dataclasses import dataclass

from openindustry.draws import rules
from openindustry.draws.rules import PublishedDraw

Check = tuple[str, bool, str]


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    checks: tuple[Check, ...]  # (name, passed, explanation in English)


def _entries_problem(draw: PublishedDraw) -> str | None:
    ids = [e.entry_id for e in draw.entries]
    if len(set(ids)) != len(ids):
        return "some entry id is listed twice"
    for e in draw.entries:
        if not 1 <= e.weight <= rules.MAX_WEIGHT:
            return f"entry {e.entry_id} has weight {e.weight}, outside 1..{rules.MAX_WEIGHT}"
        if e.party_size < 1:
            return f"entry {e.entry_id} has party size {e.party_size}, below 1"
    if draw.seats < 0:
        return f"the number of seats is negative ({draw.seats})"
    return None


def _input_checks(draw: PublishedDraw) -> list[Check]:
    count, digest = len(draw.entries), rules.entrants_digest(draw.entries)
    problem = _entries_problem(draw)
    return [
        (
            "algorithm",
            draw.algorithm == rules.ALGORITHM,
            f"the draw names the algorithm {draw.algorithm!r}; this verifier knows "
            f"{rules.ALGORITHM!r}",
        ),
        (
            "entries_well_formed",
            problem is None,
            problem or "entry ids are unique, weights are 1..100, party sizes are at least 1",
        ),
        (
            "entrants_count",
            count == draw.entrants_count,
            f"{count} entries are published; the count frozen at closing is {draw.entrants_count}",
        ),
        (
            "entrants_digest",
            digest == draw.entrants_digest,
            f"SHA-256 of the sorted entry ids is {digest}; the digest frozen at closing is "
            f"{draw.entrants_digest}",
        ),
    ]


def verify(published: PublishedDraw) -> VerifyReport:
    """Every check of the draw; `ok` only when all pass (and the draw has taken place)."""
    draw = published
    if draw.seed_hex is None:  # the entries are not published before the draw either
        message = (
            "the draw has not taken place yet: the seed is still secret, only its commitment "
            f"{draw.commitment} is published; check again after the draw"
        )
        return VerifyReport(ok=False, checks=(("seed_revealed", False, message),))
    checks = _input_checks(draw)
    try:
        seed = bytes.fromhex(draw.seed_hex)
    except ValueError:
        checks.append(("seed_revealed", False, f"the seed {draw.seed_hex!r} is not valid hex"))
        return VerifyReport(ok=False, checks=tuple(checks))
    checks.append(("seed_revealed", True, f"the seed is revealed: {draw.seed_hex}"))
    actual = rules.commitment(seed)
    checks.append(
        (
            "commitment",
            actual == draw.commitment,
            f"SHA-256 of the revealed seed is {actual}; the commitment published before the "
            f"draw is {draw.commitment}",
        )
    )
    seed_star = rules.final_seed(seed, draw.public_value, draw.draw_id)
    try:
        ranked = tuple(rules.rank(seed_star, {e.entry_id: e.weight for e in draw.entries}))
        winners = rules.allocate(
            ranked, {e.entry_id: e.party_size for e in draw.entries}, draw.seats
        ).winners
    except ValueError as exc:
        checks.append(("ranking", False, f"the ranking cannot be recomputed: {exc}"))
        return VerifyReport(ok=False, checks=tuple(checks))
    checks.append(
        (
            "ranking",
            ranked == draw.ranked,
            f"the recomputed ranking of {len(ranked)} entries (final seed {seed_star.hex()}) "
            + ("matches" if ranked == draw.ranked else "differs from")
            + " the published one",
        )
    )
    checks.append(
        (
            "winners",
            winners == draw.winners,
            f"the recomputed winners for {draw.seats} seats ({len(winners)} entries) "
            + ("match" if winners == draw.winners else "differ from")
            + " the published ones",
        )
    )
    return VerifyReport(ok=all(passed for _, passed, _ in checks), checks=tuple(checks))
