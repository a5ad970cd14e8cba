"""A registration rush over HTTP against app processes, and the checks of invariants 1 and 2.

Answers are checked against the database afterwards: no slot holds more people than its capacity,
every success (201, or 200 for a retry) names a row that exists with the announced status, every
row reached its owner as a success, and nobody was booked twice.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.registration import live

DIED = 0  # the "status" of a request whose connection broke before any answer came
RETRIES = 8


@dataclass(frozen=True)
class Person:
    user_id: int
    token: str
    ip: str  # sent as X-Forwarded-For, which the app trusts from 127.0.0.1 (its proxy)

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "X-Forwarded-For": self.ip}


@dataclass(frozen=True)
class Booking:
    person: Person
    slot_id: int
    key: str
    waitlist_ok: bool = False


@dataclass(frozen=True)
class Answer(live.Answer):
    via: str  # the base URL of the process asked

    @property
    def label(self) -> str:
        return f"{self.status} {self.body.get('status') or self.code or ''}".strip()


@asynccontextmanager
async def clients(*base_urls: str, connections: int = 16) -> AsyncIterator[list[httpx.AsyncClient]]:
    # Idle connections are dropped well before Uvicorn's 5 s keep-alive timeout, so the client
    # never sends on a connection the server is closing.
    limits = httpx.Limits(
        max_connections=connections, max_keepalive_connections=connections, keepalive_expiry=2.0
    )
    made = [
        httpx.AsyncClient(base_url=url, limits=limits, timeout=httpx.Timeout(60.0))
        for url in base_urls
    ]
    try:
        yield made
    finally:
        for client in made:
            await client.aclose()


async def book(client: httpx.AsyncClient, booking: Booking) -> Answer:
    try:
        response = await client.post(
            f"/api/v1/slots/{booking.slot_id}/registrations",
            json={"companions": [], "waitlist_ok": booking.waitlist_ok},
            headers=booking.person.headers | {"Idempotency-Key": booking.key},
        )
    except httpx.TransportError as exc:  # refused, reset, closed mid-answer: the process died
        return Answer(
            booking, DIED, {"transport_error": type(exc).__name__}, str(client.base_url).rstrip("/")
        )
    try:
        body = response.json()
    except ValueError:
        body = {"raw": response.text[:300]}
    return Answer(booking, response.status_code, body, str(client.base_url).rstrip("/"))


@dataclass
class Outcome:
    final: list[Answer]  # one per booking: the last answer it got (after a failover retry)
    every: list[Answer]  # every answer, first attempts and retries


async def rush(
    targets: Sequence[httpx.AsyncClient],
    bookings: Sequence[Booking],
    *,
    on_answer: Callable[[Answer], None] | None = None,
    failover: httpx.AsyncClient | None = None,
) -> Outcome:
    """Send every booking at once, the n-th to targets[n % len(targets)].

    A request whose connection died is sent again with the same Idempotency-Key, as a client
    would: to `failover` if given (the process that survives), else to the same process. A 503
    (the database out of connections on a machine shared with other work) is retried the same
    way, as its Retry-After invites, only sooner."""
    every: list[Answer] = []

    async def one(n: int, booking: Booking) -> Answer:
        target = targets[n % len(targets)]
        answer = await book(target, booking)
        every.append(answer)
        if on_answer is not None:
            on_answer(answer)
        for attempt in range(1, RETRIES + 1):
            if answer.status == DIED:
                target = failover or target
            elif answer.status != 503:
                break
            await asyncio.sleep(0.1 * attempt if answer.status == 503 else 0)
            answer = await book(target, booking)
            every.append(answer)
        return answer

    final = await asyncio.gather(*(one(n, b) for n, b in enumerate(bookings)))
    return Outcome(list(final), every)


def statuses(answers: Sequence[Answer]) -> dict[str, int]:
    return dict(live.statuses(answers))  # type: ignore[arg-type]


@dataclass(frozen=True)
class SlotState(live.SlotState):
    slot_id: int


async def slot_state(session: AsyncSession, slot_id: int) -> SlotState:
    state = await live.read_slot_state(session, slot_id)
    return SlotState(state.capacity, state.seats_taken, state.rows, slot_id)


def problems(
    state: SlotState, final: Sequence[Answer], every: Sequence[Answer] | None = None
) -> list[str]:
    """Everything that breaks invariants 1 and 2 in one slot; empty when they hold.

    `final` holds one answer per booking (the last one, after any retries); `every` all answers
    seen, retries included (to catch a registration answered 201 twice).
    """
    found: list[str] = []
    held = state.people_holding_seats
    if held > state.capacity:
        found.append(f"slot {state.slot_id} oversold: {held} people, capacity {state.capacity}")
    if state.seats_taken != held:
        found.append(f"slot {state.slot_id}: seats_taken {state.seats_taken} != {held} held")
    rows = {r.id: r for r in state.rows}
    answered: Counter[int] = Counter()
    for answer in final:
        booking = answer.booking
        if answer.status in (200, 201):
            row = rows.get(answer.body.get("id"))  # type: ignore[arg-type]
            if row is None:
                found.append(f"lost: {answer.label} {answer.body} has no row")
                continue
            answered[row.id] += 1
            if (row.user_id, row.idempotency_key) != (booking.person.user_id, booking.key):
                found.append(f"registration {row.id} does not match its request {booking.key}")
            if row.status != answer.body.get("status"):
                found.append(f"{row.id} answered {answer.body.get('status')}, is {row.status}")
        elif (answer.status, answer.code) != (409, "sold_out") or booking.waitlist_ok:
            found.append(f"unexpected answer to {booking.key}: {answer.status} {answer.body}")
    found += [
        f"row {r.id} ({r.status}) never reached its owner"
        for r in rows.values()
        if answered[r.id] == 0
    ]
    found += [f"row {i} answered to {n} bookings" for i, n in answered.items() if n > 1]
    created = Counter(a.body.get("id") for a in (every or final) if a.status == 201)
    found += [f"registration {i} answered 201 {n} times" for i, n in created.items() if n > 1]
    per_person = Counter(r.user_id for r in state.rows if r.status != "cancelled")
    found += [f"user {u} booked {n} times" for u, n in per_person.items() if n > 1]
    return found
