"""WebAppData: launch data Telegram and MAX mini-apps hand to a web app, signed with the bot token.

Also holds the parsing and freshness helpers the VK verifier shares. Pure functions, no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections import Counter
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote, urlencode

from openindustry.accounts.providers.base import (
    Expired,
    InvalidSignature,
    Provider,
    VerifiedIdentity,
)

MAX_RAW_BYTES = 8 * 1024
MAX_FUTURE = timedelta(minutes=5)
BAD_SIGNATURE = "Подпись данных запуска неверна."
MALFORMED = "Данные запуска повреждены или неполны."
STALE = "Данные запуска устарели, откройте приложение заново."

_TIMESTAMP = re.compile(r"[0-9]{1,12}")
# Keys and values must not be able to smuggle a line of their own into the data-check-string.
_KEY = re.compile(r"[A-Za-z0-9_]{1,64}")
_EXTRA = ("query_id", "start_param", "chat_type", "chat_instance")


def check_size(raw: str) -> None:
    """Refuse oversized input and strings that are not valid Unicode text (lone surrogates)."""
    try:
        size = len(raw.encode("utf-8"))
    except UnicodeEncodeError:
        raise InvalidSignature(MALFORMED) from None
    if size > MAX_RAW_BYTES:
        raise InvalidSignature(MALFORMED)


def parse_unique(query: str) -> dict[str, str]:
    """Decode a query string exactly once; every key must occur exactly once."""
    check_size(query)
    try:
        pairs = parse_qsl(
            query, keep_blank_values=True, strict_parsing=True, errors="strict", max_num_fields=100
        )
    except ValueError:  # also UnicodeDecodeError from escapes like %ff
        raise InvalidSignature(MALFORMED) from None
    if any(n > 1 for n in Counter(k for k, _ in pairs).values()):
        raise InvalidSignature(MALFORMED)
    return dict(pairs)


def check_fresh(timestamp: str | None, *, now: datetime, max_age: timedelta | None) -> None:
    """Unix-seconds `timestamp` must lie within `max_age` of `now`; `max_age=None` skips it."""
    if max_age is None:
        return
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if timestamp is None or not _TIMESTAMP.fullmatch(timestamp):
        raise InvalidSignature(MALFORMED)
    age = now.timestamp() - int(timestamp)
    if age > max_age.total_seconds() or -age > MAX_FUTURE.total_seconds():
        raise Expired(STALE)


def webapp_hash(fields: dict[str, str], bot_token: str) -> str:
    """Hex HMAC of the data-check-string: every field but `hash` (`signature` included), sorted."""
    check = "\n".join(f"{k}={v}" for k, v in sorted(fields.items()) if k != "hash")
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def sign_webapp_data(fields: dict[str, str], bot_token: str) -> str:
    """A query string carrying `fields` and their correct `hash` (for tests and fixtures)."""
    signed = {**fields, "hash": webapp_hash(fields, bot_token)}
    return urlencode(signed, quote_via=quote, safe="")


def verify_webapp_data(
    raw: str, *, provider: Provider, bot_token: str, now: datetime, max_age: timedelta | None
) -> VerifiedIdentity:
    fields = parse_unique(raw)
    received = fields.pop("hash", None)
    if received is None or any(not _KEY.fullmatch(k) or "\n" in v for k, v in fields.items()):
        raise InvalidSignature(MALFORMED)
    expected = webapp_hash(fields, bot_token)
    if not hmac.compare_digest(expected.encode(), received.lower().encode()):
        raise InvalidSignature(BAD_SIGNATURE)
    check_fresh(fields.get("auth_date"), now=now, max_age=max_age)
    try:
        user = json.loads(fields["user"])
    except (KeyError, ValueError, RecursionError):
        raise InvalidSignature(MALFORMED) from None
    if not isinstance(user, dict):
        raise InvalidSignature(MALFORMED)
    user_id = user.get("id")
    if not isinstance(user_id, int) or isinstance(user_id, bool):
        raise InvalidSignature(MALFORMED)

    def text(key: str) -> str | None:
        value = user.get(key)
        return value if isinstance(value, str) and value else None

    return VerifiedIdentity(
        provider=provider,
        subject=str(user_id),
        first_name=text("first_name"),
        last_name=text("last_name"),
        username=text("username"),
        language=text("language_code"),
        extra={k: fields[k] for k in _EXTRA if k in fields},
    )
