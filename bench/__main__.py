"""`python -m bench` runs every benchmark; `python -m bench leaderboard` runs one."""

from __future__ import annotations

import sys

from bench import leaderboard

BENCHMARKS = {"leaderboard": leaderboard.main}


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
        return 2
    for name in names:
        BENCHMARKS[name]()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
