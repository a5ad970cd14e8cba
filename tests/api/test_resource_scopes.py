"""No IDOR: every OWN and ENTERPRISE route of SCOPES, called with real resources.

For each route taken from the app's own table (a new scoped route is called without anyone
adding it here), the owner or the slot's host gets the route's normal outcome, and everybody
else gets exactly what an id that does not exist gets, learns nothing and changes nothing:
- someone else's registration, ticket, claim or companion: 404 `*_not_found` (pages: the 404
  page), the same answer as for a missing id — as participant B, as the host of Anna's slot and
  as an organizer (staff use their own routes, not the participant's);
- another enterprise's slot: 403 `forbidden` (slots are public, so 403 reveals nothing a 404
  would hide — checkin/service.py).
Both the JSON API (bearer token) and the pages (session cookie, forms with a valid CSRF token,
so a refusal can never be the CSRF check's) are called. One app and one world per test.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.app import create_app
from openindustry.config import Settings
from openindustry.kit.types import MAX_ID
from tests.api import world as world_
from tests.api.test_access_matrix import ENTERPRISE, OWN, SCOPES
from tests.api.world import World, error_code

Route = tuple[str, str]
# A page of the participant's own that a stranger gets as something else than 404 — always the
# same as for an id that does not exist, and changing nothing (checked below).
NOT_404: dict[Route, int] = {
    # The profile's companion list is replaced as a whole: an id not in one's own list is
    # refused as a form error (422 `companion_not_found`, accounts/service.py).
    ("POST", "/profile/companions/{companion_id}"): 422,
    # Removing a companion that is not in one's list is a no-op: the wish is fulfilled.
    ("POST", "/profile/companions/{companion_id}/delete"): 303,
}
COMPANION_NAME = "Другое Имя"
SIGN_IN = re.compile(r"^/(backoffice/)?login")


# 10:00 in Moscow: the world's slot, two hours ahead, is today's (tests/checkin/conftest.py).
MORNING = datetime(2030, 12, 11, 7, 0, tzinfo=UTC)


@pytest.fixture
async def world(settings: Settings, session: AsyncSession) -> AsyncIterator[World]:
    # Rate limits off: a few dozen requests by one person in a second is the test, not abuse.
    app = create_app(settings.model_copy(update={"rate_limit_enabled": False}))
    # A 500 is an answer to report, not an exception to stop the loop at.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        with time_machine.travel(MORNING, tick=True):
            built = await world_.build(session, settings, transport)
            yield built
            await world_.close(built)
    finally:
        await app.state.engine.dispose()


def _url(path: str, ids: dict[str, int]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in ids:
            raise LookupError(f"no resource for {{{name}}}: give the world one")
        return str(ids[name])

    return re.sub(r"\{([^}]+)\}", fill, path)


def _request(route: Route, world: World) -> dict[str, Any]:
    """What a real client sends to this route, beyond the token and the CSRF field."""
    if route == ("POST", "/profile/companions/{companion_id}"):
        return {"form": {"name": COMPANION_NAME, "birth_date": "2015-03-03"}}
    if route == ("POST", "/backoffice/gate/{slot_id}"):
        return {"form": {"code": world.secrets["Anna's ticket code"], "scan_id": _scan_id()}}
    if route == ("POST", "/backoffice/gate/{slot_id}/sync"):
        scan = {
            "scan_id": _scan_id(),
            "ticket_code": world.secrets["Anna's ticket code"],
            "scanned_at": datetime.now(UTC).isoformat(),
        }
        return {"json": {"scans": [scan]}}  # as gate.js posts it (CSRF token in a header)
    return {}


def _scan_id() -> str:
    return secrets.token_urlsafe(12)


def _brief(response: httpx.Response) -> str:
    kind = response.headers.get("content-type", "")
    if not kind.startswith(("text/", "application/json")):
        return kind  # a QR code, a spreadsheet: its type says enough
    return " ".join(response.text[:300].split())[:160]


def _leaks(response: httpx.Response, world: World) -> list[str]:
    return [what for what, value in world.secrets.items() if value in response.text]


def _reached(response: httpx.Response, method: str) -> str | None:
    """Why this is not the outcome of a caller the route admits, or None if it is."""
    status = response.status_code
    location = response.headers.get("location", "")
    if status >= 500 or status in {401, 403, 404}:
        return f"{status} {_brief(response)}"
    if method == "GET" and status != 200:
        return f"{status} instead of 200"
    if 300 <= status < 400 and SIGN_IN.match(location):
        return f"sent to sign in ({location})"
    return None


def _routes(scope: str, key: Callable[[Route], Any] = lambda route: route) -> list[Route]:
    return sorted((route for route, s in SCOPES.items() if s == scope), key=key)


def _last_if_destructive(route: Route) -> tuple[bool, Route]:
    method, path = route
    return method != "GET" and path.endswith(("/cancel", "/delete")), route


async def test_only_the_owner_reaches_a_registration_ticket_claim_or_companion(
    world: World,
) -> None:
    ids = {
        "registration_id": world.registration.id,
        "claim_id": world.claim.id,
        "companion_id": world.companion_id,
    }
    missing_ids = dict.fromkeys(ids, MAX_ID)
    strangers = (world.boris, world.host, world.organizer)
    failures = []
    for route in _routes(OWN):
        method, path = route
        try:
            url, missing_url = _url(path, ids), _url(path, missing_ids)
        except LookupError as exc:
            failures.append(f"{method} {path}: {exc}")
            continue
        missing = await world.boris.send(method, missing_url, **_request(route, world))
        expected = NOT_404.get(route, 404)
        if missing.status_code != expected:
            failures.append(f"{method} {path}, a missing id: {missing.status_code}, not {expected}")
        for stranger in strangers:
            got = await stranger.send(method, url, **_request(route, world))
            where = f"{method} {path} as {stranger.name}"
            code = error_code(got)
            if got.status_code != expected:
                failures.append(f"{where}: {got.status_code} {_brief(got)}")
            elif path.startswith("/api/") and not (
                code and code.endswith("not_found") and code == error_code(missing)
            ):
                failures.append(f"{where}: code {code}, a missing id gets {error_code(missing)}")
            elif (
                expected == 404
                and not path.startswith("/api/")
                and "Такой страницы нет" not in got.text
            ):
                failures.append(f"{where}: not the 404 page")
            if leaked := _leaks(got, world):
                failures.append(f"{where}: shows {leaked}")
    failures += await _anna_has_what_she_had(world)
    # Then Anna herself: everything reachable; cancelling and deleting come last.
    for route in _routes(OWN, key=_last_if_destructive):
        method, path = route
        got = await world.anna.send(method, _url(path, ids), **_request(route, world))
        if (why := _reached(got, method)) is not None:
            failures.append(f"{method} {path} as anna: {why}")
    assert not failures, "\n".join(failures)


async def _anna_has_what_she_had(world: World) -> list[str]:
    """Nothing the strangers sent changed Anna's registration, companion or claim."""
    anna = world.anna
    registration = (await anna.send("GET", f"/api/v1/registrations/{world.registration.id}")).json()
    me = (await anna.send("GET", "/api/v1/me")).json()
    claims = (await anna.send("GET", "/api/v1/me/claims")).json()["items"]
    found = {
        "registration": (registration["status"], registration["party_size"]),
        "companions": [(c["id"], c["name"]) for c in me["companions"]],
        "claims": [(c["id"], c["status"]) for c in claims],
    }
    expected = {
        "registration": ("confirmed", 2),
        "companions": [(world.companion_id, "Маша Матрицева")],
        "claims": [(world.claim.id, world.claim.status.value)],
    }
    return [
        f"strangers changed Anna's {what}: {found[what]} instead of {expected[what]}"
        for what in expected
        if found[what] != expected[what]
    ]


# Back-office addresses that gate.js fetches: their refusals are JSON in the API's shape.
READ_BY_SCRIPT = {
    ("GET", "/backoffice/gate/{slot_id}/kit.json"),
    ("POST", "/backoffice/gate/{slot_id}/sync"),
}


async def test_a_host_reaches_only_its_own_enterprises_slots(world: World) -> None:
    ids = {"slot_id": world.slot.id}
    failures = []
    # Another enterprise's host first: its check-ins (of a valid ticket for today's slot, which
    # the slot's own host then checks in) must leave Anna's ticket unused.
    for route in _routes(ENTERPRISE):
        method, path = route
        try:
            url = _url(path, ids)
        except LookupError as exc:
            failures.append(f"{method} {path}: {exc}")
            continue
        caller = world.foreign_host
        got = await caller.send(method, url, **_request(route, world))
        where = f"{method} {path} as the other enterprise's host"
        code = error_code(got)
        if got.status_code != 403:
            failures.append(f"{where}: {got.status_code} {_brief(got)}")
        elif code is not None and code != "forbidden":
            failures.append(f"{where}: code {code}")
        elif code is None and route in READ_BY_SCRIPT:
            failures.append(f"{where}: gate.js reads JSON, got {_brief(got)}")
        elif code is None and "Нет доступа" not in got.text:
            failures.append(f"{where}: not the 403 page")
        if leaked := _leaks(got, world):
            failures.append(f"{where}: shows {leaked}")
    if arrived := await _arrived(world):
        failures.append(f"the other enterprise's host checked guests in: {arrived}")
    for caller in (world.host, world.organizer):
        for route in _routes(ENTERPRISE):
            method, path = route
            got = await caller.send(method, _url(path, ids), **_request(route, world))
            if (why := _reached(got, method)) is not None:
                failures.append(f"{method} {path} as {caller.name}: {why}")
    if await _arrived(world) != [world.registration.id]:
        failures.append("the slot's own host could not check Anna in at the gate")
    assert not failures, "\n".join(failures)


async def _arrived(world: World) -> list[int]:
    guests = await world.organizer.send("GET", f"/api/v1/admin/slots/{world.slot.id}/guests")
    return [g["registration_id"] for g in guests.json()["items"] if g["checked_in_at"]]


async def test_a_participants_export_holds_their_own_data_only(world: World) -> None:
    # Who downloaded an organizer's export is audited (privacy/test_export_audit.py); here each
    # participant downloads their own, through the API and from the profile page.
    anna, boris = world.identities["anna"], world.identities["boris"]
    failures = []
    for caller, own, other in ((world.anna, anna, boris), (world.boris, boris, anna)):
        for url in ("/api/v1/me/export", "/profile/export"):
            got = await caller.send("GET", url)
            if got.status_code != 200:
                failures.append(f"{url} as {caller.name}: {got.status_code} {_brief(got)}")
                continue
            text = json.dumps(got.json(), ensure_ascii=False)
            if missing := sorted(value for value in own if value not in text):
                failures.append(f"{url} as {caller.name} lacks {missing}")
            if leaked := sorted(value for value in other if value in text):
                failures.append(f"{url} as {caller.name} holds another person's {leaked}")
    assert not failures, "\n".join(failures)
