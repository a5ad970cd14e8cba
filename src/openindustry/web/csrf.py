"""CSRF protection of every page form.

Signed in: the token is HMAC(secret, "csrf:" + session cookie), so it is bound to the session and
needs no storage. Before sign-in (e-mail code, mini-app entry) there is no session to bind to, yet a
third-party site must not be able to sign a victim into the attacker's account: a random `oi_csrf`
cookie is set with the form and the form carries HMAC(secret, "csrf-pre:" + that cookie) — a signed
double submit, which another site can neither read nor forge.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response

from openindustry.kit.auth import SESSION_COOKIE
from openindustry.kit.crypto import keyed_hash
from openindustry.kit.errors import Forbidden
from openindustry.web.forms import Form, read_form
from openindustry.web.session import cookie_options, settings_of

CSRF_COOKIE = "oi_csrf"
CSRF_FIELD = "csrf_token"
PRE_SESSION_MAX_AGE = 24 * 3600
_MINTED = "csrf_minted"


class CsrfFailed(Forbidden):
    code = "csrf_failed"


def _secret(request: Request) -> str:
    return settings_of(request).secret_key.get_secret_value()


def _expected(request: Request, pre_session: str | None) -> str | None:
    session = request.cookies.get(SESSION_COOKIE)
    if session:
        return keyed_hash(_secret(request), "csrf:" + session)
    if pre_session:
        return keyed_hash(_secret(request), "csrf-pre:" + pre_session)
    return None


def form_token(request: Request) -> str:
    """The token to put into a form; mints the pre-session cookie when there is none yet."""
    pre = request.cookies.get(CSRF_COOKIE) or getattr(request.state, _MINTED, None)
    if not request.cookies.get(SESSION_COOKIE) and not pre:
        pre = secrets.token_urlsafe(32)
        setattr(request.state, _MINTED, pre)
    token = _expected(request, pre)
    assert token is not None  # noqa: S101 — one of the two branches above always holds
    return token


def set_minted_cookie(request: Request, response: Response) -> None:
    minted: str | None = getattr(request.state, _MINTED, None)
    if minted:
        response.set_cookie(
            CSRF_COOKIE,
            minted,
            max_age=PRE_SESSION_MAX_AGE,
            **cookie_options(settings_of(request)),
        )


def check(request: Request, form: Form) -> None:
    expected = _expected(request, request.cookies.get(CSRF_COOKIE))
    given = form.get(CSRF_FIELD)
    if expected is None or not given or not hmac.compare_digest(expected, given):
        raise CsrfFailed("Страница устарела. Обновите её и повторите действие.")


async def checked_form(request: Request) -> Form:
    """The submitted form, once its CSRF token has been checked (403 `csrf_failed` if not)."""
    form = await read_form(request)
    check(request, form)
    return form


CheckedForm = Annotated[Form, Depends(checked_form)]
