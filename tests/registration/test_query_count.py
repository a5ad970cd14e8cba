"""The SQL of one registration request, counted: the number is the rush's budget and must not grow
silently. A change that needs another statement on this path changes the numbers here, on
purpose, with the benchmark (docs/benchmarks.md) to show what it costs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event

from openindustry.kit.auth import token_cache
from tests.registration.conftest import MakeParticipant, MakeSlot

# The token's row (unless the principal is cached), then the booking's one transaction: the
# person's registrations (and the retried key), the slot's own row, the profile, the seat UPDATE,
# the INSERT … RETURNING and the outbox row. What the slot shows of its program, enterprise and
# series comes from the per-process catalog cache (catalog/_cache.py), warmed here when the slot
# was created; a cold cache reads them once (one statement each).
TOKEN = 1
BOOKING = 6
# A refusal for lack of seats reads the same, fails the UPDATE and looks once more for a twin of
# the request (same Idempotency-Key) that may have taken the last seat meanwhile.
SOLD_OUT = 5
# A retry with the same key finds the first outcome in the first read and stops there.
RETRY = 1


@contextmanager
def counted(app: FastAPI) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2].split(None, 1)[0].upper())

    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


async def test_one_registration_costs_a_fixed_number_of_statements(
    app: FastAPI, participant: MakeParticipant, open_slot: MakeSlot
) -> None:
    slot = await open_slot(1)
    anna, boris = await participant(), await participant()

    token_cache.clear()  # a token the app has not seen yet
    with counted(app) as statements:
        booked = await anna.register(slot.id, key="anna-1")
    assert booked.status_code == 201, booked.text
    assert len(statements) == TOKEN + BOOKING, statements
    assert statements[-3:] == ["UPDATE", "INSERT", "INSERT"]

    with counted(app) as statements:
        again = await anna.register(slot.id, key="anna-1")
    assert again.status_code == 200
    assert again.json()["id"] == booked.json()["id"]
    assert len(statements) == RETRY, statements  # the token is cached now

    token_cache.clear()
    with counted(app) as statements:
        refused = await boris.register(slot.id, key="boris-1")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "sold_out"
    assert len(statements) == TOKEN + SOLD_OUT, statements
