"""A small program with real owners, for the scope checks: whose is what, and who may see it.

Anna (participant A) booked today's slot of enterprise E1 with her daughter and claimed a
prize; Boris (participant B) booked the same slot with his son. E1 has a host, E2 has another; an
organizer sees everything. Each caller is a client of its own (its own cookie jar) on one app:
the bearer token for the JSON API, the page session cookie and its CSRF token for the pages.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.catalog.schemas import SlotRead
from openindustry.config import Settings
from openindustry.kit.auth import SESSION_COOKIE
from openindustry.registration.schemas import RegistrationRead
from openindustry.rewards.schemas import ClaimRead
from tests import factories
from tests.factories import Person

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Caller:
    """Someone with a client of their own; `person` None is an anonymous visitor."""

    name: str
    person: Person | None
    client: httpx.AsyncClient
    csrf: str = ""

    async def sign_in_pages(self, session: AsyncSession, settings: Settings) -> None:
        """Open a page session and take the CSRF token from a form, as a browser would.

        An anonymous visitor takes it from the sign-in form (with its pre-session cookie), so
        its refusals come from the access checks, never from the CSRF check.
        """
        page_path = "/login"
        if self.person is not None:
            token = await factories.page_session(session, settings, self.person)
            self.client.cookies.set(SESSION_COOKIE, token)
            page_path = "/profile"
        page = await self.client.get(page_path)
        found = CSRF_FIELD.search(page.text)
        assert found, f"{self.name}: {page_path} has no CSRF field ({page.status_code})"
        self.csrf = found.group(1)

    async def send(
        self,
        method: str,
        url: str,
        *,
        form: dict[str, str] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        """The API with the bearer token; pages with the cookie, forms with their CSRF token."""
        headers = dict(headers or {})
        if url.startswith("/api/"):
            if self.person is not None:
                headers["Authorization"] = f"Bearer {self.person.token}"
            if method != "GET" and json is None:
                json = {}
        elif method != "GET":
            # Forms carry the token in a field; gate.js's JSON sync in a header.
            headers.setdefault("X-CSRF-Token", self.csrf)
            if json is None:
                form = {"csrf_token": self.csrf, **(form or {})}
        return await self.client.request(method, url, data=form, json=json, headers=headers)


@dataclass
class World:
    anna: Caller
    boris: Caller
    host: Caller  # of E1, whose slot both booked
    foreign_host: Caller  # of E2
    organizer: Caller
    slot: SlotRead
    registration: RegistrationRead  # Anna's
    companion_id: int  # Anna's daughter
    claim: ClaimRead  # Anna's
    # What must never reach anyone but Anna (and the hosts of her slot, in its guest list).
    secrets: dict[str, str] = field(default_factory=dict)
    # Who each participant is, as their data export must show it (and the other's must not).
    identities: dict[str, set[str]] = field(default_factory=dict)


async def build(session: AsyncSession, settings: Settings, transport: httpx.ASGITransport) -> World:
    e1 = await factories.enterprise(session)
    e2 = await factories.enterprise(session)
    # Today, so that a check-in at the gate would really let Anna in.
    slot = await factories.open_slot(session, enterprise_id=e1.id, starts_in=timedelta(hours=2))
    anna = await factories.participant(
        session,
        settings,
        name="Анна Матрицева",
        email="anna.matrix@example.org",
        companions=(("Маша Матрицева", date(2015, 3, 3)),),
    )
    boris = await factories.participant(
        session,
        settings,
        name="Борис Чужаков",
        email="boris.stranger@example.org",
        companions=(("Глеб Чужаков", date(2014, 6, 6)),),
    )
    [daughter] = anna.user.companions
    [son] = boris.user.companions
    booked = await factories.registration(session, settings, anna.user.id, slot.id, (daughter.id,))
    await factories.registration(session, settings, boris.user.id, slot.id, (son.id,))
    claim = await factories.claim(
        session, settings, anna.user.id, await factories.prize(session, settings)
    )
    people = {
        "anna": anna,
        "boris": boris,
        "host": await factories.staff(session, settings, Role.HOST, (e1.id,)),
        "foreign_host": await factories.staff(session, settings, Role.HOST, (e2.id,)),
        "organizer": await factories.staff(session, settings, Role.ORGANIZER),
    }
    callers = {
        name: await make_caller(session, settings, transport, name, person)
        for name, person in people.items()
    }
    assert booked.ticket_code
    return World(
        **callers,
        slot=slot,
        registration=booked,
        companion_id=daughter.id,
        claim=claim,
        secrets={
            "Anna's name": "Матрицева",
            "Anna's e-mail": anna.email,
            "Anna's ticket code": booked.ticket_code,
            "Anna's pickup code": claim.pickup_code,
        },
        identities={
            "anna": {"Анна Матрицева", "Маша Матрицева", anna.email},
            "boris": {"Борис Чужаков", "Глеб Чужаков", boris.email},
        },
    )


def error_code(response: httpx.Response) -> str | None:
    """The code of a JSON error (`<not the error shape>` if it lacks one); None for other bodies."""
    if not response.headers.get("content-type", "").startswith("application/json"):
        return None
    try:
        return str(response.json()["error"]["code"])
    except (ValueError, KeyError, TypeError):
        return "<not the error shape>"


async def make_caller(
    session: AsyncSession,
    settings: Settings,
    transport: httpx.ASGITransport,
    name: str,
    person: Person | None,
) -> Caller:
    client = httpx.AsyncClient(transport=transport, base_url="http://testserver")
    made = Caller(name, person, client)
    await made.sign_in_pages(session, settings)
    return made


async def close(world: World) -> None:
    for caller in (world.anna, world.boris, world.host, world.foreign_host, world.organizer):
        await caller.client.aclose()
