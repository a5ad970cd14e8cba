"""CSRF: every page route that changes something refuses a request without the form's token or
with a wrong one (403 `csrf_failed`) and accepts the right one. The routes are walked from the
app itself, so a new form without a CSRF check fails the build. The JSON API needs no token: it
ignores the session cookie and reads only the bearer token, which another site cannot send."""

from __future__ import annotations

import re

import httpx
import pytest

from openindustry.accounts.models import Role
from openindustry.app import create_app
from openindustry.config import Settings
from tests.api.routes import endpoints
from tests.api.test_access_matrix import PUBLIC, RULES
from tests.conftest import TokenFor
from tests.security.conftest import SESSION, csrf_token

REFUSAL_TEXT = "Страница устарела. Обновите её и повторите действие."
# The forms one fills in before having a session (a signed double submit protects them).
BEFORE_SIGN_IN = {"/entry", "/login", "/login/code", "/backoffice/login", "/backoffice/login/code"}
# A sample value for path parameters that are not numeric ids.
SAMPLES = {"collection": "enterprises"}
# Run last: they end the session the other requests use.
ENDING = ("/logout", "/profile/delete")


def page_writes() -> list[tuple[str, str]]:
    """Every route outside the JSON API that is not a GET, as the app serves them."""
    app = create_app(Settings(environment="test"))
    found = [(m, p) for m, p in endpoints(app) if m != "GET" and not p.startswith("/api/")]
    assert len(found) > 20  # the walk found the forms (guards the guard)
    return sorted(found, key=lambda route: route[1] in ENDING)


def url_of(path: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: SAMPLES.get(m.group(1), "1"), path)


def is_csrf_refusal(response: httpx.Response) -> bool:
    if response.status_code != 403:
        return False
    if response.headers["content-type"].startswith("application/json"):
        return bool(response.json()["error"]["code"] == "csrf_failed")
    return REFUSAL_TEXT in response.text


async def _send(
    client: httpx.AsyncClient, method: str, path: str, token: str | None
) -> httpx.Response:
    # Forms carry the token in a field; gate.js's JSON sync in the X-CSRF-Token header.
    data = {"csrf_token": token} if token is not None else {}
    headers = {"X-CSRF-Token": token} if token is not None else {}
    return await client.request(method, url_of(path), data=data, headers=headers)


@pytest.fixture
def db_url(migrated_databases: dict[str, str]) -> str:
    # The check happens before any handler touches the database: SQLite is enough.
    return migrated_databases["sqlite"]


async def test_every_page_form_refuses_a_missing_or_wrong_token(
    client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    # An admin passes every role check, so a refusal can only come from the CSRF check.
    client.cookies.set(SESSION, await token_for(Role.ADMIN))
    token = csrf_token(await client.get("/profile"))
    wrong = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    failures = []
    for method, path in page_writes():
        for label, sent in (("no token", None), ("a wrong token", wrong)):
            response = await _send(client, method, path, sent)
            if not is_csrf_refusal(response):
                failures.append(f"{method} {path} with {label}: {response.status_code}")
        # The right token passes the check (whatever the handler then makes of an empty form).
        response = await _send(client, method, path, token)
        if is_csrf_refusal(response) or response.status_code >= 500:
            failures.append(f"{method} {path} with the right token: {response.status_code}")
    assert not failures, "\n".join(failures)


async def test_forms_before_sign_in_refuse_a_forged_submission(client: httpx.AsyncClient) -> None:
    token = csrf_token(await client.get("/login"))  # also sets the pre-session cookie
    for path in sorted(BEFORE_SIGN_IN):
        assert is_csrf_refusal(await _send(client, "POST", path, None)), path
        assert is_csrf_refusal(await _send(client, "POST", path, token[::-1])), path
        assert not is_csrf_refusal(await _send(client, "POST", path, token)), path
    # Another site cannot read the cookie; without it even the right-looking token is refused.
    client.cookies.clear()
    assert is_csrf_refusal(await _send(client, "POST", "/login", token))


async def test_a_token_is_bound_to_its_session(
    client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    client.cookies.set(SESSION, await token_for())
    anna = csrf_token(await client.get("/profile"))
    client.cookies.set(SESSION, await token_for())
    refused = await _send(client, "POST", "/profile/consent", anna)
    assert is_csrf_refusal(refused)


async def test_the_json_api_ignores_the_session_cookie(
    client: httpx.AsyncClient, token_for: TokenFor
) -> None:
    # What a forged cross-site request could carry is the cookie, never a bearer token.
    client.cookies.set(SESSION, await token_for(Role.ADMIN))
    failures = []
    for (method, path), rule in sorted(RULES.items()):
        if method == "GET" or not path.startswith("/api/") or rule == PUBLIC:
            continue
        response = await client.request(method, url_of(path), json={})
        if response.status_code != 401 or response.json()["error"]["code"] != "auth_required":
            failures.append(f"{method} {path}: {response.status_code}")
    assert not failures, "\n".join(failures)
