"""Where benchmarks write: a section of docs/benchmarks.md each, and docs/benchmarks.json."""

from __future__ import annotations

import json
import os
import platform
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"
REPORT_JSON = ROOT / "docs" / "benchmarks.json"

HEADER = """# Benchmarks

Figures measured by `python -m bench <name>` (`make bench` runs them all). They are not part of
`make test`. Each section is rewritten by its benchmark.

"""


def machine() -> dict[str, Any]:
    """Cores, CPU model, memory and the operating system of this machine."""
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    memory_gib = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        found = re.search(r"MemTotal:\s*(\d+) kB", meminfo.read_text())
        memory_gib = round(int(found.group(1)) / 1024 / 1024, 1) if found else None
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": memory_gib,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def machine_line(info: dict[str, Any]) -> str:
    memory = f"{info['memory_gib']} GiB" if info.get("memory_gib") else "unknown memory"
    return f"- Machine: {info['cores']} cores, {info['cpu']}, {memory} RAM, {info['os']}\n"


def write_section(name: str, body: str, footer: str) -> None:
    """Replace (or append) the section of docs/benchmarks.md between the benchmark's markers."""
    text = REPORT.read_text() if REPORT.exists() else HEADER
    section = f"<!-- bench:{name} -->\n{body.rstrip()}\n\n{footer}<!-- /bench:{name} -->\n"
    pattern = re.compile(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->\n", re.S)
    text = pattern.sub(lambda _: section, text) if pattern.search(text) else text + section
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(text)


def write_json(name: str, data: dict[str, Any]) -> None:
    """Replace the benchmark's entry in docs/benchmarks.json, keeping the others."""
    existing: dict[str, Any] = {}
    if REPORT_JSON.exists():
        try:
            existing = json.loads(REPORT_JSON.read_text())
        except ValueError:
            existing = {}
    existing[name] = data
    REPORT_JSON.write_text(json.dumps(existing, indent=2, ensure_ascii=False) + "\n")
