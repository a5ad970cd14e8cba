"""Check-in test world: two enterprises, a host for each, today's slots with confirmed guests.

The clock is pinned to a working morning in Moscow (ticking), so "today" never straddles midnight.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import time_machine
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.catalog.schemas import RegistrationWindowInput, SlotRead
from openindustry.config import Settings
from openindustry.quests.schemas import TaskCreate
from openindustry.quests.service import QuestsService
from openindustry.registration.service import RegistrationService
from openindustry.registration.tickets import TicketClaims, sign_ticket
from tests import factories
from tests.conftest import TokenFor
from tests.registration.conftest import MakeParticipant, Participant, participant

__all__ = ["participant"]

# 10:00 in Moscow.
MORNING = datetime(2030, 12, 11, 7, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def morning() -> Iterator[None]:
    with time_machine.travel(MORNING, tick=True):
        yield


@dataclass
class Staff:
    token: str
    client: httpx.AsyncClient

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, headers=self.auth, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.post(url, headers=self.auth, **kwargs)

    async def checkin(self, code: str, **body: Any) -> httpx.Response:
        return await self.post("/api/v1/checkin", json={"ticket_code": code} | body)


MakeSlot = Callable[..., Awaitable[SlotRead]]


@pytest.fixture
def make_slot(session: AsyncSession) -> MakeSlot:
    """A slot of the given enterprise (a new one by default), open for registration now."""

    async def make(
        enterprise_id: int | None = None,
        *,
        starts_in: timedelta = timedelta(hours=2),
        capacity: int = 10,
    ) -> SlotRead:
        now = datetime.now(UTC)
        if enterprise_id is None:
            enterprise_id = (await factories.enterprise(session)).id
        program = await factories.program(session, enterprise_id=enterprise_id)
        return await factories.slot(
            session,
            program_id=program.id,
            capacity=capacity,
            starts_at=now + starts_in,
            registration=RegistrationWindowInput(
                opens_at=now - timedelta(days=3), closes_at=now + starts_in - timedelta(minutes=30)
            ),
        )

    return make


@dataclass
class Booked:
    person: Participant
    registration: dict[str, Any]

    @property
    def id(self) -> int:
        return int(self.registration["id"])

    @property
    def ticket(self) -> str:
        return str(self.registration["ticket_code"])


Book = Callable[..., Awaitable[Booked]]


@pytest.fixture
def book(participant: MakeParticipant) -> Book:
    async def make(
        slot_id: int,
        *,
        companions: tuple[tuple[str, str], ...] = (),
        document: dict[str, str] | None = None,
        **body: Any,
    ) -> Booked:
        person = await participant(birth_date="1990-05-20")
        if document:
            saved = await person.put("/api/v1/me/id-document", json=document)
            assert saved.status_code == 200, saved.text
        ids = await person.companions(*companions) if companions else []
        response = await person.register(slot_id, companions=ids, **body)
        assert response.status_code == 201, response.text
        return Booked(person, response.json())

    return make


MakeStaff = Callable[..., Awaitable[Staff]]


@pytest.fixture
def staff(client: httpx.AsyncClient, token_for: TokenFor) -> MakeStaff:
    async def make(role: Role = Role.HOST, enterprise_ids: list[int] | None = None) -> Staff:
        return Staff(await token_for(role, enterprise_ids or []), client)

    return make


@pytest.fixture
def sign(session: AsyncSession, settings: Settings) -> Callable[[int, int, int], str]:
    """Sign a ticket with the program's key, as the app does (for tickets it would not issue)."""
    keys = RegistrationService(session, settings).ticket_keys
    return lambda ticket_id, slot_id, party: sign_ticket(
        keys, TicketClaims(ticket_id, slot_id, party)
    )


@pytest.fixture
async def attendance_task(session: AsyncSession, settings: Settings) -> int:
    now = datetime.now(UTC)
    task = await QuestsService(session, settings).create_task(
        TaskCreate.model_validate(
            {
                "kind": "attendance",
                "title": "Приходите на экскурсию",
                "points": 15,
                "opens_at": now - timedelta(days=1),
                "closes_at": now + timedelta(days=30),
            }
        )
    )
    return task.id
