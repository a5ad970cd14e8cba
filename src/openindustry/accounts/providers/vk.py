"""VK Mini Apps: launch parameters signed with the app's secret key."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import datetime, timedelta
from urllib.parse import urlencode, urlsplit

from openindustry.accounts.providers.base import InvalidSignature, Provider, VerifiedIdentity
from openindustry.accounts.providers.webapp import (
    BAD_SIGNATURE,
    MALFORMED,
    check_fresh,
    check_size,
    parse_unique,
)

_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_USER_ID = re.compile(r"[0-9]{1,20}")


def vk_sign(params: dict[str, str], secret: str) -> str:
    """base64url (unpadded) HMAC-SHA256 of the sorted, URL-encoded `vk_` parameters."""
    signed = sorted((k, v) for k, v in params.items() if k.startswith("vk_"))
    digest = hmac.new(secret.encode(), urlencode(signed).encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def sign_vk_launch_params(params: dict[str, str], secret: str) -> str:
    """A query string carrying `params` and their correct `sign` (for tests and fixtures)."""
    return urlencode({**params, "sign": vk_sign(params, secret)})


def _query(raw: str) -> str:
    if not _URL.match(raw):
        return raw.removeprefix("?")
    try:
        return urlsplit(raw).query
    except ValueError:
        raise InvalidSignature(MALFORMED) from None


def verify_vk(
    raw: str, *, secret: str, now: datetime, max_age: timedelta | None
) -> VerifiedIdentity:
    """Verify VK launch params (query, `?query` or full URL); `max_age=None` skips freshness."""
    check_size(raw)
    params = parse_unique(_query(raw))
    received = params.get("sign")
    if received is None:
        raise InvalidSignature(MALFORMED)
    if not hmac.compare_digest(vk_sign(params, secret).encode(), received.encode()):
        raise InvalidSignature(BAD_SIGNATURE)
    check_fresh(params.get("vk_ts"), now=now, max_age=max_age)
    user_id = params.get("vk_user_id", "")
    if not _USER_ID.fullmatch(user_id):
        raise InvalidSignature(MALFORMED)
    return VerifiedIdentity(
        provider=Provider.VK,
        subject=user_id,
        language=params.get("vk_language") or None,
        extra={k: params[k] for k in ("vk_platform", "vk_app_id") if k in params},
    )
