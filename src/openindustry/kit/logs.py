"""Logging that never carries a secret: addresses lose what may hold one.

Launch parameters (VK's `sign`), e-mail codes and tokens may travel in a query string; the path is
enough to follow a request in the logs. Outbound calls to the messengers carry the bot token in
the path (Telegram's /bot<token>/sendMessage) or the query (access_token=…): httpx's request
lines keep only the host and the method name.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

import httpx


class DropQueryStrings(logging.Filter):
    """Rewrite uvicorn's access records `(client, method, path?query, version, status)`."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, _, query = args[2].partition("?")
            if query:
                record.args = (*args[:2], f"{path}?…", *args[3:])
        return True


def redact_url(url: str) -> str:
    """`https://api.telegram.org/bot<token>/sendMessage?x=1` → `https://api.telegram.org/…/sendMessage`."""
    parts = urlsplit(url)
    last = parts.path.rstrip("/").rpartition("/")[2]
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}/…/{last}"


class RedactOutboundUrls(logging.Filter):
    """Rewrite httpx's `HTTP Request: METHOD URL "…"` records."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_url(str(arg)) if isinstance(arg, httpx.URL) else arg for arg in record.args
            )
        return True


def install() -> None:
    for name, kind in (("uvicorn.access", DropQueryStrings), ("httpx", RedactOutboundUrls)):
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
