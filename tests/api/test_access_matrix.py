"""Every route × every kind of caller → the expected outcome.

The tables are checked against the routes the app really serves: a new route without a rule in
RULES (the least role it needs) fails the build, and so does a route with an id in its path and no
decision in SCOPES (whose ids it may reach), so no endpoint ships without someone deciding who may
call it. Every JSON route and every page is then called as anonymous, participant, host, organizer
and admin; test_resource_scopes.py calls the OWN and ENTERPRISE routes with real resources as
their owner and as other participants and hosts.
"""

from __future__ import annotations

import re

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.app import create_app
from openindustry.config import Settings
from tests import factories
from tests.api import world
from tests.api.routes import endpoints
from tests.conftest import TokenFor

PUBLIC, SIGNED_IN, HOST, ORGANIZER, ADMIN = "public", "participant", "host", "organizer", "admin"
LEVELS = [SIGNED_IN, HOST, ORGANIZER, ADMIN]

RULES: dict[tuple[str, str], str] = {
    ("GET", "/healthz"): PUBLIC,
    # Counts and timings, no personal data; OPENINDUSTRY_METRICS_TOKEN closes it (test_metrics.py).
    ("GET", "/metrics"): PUBLIC,
    ("GET", "/openapi.json"): PUBLIC,
    ("GET", "/docs"): PUBLIC,
    ("GET", "/docs/oauth2-redirect"): PUBLIC,
    ("GET", "/redoc"): PUBLIC,
    # Catalog: open to everyone.
    ("GET", "/api/v1/industries"): PUBLIC,
    ("GET", "/api/v1/enterprises"): PUBLIC,
    ("GET", "/api/v1/enterprises/{enterprise_id}"): PUBLIC,
    ("GET", "/api/v1/programs"): PUBLIC,
    ("GET", "/api/v1/programs/{program_id}"): PUBLIC,
    ("GET", "/api/v1/slots"): PUBLIC,
    ("GET", "/api/v1/slots/{slot_id}"): PUBLIC,
    # Signing in is how one stops being anonymous.
    ("POST", "/api/v1/auth/vk"): PUBLIC,
    ("POST", "/api/v1/auth/telegram"): PUBLIC,
    ("POST", "/api/v1/auth/max"): PUBLIC,
    ("POST", "/api/v1/auth/email/start"): PUBLIC,
    ("POST", "/api/v1/auth/email/verify"): PUBLIC,
    ("GET", "/api/v1/consent"): PUBLIC,
    # One's own data.
    ("POST", "/api/v1/auth/logout"): SIGNED_IN,
    ("GET", "/api/v1/me"): SIGNED_IN,
    ("PATCH", "/api/v1/me"): SIGNED_IN,
    ("POST", "/api/v1/me/consent"): SIGNED_IN,
    ("PUT", "/api/v1/me/id-document"): SIGNED_IN,
    ("DELETE", "/api/v1/me/id-document"): SIGNED_IN,
    # One's own data, downloaded or deleted (tests/privacy/): DELETE needs {"confirmation"}.
    ("GET", "/api/v1/me/export"): SIGNED_IN,
    ("DELETE", "/api/v1/me"): SIGNED_IN,
    ("POST", "/api/v1/slots/{slot_id}/registrations"): SIGNED_IN,
    ("GET", "/api/v1/me/registrations"): SIGNED_IN,
    ("GET", "/api/v1/registrations/{registration_id}"): SIGNED_IN,
    ("POST", "/api/v1/registrations/{registration_id}/cancel"): SIGNED_IN,
    ("POST", "/api/v1/registrations/{registration_id}/accept-offer"): SIGNED_IN,
    ("GET", "/api/v1/registrations/{registration_id}/ticket.svg"): SIGNED_IN,
    ("GET", "/api/v1/registrations/{registration_id}/ticket.ics"): SIGNED_IN,
    ("GET", "/api/v1/draws/{draw_id}"): PUBLIC,
    # Quests: tasks are public to browse; doing them and invites are one's own.
    ("GET", "/api/v1/tasks"): PUBLIC,
    ("GET", "/api/v1/tasks/{task_id}"): PUBLIC,
    ("POST", "/api/v1/tasks/{task_id}/attempts"): SIGNED_IN,
    ("GET", "/api/v1/me/referral"): SIGNED_IN,
    ("POST", "/api/v1/me/referral"): SIGNED_IN,
    ("POST", "/api/v1/admin/tasks"): ORGANIZER,
    ("PATCH", "/api/v1/admin/tasks/{task_id}"): ORGANIZER,
    ("POST", "/api/v1/admin/prizes/{prize_id}/draw"): ORGANIZER,
    # Points, leaderboards and prizes: the catalog and leaderboard are public (the leaderboard adds
    # the caller's own place when a token is given); points and claims are one's own.
    ("GET", "/api/v1/leaderboard"): PUBLIC,
    ("GET", "/api/v1/prizes"): PUBLIC,
    ("GET", "/api/v1/me/points"): SIGNED_IN,
    ("POST", "/api/v1/prizes/{prize_id}/claims"): SIGNED_IN,
    ("GET", "/api/v1/me/claims"): SIGNED_IN,
    ("GET", "/api/v1/me/claims/{claim_id}/qr.svg"): SIGNED_IN,
    ("POST", "/api/v1/admin/prizes"): ORGANIZER,
    ("PATCH", "/api/v1/admin/prizes/{prize_id}"): ORGANIZER,
    ("POST", "/api/v1/admin/prizes/{prize_id}/draw/announce"): ORGANIZER,
    ("POST", "/api/v1/admin/claims/{pickup_code}/hand-over"): ORGANIZER,
    ("POST", "/api/v1/admin/claims/{pickup_code}/cancel"): ORGANIZER,
    # The prize desk and the task editor's API (tests/rewards/test_claim_ready.py,
    # tests/backoffice/test_{task,prize}_pages.py).
    ("GET", "/api/v1/admin/prizes"): ORGANIZER,
    ("POST", "/api/v1/admin/prizes/{prize_id}/stock"): ORGANIZER,
    ("GET", "/api/v1/admin/prizes/{prize_id}/claims"): ORGANIZER,
    ("POST", "/api/v1/admin/claims/{claim_id}/ready"): ORGANIZER,
    ("GET", "/api/v1/admin/tasks/{task_id}"): ORGANIZER,
    ("GET", "/api/v1/admin/tasks/{task_id}/gates"): ORGANIZER,
    ("PUT", "/api/v1/admin/tasks/{task_id}/gates"): ORGANIZER,
    # Staff.
    ("POST", "/api/v1/admin/users"): ADMIN,
    ("POST", "/api/v1/admin/slots"): ORGANIZER,
    ("PATCH", "/api/v1/admin/slots/{slot_id}"): ORGANIZER,
    ("POST", "/api/v1/admin/slots/{slot_id}/messages"): ORGANIZER,
    ("POST", "/api/v1/admin/series/{series_id}/messages"): ORGANIZER,
    ("GET", "/api/v1/admin/notifications"): ORGANIZER,
    ("POST", "/api/v1/admin/notifications/{notification_id}/retry"): ORGANIZER,
    # Check-in and guest lists: hosts (for their own enterprises' slots only — the per-enterprise
    # scoping is tested in tests/checkin/test_host_scoping.py) and organizers.
    ("POST", "/api/v1/checkin"): HOST,
    ("POST", "/api/v1/checkin/sync"): HOST,
    ("GET", "/api/v1/admin/slots/{slot_id}/guests"): HOST,
    ("GET", "/api/v1/admin/slots/{slot_id}/guests.csv"): HOST,
    ("GET", "/api/v1/admin/slots/{slot_id}/guests.xlsx"): HOST,
    ("GET", "/api/v1/admin/slots/{slot_id}/checkin-kit"): HOST,
    ("GET", "/api/v1/admin/audit"): ORGANIZER,
    # Statistics: public counters are open; the dashboard, its tables and charts are organizers'.
    ("GET", "/api/v1/stats/public"): PUBLIC,
    ("GET", "/api/v1/admin/stats"): ORGANIZER,
    ("GET", "/api/v1/admin/stats/{table}.csv"): ORGANIZER,
    ("GET", "/api/v1/admin/stats/charts/{chart}.svg"): ORGANIZER,
    # Pages.
    ("GET", "/"): PUBLIC,
    ("GET", "/catalog"): PUBLIC,
    ("GET", "/enterprises/{slug}"): PUBLIC,
    ("GET", "/programs/{program_id}"): PUBLIC,
    ("GET", "/slots/{slot_id}"): PUBLIC,
    # Signing in on the pages (mini-app entry, e-mail code for participants and staff).
    ("GET", "/entry"): PUBLIC,
    ("POST", "/entry"): PUBLIC,
    ("GET", "/login"): PUBLIC,
    ("POST", "/login"): PUBLIC,
    ("GET", "/login/code"): PUBLIC,
    ("POST", "/login/code"): PUBLIC,
    ("GET", "/backoffice/login"): PUBLIC,
    ("POST", "/backoffice/login"): PUBLIC,
    ("GET", "/backoffice/login/code"): PUBLIC,
    ("POST", "/backoffice/login/code"): PUBLIC,
    # One's own pages: strangers are sent to sign in (tests/web/test_auth_pages.py).
    ("GET", "/profile"): SIGNED_IN,
    ("POST", "/profile"): SIGNED_IN,
    ("GET", "/profile/companions"): SIGNED_IN,
    ("POST", "/profile/companions"): SIGNED_IN,
    ("POST", "/profile/companions/{companion_id}"): SIGNED_IN,
    ("POST", "/profile/companions/{companion_id}/delete"): SIGNED_IN,
    ("GET", "/profile/consent"): SIGNED_IN,
    ("POST", "/profile/consent"): SIGNED_IN,
    ("GET", "/profile/id-document"): SIGNED_IN,
    ("POST", "/profile/id-document"): SIGNED_IN,
    ("POST", "/profile/id-document/delete"): SIGNED_IN,
    ("GET", "/profile/export"): SIGNED_IN,
    ("GET", "/profile/delete"): SIGNED_IN,
    ("POST", "/profile/delete"): SIGNED_IN,
    # Signing out without a session has nothing to end: back to the start page.
    ("POST", "/logout"): PUBLIC,
    # Registering and one's tickets (tests/web/test_registration_pages.py); draws are public.
    ("POST", "/slots/{slot_id}/register"): SIGNED_IN,
    ("GET", "/me/tickets"): SIGNED_IN,
    ("GET", "/me/tickets/{registration_id}"): SIGNED_IN,
    ("GET", "/me/tickets/{registration_id}/ticket.ics"): SIGNED_IN,
    ("GET", "/me/tickets/{registration_id}/cancel"): SIGNED_IN,
    ("POST", "/me/tickets/{registration_id}/cancel"): SIGNED_IN,
    ("POST", "/me/tickets/{registration_id}/accept"): SIGNED_IN,
    ("GET", "/draws/{draw_id}"): PUBLIC,
    ("GET", "/invite/{code}"): PUBLIC,
    # Tasks, points, prizes (tests/web/test_quest_pages.py, test_reward_pages.py): lists are
    # public, doing anything needs a session (strangers are sent to sign in).
    ("GET", "/tasks"): PUBLIC,
    ("GET", "/tasks/{task_id}"): PUBLIC,
    ("POST", "/tasks/{task_id}/start"): SIGNED_IN,
    ("GET", "/tasks/{task_id}/play"): SIGNED_IN,
    ("POST", "/tasks/{task_id}/submit"): SIGNED_IN,
    ("GET", "/tasks/{task_id}/result"): SIGNED_IN,
    ("POST", "/tasks/{task_id}/code"): SIGNED_IN,
    ("POST", "/tasks/{task_id}/feedback"): SIGNED_IN,
    ("POST", "/tasks/{task_id}/referral"): SIGNED_IN,
    ("GET", "/me/points"): SIGNED_IN,
    ("GET", "/leaderboard"): PUBLIC,
    ("GET", "/prizes"): PUBLIC,
    ("GET", "/prizes/{prize_id}/claim"): SIGNED_IN,
    ("POST", "/prizes/{prize_id}/claim"): SIGNED_IN,
    ("GET", "/me/prizes"): SIGNED_IN,
    ("GET", "/backoffice"): HOST,
    # The gate, guest lists, dashboard, audit (tests/backoffice/test_{gate,stats}_pages.py).
    ("GET", "/backoffice/gate"): HOST,
    ("GET", "/backoffice/gate/{slot_id}"): HOST,
    ("POST", "/backoffice/gate/{slot_id}"): HOST,
    ("GET", "/backoffice/gate/{slot_id}/kit.json"): HOST,
    ("POST", "/backoffice/gate/{slot_id}/sync"): HOST,
    ("GET", "/backoffice/slots/{slot_id}/guests"): HOST,
    ("GET", "/backoffice/slots/{slot_id}/guests.csv"): HOST,
    ("GET", "/backoffice/slots/{slot_id}/guests.xlsx"): HOST,
    ("GET", "/backoffice/stats"): ORGANIZER,
    ("GET", "/backoffice/stats/{table}.csv"): ORGANIZER,
    ("GET", "/backoffice/audit"): ORGANIZER,
    # The outbox and its dead letters (tests/backoffice/test_notification_pages.py): organizers.
    ("GET", "/backoffice/notifications"): ORGANIZER,
    ("POST", "/backoffice/notifications/{notification_id}/retry"): ORGANIZER,
    # The organizer back office: catalog, bulk scheduler, a slot's registrations, users.
    ("POST", "/api/v1/admin/slots/bulk"): ORGANIZER,
    ("POST", "/api/v1/admin/enterprises"): ORGANIZER,
    ("PATCH", "/api/v1/admin/enterprises/{enterprise_id}"): ORGANIZER,
    ("POST", "/api/v1/admin/programs"): ORGANIZER,
    ("PATCH", "/api/v1/admin/programs/{program_id}"): ORGANIZER,
    ("POST", "/api/v1/admin/series"): ORGANIZER,
    ("PATCH", "/api/v1/admin/series/{series_id}"): ORGANIZER,
    ("GET", "/backoffice/schedule"): ORGANIZER,
    ("POST", "/backoffice/schedule"): ORGANIZER,
    ("GET", "/backoffice/catalog"): ORGANIZER,
    ("POST", "/backoffice/catalog/{collection}"): ORGANIZER,
    ("POST", "/backoffice/catalog/{collection}/{item_id}"): ORGANIZER,
    ("GET", "/backoffice/slots/{slot_id}"): ORGANIZER,
    ("GET", "/backoffice/slots/{slot_id}/cancel"): ORGANIZER,
    ("POST", "/backoffice/slots/{slot_id}/cancel"): ORGANIZER,
    ("POST", "/backoffice/slots/{slot_id}/capacity"): ORGANIZER,
    ("POST", "/backoffice/slots/{slot_id}/registrations/{registration_id}/cancel"): ORGANIZER,
    # A slot's registrations by hand (tests/backoffice/test_staff_registrations.py).
    ("GET", "/backoffice/slots/{slot_id}/add"): ORGANIZER,
    ("POST", "/backoffice/slots/{slot_id}/add"): ORGANIZER,
    ("GET", "/backoffice/slots/{slot_id}/registrations/{registration_id}/move"): ORGANIZER,
    ("POST", "/backoffice/slots/{slot_id}/registrations/{registration_id}/move"): ORGANIZER,
    ("GET", "/api/v1/admin/slots/{slot_id}/registrations"): ORGANIZER,
    ("POST", "/api/v1/admin/slots/{slot_id}/registrations"): ORGANIZER,
    ("POST", "/api/v1/admin/registrations/{registration_id}/move"): ORGANIZER,
    ("POST", "/api/v1/admin/registrations/{registration_id}/cancel"): ORGANIZER,
    ("GET", "/backoffice/users"): ADMIN,
    ("POST", "/backoffice/users"): ADMIN,
    # Tasks, prizes and draws (tests/backoffice/test_{task,prize,draw}_pages.py).
    ("GET", "/backoffice/tasks"): ORGANIZER,
    ("POST", "/backoffice/tasks"): ORGANIZER,
    ("GET", "/backoffice/tasks/new"): ORGANIZER,
    ("GET", "/backoffice/tasks/{task_id}"): ORGANIZER,
    ("POST", "/backoffice/tasks/{task_id}"): ORGANIZER,
    ("GET", "/backoffice/prizes"): ORGANIZER,
    ("POST", "/backoffice/prizes"): ORGANIZER,
    ("GET", "/backoffice/prizes/{prize_id}"): ORGANIZER,
    ("POST", "/backoffice/prizes/{prize_id}"): ORGANIZER,
    ("POST", "/backoffice/prizes/{prize_id}/stock"): ORGANIZER,
    ("POST", "/backoffice/prizes/{prize_id}/claims/{claim_id}/ready"): ORGANIZER,
    ("GET", "/backoffice/draws"): ORGANIZER,
    ("GET", "/backoffice/draws/prizes/{prize_id}"): ORGANIZER,
    ("POST", "/backoffice/draws/prizes/{prize_id}/announce"): ORGANIZER,
    ("POST", "/backoffice/draws/prizes/{prize_id}/run"): ORGANIZER,
}

# What an id in the path may point at, for a caller the level lets in. Every route with a path
# parameter needs one (a new one without fails the build); test_resource_scopes.py calls every OWN
# and ENTERPRISE route with real resources as their owner and as everyone else.
ANY = "any"  # any id: catalog items, public draws and tasks, organizers' program-wide routes
OWN = "own"  # the caller's own registration, companion or claim; anyone else's is "not found"
ENTERPRISE = "enterprise"  # a slot of the host's own enterprises (organizers: any); else 403

SCOPES: dict[tuple[str, str], str] = {
    # A participant's own things.
    ("GET", "/api/v1/registrations/{registration_id}"): OWN,
    ("POST", "/api/v1/registrations/{registration_id}/cancel"): OWN,
    ("POST", "/api/v1/registrations/{registration_id}/accept-offer"): OWN,
    ("GET", "/api/v1/registrations/{registration_id}/ticket.svg"): OWN,
    ("GET", "/api/v1/registrations/{registration_id}/ticket.ics"): OWN,
    ("GET", "/api/v1/me/claims/{claim_id}/qr.svg"): OWN,
    ("GET", "/me/tickets/{registration_id}"): OWN,
    ("GET", "/me/tickets/{registration_id}/ticket.ics"): OWN,
    ("GET", "/me/tickets/{registration_id}/cancel"): OWN,
    ("POST", "/me/tickets/{registration_id}/cancel"): OWN,
    ("POST", "/me/tickets/{registration_id}/accept"): OWN,
    ("POST", "/profile/companions/{companion_id}"): OWN,
    ("POST", "/profile/companions/{companion_id}/delete"): OWN,
    # A slot's guests, their exports and the gate: the hosts of the slot's enterprise.
    ("GET", "/api/v1/admin/slots/{slot_id}/guests"): ENTERPRISE,
    ("GET", "/api/v1/admin/slots/{slot_id}/guests.csv"): ENTERPRISE,
    ("GET", "/api/v1/admin/slots/{slot_id}/guests.xlsx"): ENTERPRISE,
    ("GET", "/api/v1/admin/slots/{slot_id}/checkin-kit"): ENTERPRISE,
    ("GET", "/backoffice/gate/{slot_id}"): ENTERPRISE,
    ("POST", "/backoffice/gate/{slot_id}"): ENTERPRISE,
    ("GET", "/backoffice/gate/{slot_id}/kit.json"): ENTERPRISE,
    ("POST", "/backoffice/gate/{slot_id}/sync"): ENTERPRISE,
    ("GET", "/backoffice/slots/{slot_id}/guests"): ENTERPRISE,
    ("GET", "/backoffice/slots/{slot_id}/guests.csv"): ENTERPRISE,
    ("GET", "/backoffice/slots/{slot_id}/guests.xlsx"): ENTERPRISE,
    # Public things: what one registers for, answers, claims or reads is open to everyone (what
    # it creates — a registration, an attempt, a claim — is the caller's own).
    ("GET", "/api/v1/enterprises/{enterprise_id}"): ANY,
    ("GET", "/api/v1/programs/{program_id}"): ANY,
    ("GET", "/api/v1/slots/{slot_id}"): ANY,
    ("POST", "/api/v1/slots/{slot_id}/registrations"): ANY,
    ("GET", "/api/v1/draws/{draw_id}"): ANY,
    ("GET", "/api/v1/tasks/{task_id}"): ANY,
    ("POST", "/api/v1/tasks/{task_id}/attempts"): ANY,
    ("POST", "/api/v1/prizes/{prize_id}/claims"): ANY,
    ("GET", "/enterprises/{slug}"): ANY,
    ("GET", "/programs/{program_id}"): ANY,
    ("GET", "/slots/{slot_id}"): ANY,
    ("POST", "/slots/{slot_id}/register"): ANY,
    ("GET", "/draws/{draw_id}"): ANY,
    ("GET", "/invite/{code}"): ANY,
    ("GET", "/tasks/{task_id}"): ANY,
    ("POST", "/tasks/{task_id}/start"): ANY,
    ("GET", "/tasks/{task_id}/play"): ANY,
    ("POST", "/tasks/{task_id}/submit"): ANY,
    ("GET", "/tasks/{task_id}/result"): ANY,
    ("POST", "/tasks/{task_id}/code"): ANY,
    ("POST", "/tasks/{task_id}/feedback"): ANY,
    ("POST", "/tasks/{task_id}/referral"): ANY,
    ("GET", "/prizes/{prize_id}/claim"): ANY,
    ("POST", "/prizes/{prize_id}/claim"): ANY,
    # Organizers act on the whole program: any id (hosts and participants are refused by level).
    ("PATCH", "/api/v1/admin/enterprises/{enterprise_id}"): ANY,
    ("PATCH", "/api/v1/admin/programs/{program_id}"): ANY,
    ("PATCH", "/api/v1/admin/series/{series_id}"): ANY,
    ("POST", "/api/v1/admin/series/{series_id}/messages"): ANY,
    ("PATCH", "/api/v1/admin/slots/{slot_id}"): ANY,
    ("POST", "/api/v1/admin/slots/{slot_id}/messages"): ANY,
    ("GET", "/api/v1/admin/slots/{slot_id}/registrations"): ANY,
    ("POST", "/api/v1/admin/slots/{slot_id}/registrations"): ANY,
    ("POST", "/api/v1/admin/registrations/{registration_id}/move"): ANY,
    ("POST", "/api/v1/admin/registrations/{registration_id}/cancel"): ANY,
    ("GET", "/api/v1/admin/tasks/{task_id}"): ANY,
    ("PATCH", "/api/v1/admin/tasks/{task_id}"): ANY,
    ("GET", "/api/v1/admin/tasks/{task_id}/gates"): ANY,
    ("PUT", "/api/v1/admin/tasks/{task_id}/gates"): ANY,
    ("PATCH", "/api/v1/admin/prizes/{prize_id}"): ANY,
    ("POST", "/api/v1/admin/prizes/{prize_id}/stock"): ANY,
    ("GET", "/api/v1/admin/prizes/{prize_id}/claims"): ANY,
    ("POST", "/api/v1/admin/prizes/{prize_id}/draw"): ANY,
    ("POST", "/api/v1/admin/prizes/{prize_id}/draw/announce"): ANY,
    ("POST", "/api/v1/admin/claims/{claim_id}/ready"): ANY,
    ("POST", "/api/v1/admin/claims/{pickup_code}/hand-over"): ANY,
    ("POST", "/api/v1/admin/claims/{pickup_code}/cancel"): ANY,
    ("POST", "/api/v1/admin/notifications/{notification_id}/retry"): ANY,
    ("GET", "/api/v1/admin/stats/{table}.csv"): ANY,
    ("GET", "/api/v1/admin/stats/charts/{chart}.svg"): ANY,
    ("POST", "/backoffice/catalog/{collection}"): ANY,
    ("POST", "/backoffice/catalog/{collection}/{item_id}"): ANY,
    ("GET", "/backoffice/slots/{slot_id}"): ANY,
    ("GET", "/backoffice/slots/{slot_id}/cancel"): ANY,
    ("POST", "/backoffice/slots/{slot_id}/cancel"): ANY,
    ("POST", "/backoffice/slots/{slot_id}/capacity"): ANY,
    ("GET", "/backoffice/slots/{slot_id}/add"): ANY,
    ("POST", "/backoffice/slots/{slot_id}/add"): ANY,
    ("POST", "/backoffice/slots/{slot_id}/registrations/{registration_id}/cancel"): ANY,
    ("GET", "/backoffice/slots/{slot_id}/registrations/{registration_id}/move"): ANY,
    ("POST", "/backoffice/slots/{slot_id}/registrations/{registration_id}/move"): ANY,
    ("GET", "/backoffice/stats/{table}.csv"): ANY,
    ("POST", "/backoffice/notifications/{notification_id}/retry"): ANY,
    ("GET", "/backoffice/tasks/{task_id}"): ANY,
    ("POST", "/backoffice/tasks/{task_id}"): ANY,
    ("GET", "/backoffice/prizes/{prize_id}"): ANY,
    ("POST", "/backoffice/prizes/{prize_id}"): ANY,
    ("POST", "/backoffice/prizes/{prize_id}/stock"): ANY,
    ("POST", "/backoffice/prizes/{prize_id}/claims/{claim_id}/ready"): ANY,
    ("GET", "/backoffice/draws/prizes/{prize_id}"): ANY,
    ("POST", "/backoffice/draws/prizes/{prize_id}/announce"): ANY,
    ("POST", "/backoffice/draws/prizes/{prize_id}/run"): ANY,
}
# The level a scope makes sense with: only participants own things, only hosts are per enterprise.
SCOPE_LEVELS = {OWN: {SIGNED_IN}, ENTERPRISE: {HOST}}

CALLERS = ["anonymous", "participant", "host", "organizer", "admin"]


def test_every_route_has_a_rule() -> None:
    served = set(endpoints(create_app(Settings(environment="test"))))
    missing = sorted(served - set(RULES))
    stale = sorted(set(RULES) - served)
    assert not missing, f"routes without an access rule: {missing}"
    assert not stale, f"rules for routes that no longer exist: {stale}"


def test_every_id_in_a_path_has_a_decided_scope() -> None:
    with_ids = {route for route in RULES if "{" in route[1]}
    undecided = sorted(with_ids - set(SCOPES))
    stale = sorted(set(SCOPES) - with_ids)
    assert not undecided, f"routes with an id in the path and no scope in SCOPES: {undecided}"
    assert not stale, f"scopes for routes without an id in the path or without a rule: {stale}"
    wrong = sorted(
        (route, scope, RULES[route])
        for route, scope in SCOPES.items()
        if scope not in {ANY, OWN, ENTERPRISE}
        or RULES[route] not in SCOPE_LEVELS.get(scope, {RULES[route]})
    )
    assert not wrong, f"scopes that do not fit the route's level: {wrong}"


def _allowed(level: str, caller: str) -> bool:
    if level == PUBLIC:
        return True
    if caller == "anonymous":
        return False
    return LEVELS.index(caller) >= LEVELS.index(level)


@pytest.fixture
async def matrix_client(settings: Settings) -> httpx.AsyncClient:
    app = create_app(settings.model_copy(update={"rate_limit_enabled": False}))
    transport = httpx.ASGITransport(app=app)
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    yield client  # type: ignore[misc]
    await client.aclose()
    await app.state.engine.dispose()


async def test_each_caller_gets_what_the_rule_says(
    matrix_client: httpx.AsyncClient, token_for: TokenFor, session: AsyncSession
) -> None:
    enterprise = await factories.enterprise(session)
    tokens = {
        "participant": await token_for(Role.PARTICIPANT),
        "host": await token_for(Role.HOST, [enterprise.id]),
        "organizer": await token_for(Role.ORGANIZER),
        "admin": await token_for(Role.ADMIN),
    }
    # Logging out revokes the caller's token, so it goes last.
    routes = sorted(RULES, key=lambda route: route[1].endswith("/logout"))
    failures = []
    for method, path in routes:
        if not path.startswith("/api/"):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        for caller in CALLERS:
            headers = {"Authorization": f"Bearer {tokens[caller]}"} if caller in tokens else {}
            body = None if method in {"GET", "DELETE"} else {}
            response = await matrix_client.request(method, url, headers=headers, json=body)
            status = response.status_code
            if _allowed(RULES[method, path], caller):
                ok = status not in {401, 403} and status < 500
            elif caller == "anonymous":
                ok = status == 401 and response.json()["error"]["code"] == "auth_required"
            else:
                ok = status == 403 and response.json()["error"]["code"] == "forbidden"
            if not ok:
                failures.append(f"{method} {path} as {caller}: {status} {response.text[:120]}")
    assert not failures, "\n".join(failures)


# Sample values for path parameters that are not numeric ids (see security/test_csrf.py).
SAMPLES = {"collection": "enterprises"}
# The sign-in forms answer an empty form with their own refusal (401 for unsigned launch data,
# back to the first step without an address): what matters there is only that they answer.
SIGN_IN_FLOW = {"/entry", "/login", "/login/code", "/backoffice/login", "/backoffice/login/code"}
SIGN_IN = re.compile(r"^/(backoffice/)?login\b")
CSRF_REFUSAL = "Страница устарела. Обновите её и повторите действие."


def _page_outcome(level: str, caller: str, path: str, response: httpx.Response) -> bool:
    status = response.status_code
    if status >= 500 or (status == 403 and CSRF_REFUSAL in response.text):
        return False  # a crash, or refused by the CSRF check, which would prove nothing
    to_sign_in = 300 <= status < 400 and bool(SIGN_IN.match(response.headers.get("location", "")))
    if path in SIGN_IN_FLOW:
        return True
    if _allowed(level, caller):
        return status not in {401, 403} and not to_sign_in
    if caller == "anonymous":
        # Pages send a stranger to sign in; gate.js's JSON sync answers 403 `forbidden` instead.
        return to_sign_in or (status == 403 and world.error_code(response) == "forbidden")
    return status == 403


async def test_each_caller_gets_what_the_rule_says_on_the_pages(
    settings: Settings, session: AsyncSession
) -> None:
    """The pages, as anonymous (with a valid pre-session CSRF token) and with page sessions."""
    app = create_app(settings.model_copy(update={"rate_limit_enabled": False}))
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    enterprise = await factories.enterprise(session)
    people = {
        "anonymous": None,
        "participant": await factories.participant(session, settings),
        "host": await factories.staff(session, settings, Role.HOST, (enterprise.id,)),
        "organizer": await factories.staff(session, settings, Role.ORGANIZER),
        "admin": await factories.staff(session, settings, Role.ADMIN),
    }
    callers = {
        n: await world.make_caller(session, settings, transport, n, p) for n, p in people.items()
    }
    # Deleting the account (refused here: no confirmation) and signing out go last, in this
    # order: signing out ends the caller's session.
    ending = ["/profile/delete", "/logout"]
    routes = sorted(RULES, key=lambda r: ending.index(r[1]) + 1 if r[1] in ending else 0)
    failures = []
    try:
        for method, path in routes:
            if path.startswith("/api/"):
                continue
            url = re.sub(r"\{([^}]+)\}", lambda m: SAMPLES.get(m.group(1), "1"), path)
            for name, caller in callers.items():
                response = await caller.send(method, url)
                if not _page_outcome(RULES[method, path], name, path, response):
                    where = (
                        response.headers.get("location")
                        or " ".join(response.text[:300].split())[:120]
                    )
                    failures.append(f"{method} {path} as {name}: {response.status_code} {where}")
    finally:
        for caller in callers.values():
            await caller.client.aclose()
        await app.state.engine.dispose()
    assert not failures, "\n".join(failures)
