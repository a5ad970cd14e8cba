"""Who may open a back-office page (web/backoffice/staff.py): the sign-in redirect and where it
comes back to, the 403 pages, and the order of the checks (a stale form, a malformed address)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from tests import factories
from tests.backoffice.conftest import SignIn, csrf_of, text_of


def come_back_to(response: httpx.Response) -> str:
    assert response.status_code == 303, (response.status_code, text_of(response)[:200])
    location = urlsplit(response.headers["location"])
    assert location.path == "/backoffice/login"
    return parse_qs(location.query)["next"][0]


async def test_anonymous_callers_sign_in_and_come_back(client: httpx.AsyncClient) -> None:
    # An organizer's page keeps the filter typed in the address.
    assert come_back_to(await client.get("/backoffice/prizes/7?status=ready")) == (
        "/backoffice/prizes/7?status=ready"
    )
    # The dashboard, the audit log and the gate come back without it.
    assert come_back_to(await client.get("/backoffice/stats?series_id=1")) == "/backoffice/stats"
    assert come_back_to(await client.get("/backoffice/audit?action=x")) == "/backoffice/audit"
    assert come_back_to(await client.get("/backoffice/gate/3?scan=abc")) == "/backoffice/gate/3"
    # A download or the scanner's data file brings the person back to its page.
    assert come_back_to(await client.get("/backoffice/stats/slots.csv")) == "/backoffice/stats"
    assert come_back_to(await client.get("/backoffice/gate/3/kit.json")) == "/backoffice/gate/3"
    assert come_back_to(await client.get("/backoffice/users")) == "/backoffice/users"


async def test_a_form_is_checked_before_the_caller(client: httpx.AsyncClient) -> None:
    stale = await client.post("/backoffice/prizes", data={"title": "Термос"})
    assert stale.status_code == 403
    assert "Страница устарела" in text_of(stale)
    # With a genuine token (from the sign-in page) the anonymous caller is sent to sign in.
    token = csrf_of(await client.get("/backoffice/login"))
    posted = await client.post("/backoffice/prizes?x=1", data={"csrf_token": token})
    assert come_back_to(posted) == "/backoffice/prizes"
    # The task form is read after the caller is known: no token needed to be sent away.
    assert come_back_to(await client.post("/backoffice/tasks", data={})) == "/backoffice/tasks"


async def test_a_malformed_address_is_422_for_everyone(
    client: httpx.AsyncClient, sign_in: SignIn
) -> None:
    assert (await client.get("/backoffice/prizes/0")).status_code == 422
    assert (await client.get("/backoffice/gate/abc/kit.json")).status_code == 422
    participant = await sign_in(Role.PARTICIPANT)
    assert (await participant.get("/backoffice/slots/0")).status_code == 422


async def test_signed_in_callers_without_the_role_get_403(
    client: httpx.AsyncClient, sign_in: SignIn, session: AsyncSession
) -> None:
    plant = await factories.enterprise(session)
    host = await sign_in(Role.HOST, [plant.id])
    refused = await host.get("/backoffice/draws")
    assert refused.status_code == 403
    assert "Этот раздел открыт только организаторам программы." in text_of(refused)
    assert (await host.get("/backoffice/gate")).status_code == 200

    participant = await sign_in(Role.PARTICIPANT)
    gate = await participant.get("/backoffice/gate")
    assert gate.status_code == 403
    assert "представителям предприятий" in text_of(gate)

    organizer = await sign_in(Role.ORGANIZER)
    users = await organizer.get("/backoffice/users")
    assert users.status_code == 403
    assert "Этот раздел открыт только администраторам." in text_of(users)
    assert (await organizer.get("/backoffice/prizes")).status_code == 200
