"""Logging that never carries a secret: access lines lose their query strings.

Launch parameters (VK's `sign`), e-mail codes and tokens may travel in a query string; the path is
enough to follow a request in the logs.
"""

from __future__ import annotations

import logging


class DropQueryStrings(logging.Filter):
    """Rewrite uvicorn's access records `(client, method, path?query, version, status)`."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, _, query = args[2].partition("?")
            if query:
                record.args = (*args[:2], f"{path}?…", *args[3:])
        return True


def install() -> None:
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, DropQueryStrings) for f in access.filters):
        access.addFilter(DropQueryStrings())
