"""Telegram Mini Apps: `initData`, verified with the bot token (WebAppData scheme)."""

from __future__ import annotations

from datetime import datetime, timedelta

from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.providers.webapp import verify_webapp_data


def verify_telegram(
    raw: str, *, bot_token: str, now: datetime, max_age: timedelta | None
) -> VerifiedIdentity:
    """Verify Telegram's `initData` query string; `max_age=None` switches freshness off."""
    return verify_webapp_data(
        raw, provider=Provider.TELEGRAM, bot_token=bot_token, now=now, max_age=max_age
    )
