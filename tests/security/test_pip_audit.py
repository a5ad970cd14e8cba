"""The CI dependency audit (.ci/pip_audit.py) fails on a known vulnerability and says plainly,
without failing, when no vulnerability database could be reached. A stand-in for pip-audit
writes the report each case produces, so this runs offline and in a second."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / ".ci" / "pip_audit.py"
UNREACHABLE = "pip-audit: vulnerability database unreachable, audit skipped"

AUDITED_CLEAN = {"name": "httpx", "version": "0.28.1", "vulns": []}
VULNERABLE = {
    "name": "jinja2",
    "version": "3.1.2",
    "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.3"], "description": "…"}],
}
SKIPPED = {
    "name": "uvicorn",
    "skip_reason": "Dependency not found on PyPI and could not be audited",
}


def _stand_in(tmp_path: Path, reports: dict[str, dict[str, Any] | None]) -> Path:
    """A `pip-audit` that writes the report given for the service asked (None: crashes)."""
    program = tmp_path / "pip-audit"
    program.write_text(
        f"#!{sys.executable}\n"
        "import json, sys\n"
        f"reports = {json.dumps(reports)!r}\n"
        "args = sys.argv[1:]\n"
        "report = json.loads(reports)[args[args.index('--vulnerability-service') + 1]]\n"
        "if report is None:\n"
        "    sys.exit('ConnectionError: could not resolve host')\n"
        "open(args[args.index('--output') + 1], 'w').write(json.dumps(report))\n"
        "sys.exit(1 if any(d.get('vulns') for d in report['dependencies']) else 0)\n",
        encoding="utf-8",
    )
    program.chmod(0o755)
    return program


def _audit(program: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT)],
        env=os.environ | {"PIP_AUDIT": str(program)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_known_vulnerability_fails_the_build(tmp_path: Path) -> None:
    report = {"dependencies": [AUDITED_CLEAN, VULNERABLE, SKIPPED], "fixes": []}
    done = _audit(_stand_in(tmp_path, {"osv": report, "pypi": None}))
    assert done.returncode == 1
    assert "jinja2 3.1.2: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.3)" in done.stdout
    assert "2 of 3 dependencies audited, 1 with known vulnerabilities" in done.stdout


def test_a_clean_audit_passes(tmp_path: Path) -> None:
    report = {"dependencies": [AUDITED_CLEAN, SKIPPED], "fixes": []}
    done = _audit(_stand_in(tmp_path, {"osv": None, "pypi": report}))  # OSV down, PyPI answers
    assert done.returncode == 0
    assert "pip-audit (pypi): 1 of 2 dependencies audited, 0 with known" in done.stdout


@pytest.mark.parametrize(
    "reports",
    [
        {"osv": None, "pypi": None},  # no network at all
        # What a PyPI mirror without per-version JSON gives: every package skipped, "success".
        {"osv": None, "pypi": {"dependencies": [SKIPPED, SKIPPED], "fixes": []}},
    ],
)
def test_an_unreachable_database_is_said_plainly_and_does_not_fail(
    tmp_path: Path, reports: dict[str, dict[str, Any] | None]
) -> None:
    done = _audit(_stand_in(tmp_path, reports))
    assert done.returncode == 0
    assert done.stdout.strip() == UNREACHABLE
