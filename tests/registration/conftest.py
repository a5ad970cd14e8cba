"""Registration test helpers: open slots and participants ready to book."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.catalog.schemas import RegistrationWindowInput, SlotRead
from tests import factories
from tests.conftest import TokenFor


@dataclass
class Participant:
    token: str
    client: httpx.AsyncClient

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.get(url, headers=self.auth, **kwargs)

    async def post(self, url: str, **kwargs: Any) -> httpx.Response:
        headers = self.auth | kwargs.pop("headers", {})
        return await self.client.post(url, headers=headers, **kwargs)

    async def patch(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.patch(url, headers=self.auth, **kwargs)

    async def put(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.client.put(url, headers=self.auth, **kwargs)

    async def companions(self, *people: tuple[str, str]) -> list[int]:
        response = await self.patch(
            "/api/v1/me",
            json={"companions": [{"name": n, "birth_date": b} for n, b in people]},
        )
        assert response.status_code == 200, response.text
        return [c["id"] for c in response.json()["companions"]]

    async def register(self, slot_id: int, **body: Any) -> httpx.Response:
        headers = {"Idempotency-Key": body.pop("key")} if "key" in body else {}
        return await self.post(f"/api/v1/slots/{slot_id}/registrations", json=body, headers=headers)


MakeParticipant = Callable[..., Awaitable[Participant]]


@pytest.fixture
def participant(client: httpx.AsyncClient, token_for: TokenFor) -> MakeParticipant:
    async def make(*, consent: bool = True, birth_date: str | None = None) -> Participant:
        person = Participant(await token_for(), client)
        if consent:
            response = await person.post("/api/v1/me/consent", json={"version": CONSENT_VERSION})
            assert response.status_code == 200
        if birth_date:
            await person.patch("/api/v1/me", json={"birth_date": birth_date})
        return person

    return make


MakeSlot = Callable[..., Awaitable[SlotRead]]


@pytest.fixture
def open_slot(session: AsyncSession) -> MakeSlot:
    """A slot whose registration window is open now (first come, first served by default)."""

    async def make(
        capacity: int = 5,
        *,
        mode: str | None = None,
        starts_in: timedelta = timedelta(days=5),
        **program: Any,
    ) -> SlotRead:
        now = datetime.now(UTC)
        prog = await factories.program(session, **program)
        return await factories.slot(
            session,
            program_id=prog.id,
            capacity=capacity,
            starts_at=now + starts_in,
            registration=RegistrationWindowInput(
                mode=mode,
                opens_at=now - timedelta(hours=1),
                closes_at=now + starts_in - timedelta(hours=2),
            ),
        )

    return make
