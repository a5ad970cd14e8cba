"""Page sessions: the session cookie, safe `next` targets, one-shot flash messages, redirects.

Pages sign people in with a session token (kind `session`) kept in an HttpOnly cookie. Inside the
messengers the pages run in a third-party iframe, so production sends `SameSite=None; Secure`;
elsewhere `SameSite=Lax` is enough (and works over plain HTTP in development).
"""

from __future__ import annotations

import re
from typing import Any, Literal
from urllib.parse import urlencode, urlsplit

from fastapi import Request
from fastapi.responses import RedirectResponse

from openindustry.config import Settings
from openindustry.kit.auth import SESSION_COOKIE

FLASH_COOKIE = "oi_flash"
# The address a sign-in code was sent to, between the two steps of the e-mail sign-in.
LOGIN_EMAIL_COOKIE = "oi_login"
LOGIN_EMAIL_MAX_AGE = 15 * 60

FLASH_KEYS = frozenset(
    {
        "signed_in",
        "signed_out",
        "account_deleted",
        "saved",
        "linked",
        "companion_added",
        "companion_saved",
        "companion_removed",
        "consent_given",
        "id_saved",
        "id_deleted",
        "code_sent",
        "registration_confirmed",
        "registration_waitlisted",
        "registration_applied",
        "registration_cancelled",
        "offer_accepted",
        "code_word_right",
        "code_word_wrong",
        "feedback_sent",
        "referral_accepted",
        "prize_claimed",
        "slots_created",
        "slot_cancelled",
        "registration_added",
        "registration_added_waitlisted",
        "registration_moved",
    }
)
_DEV_CODE = re.compile(r"dev_code:([0-9]{6})")
# Browsers skip tabs and newlines inside URLs and read «\» as «/»: «/\evil» is «//evil».
_UNSAFE = re.compile(r"[\x00-\x20\\\x7f]")


def cookie_options(settings: Settings) -> dict[str, Any]:
    samesite: Literal["none", "lax"] = "none" if settings.secure_cookies else "lax"
    return {"httponly": True, "path": "/", "samesite": samesite, "secure": settings.secure_cookies}


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def safe_next(value: str | None, default: str = "/") -> str:
    """A local path to return to; anything that could leave the site gives `default`."""
    if not value or len(value) > 1000 or not value.startswith("/") or value.startswith("//"):
        return default
    if _UNSAFE.search(value):
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def redirect(url: str) -> RedirectResponse:
    """Post/Redirect/Get: every successful POST answers 303."""
    return RedirectResponse(url, status_code=303)


def login_url(next_path: str, *, staff: bool = False, **extra: str) -> str:
    base = "/backoffice/login" if staff else "/login"
    return f"{base}?{urlencode({'next': next_path, **extra})}"


def start_session(response: RedirectResponse, request: Request, token: str) -> RedirectResponse:
    settings = settings_of(request)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_ttl_days * 24 * 3600,
        **cookie_options(settings),
    )
    response.delete_cookie(LOGIN_EMAIL_COOKIE, **cookie_options(settings))
    return response


def end_session(response: RedirectResponse, request: Request) -> RedirectResponse:
    response.delete_cookie(SESSION_COOKIE, **cookie_options(settings_of(request)))
    return response


def flash(response: RedirectResponse, request: Request, key: str) -> RedirectResponse:
    """A message for the next page only (a short-lived cookie the next render removes)."""
    response.set_cookie(FLASH_COOKIE, key, max_age=120, **cookie_options(settings_of(request)))
    return response


def read_flash(request: Request) -> tuple[str, str] | None:
    """(key, value) of a known flash message; anything else in the cookie is ignored."""
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw:
        return None
    if raw in FLASH_KEYS:
        return raw, ""
    found = _DEV_CODE.fullmatch(raw)
    return ("dev_code", found.group(1)) if found else None
