"""MAX mini-apps: WebAppData passed in the URL fragment, verified with the bot token."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from openindustry.accounts.providers.base import InvalidSignature, Provider, VerifiedIdentity
from openindustry.accounts.providers.webapp import (
    MALFORMED,
    check_size,
    parse_unique,
    verify_webapp_data,
)

_WRAPPERS = ("tgWebAppData", "WebAppData")
_WRAPPED = re.compile(r"(?:^|&)(?:tg)?WebAppData=")


def _unwrap(raw: str) -> str:
    """The bare WebAppData: strip `#`, and take the `(tg)WebAppData` parameter when wrapped."""
    fragment = raw.removeprefix("#")
    if not _WRAPPED.search(fragment):
        return fragment
    outer = parse_unique(fragment)
    found = [outer[key] for key in _WRAPPERS if key in outer]
    if len(found) != 1:
        raise InvalidSignature(MALFORMED)
    return found[0]


def verify_max(
    raw: str, *, bot_token: str, now: datetime, max_age: timedelta | None
) -> VerifiedIdentity:
    """Verify MAX launch data: bare, `#`-prefixed or wrapped; `max_age=None` skips freshness."""
    check_size(raw)
    return verify_webapp_data(
        _unwrap(raw), provider=Provider.MAX, bot_token=bot_token, now=now, max_age=max_age
    )
