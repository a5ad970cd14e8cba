"""`python -m bench` runs every benchmark; `python -m bench rush` runs one.

`python -m bench profile` (a flame graph of the app during a rush) is not run by default."""

from __future__ import annotations

import sys

from bench import leaderboard, profile, rush

BENCHMARKS = {"rush": rush.main, "leaderboard": leaderboard.main}
ON_REQUEST = {"profile": profile.main}


def main(argv: list[str]) -> int:
    known = BENCHMARKS | ON_REQUEST
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in known]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(known)}")
        return 2
    for name in names:
        known[name]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
