"""Access logs keep the path and drop the query string, where launch data and codes travel."""

from __future__ import annotations

import logging

from openindustry.kit.logs import DropQueryStrings


def _record(path: str) -> logging.LogRecord:
    return logging.LogRecord(
        "uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 303), None,
    )  # fmt: skip


def test_query_strings_never_reach_the_access_log() -> None:
    record = _record("/entry?vk_user_id=1&sign=SECRETSIGNATURE")
    assert DropQueryStrings().filter(record)
    line = record.getMessage()
    assert "SECRETSIGNATURE" not in line
    assert "/entry?…" in line


def test_paths_without_a_query_are_left_alone() -> None:
    record = _record("/api/v1/slots")
    DropQueryStrings().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /api/v1/slots HTTP/1.1" 303'
