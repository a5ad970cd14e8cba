"""Lottery slots end to end: apply, freeze and draw at the close, verify from published data."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import time_machine
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from openindustry.cli.main import app as cli
from openindustry.config import Settings
from openindustry.kit import db
from openindustry.worker.jobs import sweep
from tests.conftest import in_own_thread
from tests.registration.conftest import MakeParticipant, MakeSlot


async def test_a_lottery_is_drawn_at_the_close_and_can_be_verified(
    client: httpx.AsyncClient,
    participant: MakeParticipant,
    open_slot: MakeSlot,
    session: AsyncSession,
    settings: Settings,
    tmp_path: Path,
) -> None:
    slot = await open_slot(4, mode="lottery", starts_in=timedelta(days=5))
    assert slot.registration.state == "lottery"
    people = [await participant() for _ in range(7)]
    applications = []
    for i, person in enumerate(people):
        companions = await person.companions(("Спутник", "1985-05-05")) if i % 3 == 0 else []
        response = await person.register(slot.id, companions=companions)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "applied"
        applications.append((person, response.json()))
    draw_id = applications[0][1]["draw_id"]
    before = (await client.get(f"/api/v1/draws/{draw_id}")).json()
    assert before["status"] == "committed"
    assert len(before["commitment"]) == 64
    assert before["seed"] is None  # secret until the draw
    assert before["winners"] == []
    # Applying gives no seat: the race is gone.
    assert (await client.get(f"/api/v1/slots/{slot.id}")).json()["seats_left"] == 4

    after_close = datetime.now(UTC) + timedelta(days=5) - timedelta(hours=1)
    with time_machine.travel(after_close, tick=False):
        sessionmaker = db.create_sessionmaker(session.bind)  # type: ignore[arg-type]
        report = await sweep(sessionmaker, settings)
    assert report.lotteries_drawn == 1

    drawn = (await client.get(f"/api/v1/draws/{draw_id}")).json()
    assert drawn["status"] == "drawn"
    assert drawn["entrants_count"] == 7
    assert len(drawn["seed"]) == 64
    statuses = []
    for person, application in applications:
        mine = (await person.get(f"/api/v1/registrations/{application['id']}")).json()
        statuses.append((mine["status"], mine["party_size"], mine["waitlist_position"]))
    confirmed = sum(size for status, size, _ in statuses if status == "confirmed")
    assert 0 < confirmed <= 4
    assert {status for status, _, _ in statuses} <= {"confirmed", "waitlisted"}
    positions = sorted(pos for status, _, pos in statuses if status == "waitlisted")
    assert positions == list(range(1, len(positions) + 1))
    held = (
        await session.execute(text("SELECT seats_taken FROM slot WHERE id = :id"), {"id": slot.id})
    ).scalar_one()
    assert held == confirmed

    # Anyone can recompute the draw: from the database…
    env = {"OPENINDUSTRY_DATABASE_URL": settings.database_url}
    runner = CliRunner()
    result = in_own_thread(lambda: runner.invoke(cli, ["draw", "verify", str(draw_id)], env=env))
    assert result.exit_code == 0, result.output
    assert "verified" in result.output
    # …or from the published JSON alone, and a tampered copy fails.
    published = tmp_path / "draw.json"
    published.write_text(json.dumps(drawn["published"]))
    ok = runner.invoke(cli, ["draw", "verify", str(draw_id), "--file", str(published)])
    assert ok.exit_code == 0, ok.output
    tampered = dict(drawn["published"], winners=list(reversed(drawn["published"]["winners"])))
    tampered["ranked"] = list(reversed(tampered["ranked"]))
    published.write_text(json.dumps(tampered))
    bad = runner.invoke(cli, ["draw", "verify", str(draw_id), "--file", str(published)])
    assert bad.exit_code == 1
    assert "NOT verified" in bad.output


async def test_a_second_sweep_does_not_draw_again(
    participant: MakeParticipant, open_slot: MakeSlot, session: AsyncSession, settings: Settings
) -> None:
    slot = await open_slot(1, mode="lottery", starts_in=timedelta(days=5))
    for _ in range(3):
        await (await participant()).register(slot.id)
    sessionmaker = db.create_sessionmaker(session.bind)  # type: ignore[arg-type]
    with time_machine.travel(
        datetime.now(UTC) + timedelta(days=5) - timedelta(hours=1), tick=False
    ):
        first = await sweep(sessionmaker, settings)
        second = await sweep(sessionmaker, settings)
    assert (first.lotteries_drawn, second.lotteries_drawn) == (1, 0)
    taken = (
        await session.execute(text("SELECT seats_taken FROM slot WHERE id = :id"), {"id": slot.id})
    ).scalar_one()
    assert taken == 1


async def test_late_applications_after_a_draw_do_not_block_other_lotteries(
    participant: MakeParticipant, open_slot: MakeSlot, session: AsyncSession, settings: Settings
) -> None:
    from openindustry.catalog.schemas import RegistrationWindowInput, SlotUpdate
    from openindustry.registration.staff import StaffRegistrations

    early = await open_slot(2, mode="lottery", starts_in=timedelta(days=2))
    later = await open_slot(2, mode="lottery", starts_in=timedelta(days=4))
    await (await participant()).register(early.id)
    sessionmaker = db.create_sessionmaker(session.bind)  # type: ignore[arg-type]
    now = datetime.now(UTC)
    with time_machine.travel(now + timedelta(days=2) - timedelta(hours=1), tick=False):
        assert (await sweep(sessionmaker, settings)).lotteries_drawn == 1
        # The organizer reopens the drawn slot's window; newcomers then book first come.
        reopened = RegistrationWindowInput(
            mode="lottery", opens_at=now, closes_at=now + timedelta(days=2) - timedelta(minutes=30)
        )
        await StaffRegistrations(session, settings).change_slot(
            early.id, SlotUpdate(registration=reopened)
        )
        newcomer = await (await participant()).register(early.id)
        assert newcomer.json()["status"] == "confirmed"
        await (await participant()).register(later.id)
    with time_machine.travel(now + timedelta(days=4) - timedelta(hours=1), tick=False):
        report = await sweep(sessionmaker, settings)
    assert report.lotteries_drawn == 1  # the later slot, despite the early one's history
