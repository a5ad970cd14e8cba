"""After a slot ends and the grace period passes, unchecked confirmed parties become no-shows —
only on slots where check-in was used."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openindustry.accounts.models import Role
from openindustry.config import Settings
from openindustry.registration.service import RegistrationService
from openindustry.worker.jobs import sweep
from tests.checkin.conftest import Book, MakeSlot, MakeStaff


async def test_no_show_transition(
    make_slot: MakeSlot,
    book: Book,
    staff: MakeStaff,
    session: AsyncSession,
    settings: Settings,
    engine: object,
) -> None:
    scanned_slot = await make_slot(starts_in=timedelta(hours=1))
    came = await book(scanned_slot.id)
    missed = await book(scanned_slot.id)
    unscanned_slot = await make_slot(starts_in=timedelta(hours=1))
    nobody_scanned = await book(unscanned_slot.id)
    host = await staff(Role.HOST, [scanned_slot.enterprise_id])
    assert (await host.checkin(came.ticket)).status_code == 200

    sessions = async_sessionmaker(engine, expire_on_commit=False)  # type: ignore[call-overload]

    async def no_show(registration_id: int) -> bool:
        async with sessions() as own:
            found = await RegistrationService(own, settings).registration(registration_id)
            assert found is not None
            return found.no_show

    # Within the 2 h grace after the end nothing changes.
    with time_machine.travel(scanned_slot.ends_at + timedelta(hours=1), tick=False):
        assert (await sweep(sessions, settings)).no_shows == 0
    assert not await no_show(missed.id)

    with time_machine.travel(scanned_slot.ends_at + timedelta(hours=2, minutes=1), tick=False):
        assert (await sweep(sessions, settings)).no_shows == 1
        assert (await sweep(sessions, settings)).no_shows == 0  # once
    assert await no_show(missed.id)
    assert not await no_show(came.id)
    assert not await no_show(nobody_scanned.id)  # check-in never used there

    listing = (await host.get(f"/api/v1/admin/slots/{scanned_slot.id}/guests")).json()
    flags = {g["registration_id"]: g["no_show"] for g in listing["items"]}
    assert flags == {came.id: False, missed.id: True}


async def test_a_no_show_costs_points_once_when_the_policy_says_so(
    make_slot: MakeSlot,
    book: Book,
    staff: MakeStaff,
    session: AsyncSession,
    settings: Settings,
    engine: object,
) -> None:
    from sqlalchemy import select

    from openindustry.registration.models import Registration
    from openindustry.rewards.service import RewardsService

    slot = await make_slot(starts_in=timedelta(hours=1))
    came, missed = await book(slot.id), await book(slot.id)
    host = await staff(Role.HOST, [slot.enterprise_id])
    assert (await host.checkin(came.ticket)).status_code == 200
    owner = await session.scalar(select(Registration.user_id).where(Registration.id == missed.id))
    assert owner is not None
    rewards = RewardsService(session, settings)
    await rewards.award(owner, 30, reason="adjustment", ref_type="test", ref_id=1)

    policy = settings.model_copy(update={"no_show_penalty_points": 50})
    sessions = async_sessionmaker(engine, expire_on_commit=False)  # type: ignore[call-overload]
    with time_machine.travel(slot.ends_at + timedelta(hours=3), tick=False):
        assert (await sweep(sessions, policy)).no_shows == 1
        assert (await sweep(sessions, policy)).no_shows == 0
    points = await RewardsService(session, policy).points(owner)
    assert points.balance == 0  # 50 asked, 30 there: never below zero
    penalties = [e for e in points.entries if e.reason == "penalty"]
    assert [(e.amount, e.ref_type, e.ref_id) for e in penalties] == [(-30, "no_show", missed.id)]
