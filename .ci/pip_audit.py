"""Dependency audit for CI: pip-audit over the installed environment.

Exits 1 when a dependency has a known vulnerability. When no vulnerability database answers
(offline CI, a PyPI mirror without the per-version JSON pip-audit reads, OSV unreachable) pip-audit
itself reports success with every package skipped; here that is said plainly and does not fail
the build. OSV is tried first, then PyPI's own advisory data.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

SERVICES = ("osv", "pypi")
UNREACHABLE = "pip-audit: vulnerability database unreachable, audit skipped"


def pip_audit() -> str:
    # Tests put a stand-in here; otherwise the one installed beside this Python.
    return os.environ.get("PIP_AUDIT") or str(Path(sys.executable).parent / "pip-audit")


def run(service: str) -> dict[str, Any] | None:
    """The JSON report of one service, or None if it audited nothing (unreachable)."""
    with tempfile.TemporaryDirectory() as folder:
        output = Path(folder) / "report.json"
        command = [pip_audit(), "--vulnerability-service", service, "--format", "json"]
        command += ["--output", str(output), "--skip-editable", "--progress-spinner", "off"]
        try:
            # The command is this script's own, not input from anyone.
            subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)  # noqa: S603
            report: dict[str, Any] = json.loads(output.read_text(encoding="utf-8"))
        except (OSError, ValueError, subprocess.TimeoutExpired):
            return None  # pip-audit stopped before writing a report: a network error
    audited = [d for d in report.get("dependencies", []) if "skip_reason" not in d]
    return report if audited else None


def main() -> int:
    for service in SERVICES:
        report = run(service)
        if report is not None:
            break
    else:
        print(UNREACHABLE)
        return 0
    dependencies = report["dependencies"]
    audited = [d for d in dependencies if "skip_reason" not in d]
    vulnerable = [d for d in audited if d.get("vulns")]
    print(
        f"pip-audit ({service}): {len(audited)} of {len(dependencies)} dependencies audited, "
        f"{len(vulnerable)} with known vulnerabilities"
    )
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixed = ", ".join(vuln.get("fix_versions") or []) or "no fixed version yet"
            print(
                f"  {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixed})"
            )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
