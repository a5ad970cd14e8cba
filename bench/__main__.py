"""`python -m bench` runs every benchmark; `python -m bench rush` runs one.

`python -m bench profile` (a flame graph of the app during a rush) and `python -m bench soak
[--minutes 10]` (memory and latency over a long run) and `python -m bench cpu` (server CPU per
request, one worker) are not run by default."""

from __future__ import annotations

import sys

from bench import cpu, leaderboard, profile, rush, soak

BENCHMARKS = {"rush": rush.main, "leaderboard": leaderboard.main}
ON_REQUEST = {"profile": profile.main, "soak": soak.main, "cpu": cpu.main}


def main(argv: list[str]) -> int:
    if argv[:1] == ["soak"]:  # the one benchmark with options
        soak.main(argv[1:])
        return 0
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
