"""The rush results as the docs/benchmarks.md section: the targets first, then every run."""

from __future__ import annotations

from typing import Any

from bench import report

P99_LIMIT_MS = 150


def _statuses(run: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in run.get("by_status", {}).items())


def _ms(value: object) -> str:
    return f"{value:.0f}" if isinstance(value, int | float) else "–"


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _rush_row(label: str, run: dict[str, Any]) -> str:
    last = run.get("time_to_last_seat_s")
    if run.get("requests", 0) < run.get("planned", 0):
        label += f" (cut at the time limit: {run['requests']:,} of {run['planned']:,} answered)"
    return (
        f"| {label} | {run.get('per_second', 0):,.0f} | "
        f"{run.get('confirmations_per_second', 0):,.0f} | {_ms(run.get('p50_ms'))} | "
        f"{_ms(run.get('p95_ms'))} | {_ms(run.get('p99_ms'))} | {_ms(run.get('max_ms'))} | "
        f"{f'{last:.2f} s' if last is not None else '–'} | {run.get('oversold', '–')} | "
        f"{run.get('lost', '–')} | {_statuses(run)} |"
    )


RUSH_HEADER = [
    "| run | answers/s | confirmations/s | p50 ms | p95 ms | p99 ms | max ms | last seat "
    "| oversold | lost | answers |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
]


def _every_run(results: dict[str, Any]) -> list[dict[str, Any]]:
    runs = []
    for database in ("postgres", "sqlite"):
        for variant in results.get(database, {}).get("rush", {}).values():
            runs.extend(variant.values())
    minute = results.get("postgres", {}).get("opening_minute", {})
    if minute:
        runs.append(minute["book"])
    return runs


def _targets(results: dict[str, Any]) -> list[str]:
    pg = results.get("postgres", {})
    lite = results.get("sqlite", {})
    rows = ["| target | measured | met |", "|---|---|:---:|"]

    def row(target: str, measured: str, met: bool) -> None:
        rows.append(f"| {target} | {measured} | {'yes' if met else '**no**'} |")

    if pg:
        uniform = pg["rush"]["uniform"]
        app, ref = uniform["app"], uniform["reference"]
        share = _ratio(app["per_second"], ref["per_second"])
        row(
            "rush throughput ≥ 50 % of the reference booking ceiling",
            f"{share:.1%} ({app['per_second']:,.0f} vs {ref['per_second']:,.0f} answers/s)",
            share >= 0.5,
        )
        last = app.get("time_to_last_seat_s")
        row(
            "the 900 seats confirmed within 1 s of the start",
            f"{last:.2f} s (reference {ref['time_to_last_seat_s']:.2f} s)" if last else "–",
            last is not None and last <= 1.0,
        )
        catalog = pg["catalog"]
        trivial = catalog["trivial (reference)"]["per_second"]
        for name, share_needed in (("GET /api/v1/slots", 0.2), ("GET /slots/{id} (HTML)", 0.1)):
            got = _ratio(catalog[name]["per_second"], trivial)
            row(
                f"{name} ≥ {share_needed:.0%} of the trivial endpoint",
                f"{got:.1%} ({catalog[name]['per_second']:,.0f} vs {trivial:,.0f} req/s)",
                got >= share_needed,
            )
        row(
            f"p99 ≤ {P99_LIMIT_MS} ms during the rush (c = 64)",
            f"{app['p99_ms']:.0f} ms uniform, {pg['rush']['hot']['app']['p99_ms']:.0f} ms hot",
            max(app["p99_ms"], pg["rush"]["hot"]["app"]["p99_ms"]) <= P99_LIMIT_MS,
        )
        minute = pg["opening_minute"]
        worst = max(minute["json"]["p99_ms"], minute["page"]["p99_ms"])
        row(
            f"catalog p99 ≤ {P99_LIMIT_MS} ms during the rush",
            f"JSON {minute['json']['p99_ms']:.0f} ms, HTML {minute['page']['p99_ms']:.0f} ms",
            worst <= P99_LIMIT_MS,
        )
    runs = _every_run(results)
    wrong = sum(r.get("oversold", 0) + r.get("lost", 0) for r in runs)
    row(
        "oversold = 0 and lost = 0 in every run",
        f"{len(runs)} runs, oversold + lost = {wrong}",
        wrong == 0 and bool(runs),
    )
    if lite:
        app = lite["rush"]["uniform"]["app"]
        row(
            "SQLite default, one process: ≥ 1,000 registrations/s",
            f"{app['per_second']:,.0f} answers/s",
            app["per_second"] >= 1000,
        )
    return rows


def render(results: dict[str, Any]) -> tuple[str, str]:
    """The section's body and its footer (machine and versions)."""
    pg, lite = results.get("postgres", {}), results.get("sqlite", {})
    lines = [
        "## Registration rush, catalog, SQLite (`bench/rush.py`)",
        "",
        f"{results['participants']:,} participants signed in beforehand (tokens made before the "
        f"clock starts) each send one registration with an Idempotency-Key, at concurrency "
        f"{results['concurrency']}, to a fresh series of {results['slots']} slots × "
        f"{results['seats_per_slot']} seats opening now (fcfs); *hot*: everyone aims at 3 of the "
        "slots. The app is `openindustry serve --workers N`; the reference ceiling "
        "(bench/reference.py: the booking transaction alone, Starlette + asyncpg) runs with "
        "as many uvicorn workers, hit by the same load generator (wrk, one thread per "
        "connection, latencies measured per request by bench/wrk/driver.lua) in the same run. "
        "Oversold and lost are checked against the database after each run. The whole "
        f"benchmark took {results['wall_seconds']:.0f} s.",
        "",
        "### Targets",
        "",
        *_targets(results),
    ]
    if pg:
        lines += [
            "",
            f"### Rush on PostgreSQL ({pg['workers']} workers each)",
            "",
            *RUSH_HEADER,
        ]
        for variant, runs in pg["rush"].items():
            app, ref = runs["app"], runs["reference"]
            lines.append(_rush_row(f"{variant}: app", app))
            lines.append(_rush_row(f"{variant}: reference", ref))
            lines.append(
                f"| {variant}: app ÷ reference | "
                f"{_ratio(app['per_second'], ref['per_second']):.1%} | "
                f"{_ratio(app['confirmations_per_second'], ref['confirmations_per_second']):.1%}"
                " | | | | | | | | |"
            )
        trivial = pg["catalog"]["trivial (reference)"]["per_second"]
        lines += [
            "",
            "### Catalog, nothing else running",
            "",
            "| endpoint | req/s | ÷ trivial | p50 ms | p95 ms | p99 ms | max ms | answers |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for name, run in pg["catalog"].items():
            lines.append(
                f"| {name} | {run['per_second']:,.0f} | "
                f"{_ratio(run['per_second'], trivial):.1%} | {_ms(run['p50_ms'])} | "
                f"{_ms(run['p95_ms'])} | {_ms(run['p99_ms'])} | {_ms(run['max_ms'])} | "
                f"{_statuses(run)} |"
            )
        minute = pg["opening_minute"]
        lines += [
            "",
            "### The opening minute: page views (½ JSON list, ½ HTML slot page) and "
            "registrations at once",
            "",
            "| requests | count | per s | p50 ms | p95 ms | p99 ms | max ms | answers |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for kind, label in (
            ("json", "GET /api/v1/slots"),
            ("page", "GET /slots/{id}"),
            ("book", "registrations"),
            ("all", "all"),
        ):
            run = minute[kind]
            lines.append(
                f"| {label} | {run['requests']:,} | {run['per_second']:,.0f} | "
                f"{_ms(run['p50_ms'])} | {_ms(run['p95_ms'])} | {_ms(run['p99_ms'])} | "
                f"{_ms(run['max_ms'])} | {_statuses(run)} |"
            )
        book = minute["book"]
        lines.append(
            f"\nRegistrations in the opening minute: last seat after "
            f"{book.get('time_to_last_seat_s') or 0:.2f} s, oversold {book.get('oversold')}, "
            f"lost {book.get('lost')}."
        )
    if lite:
        lines += ["", "### SQLite default (one process)", "", *RUSH_HEADER]
        for variant, runs in lite["rush"].items():
            for who, run in runs.items():
                lines.append(_rush_row(f"{variant}: {who}", run))
    versions = results["versions"]
    footer = report.machine_line(results["machine"]) + (
        "- Versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()) + "\n"
    )
    return "\n".join(lines) + "\n", footer
