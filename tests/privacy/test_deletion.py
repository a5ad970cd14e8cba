"""Deleting one's account: personal data erased in every domain, upcoming seats handed to the
waitlist, registrations anonymised, and every statistic exactly as before."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from typer.testing import CliRunner

from openindustry.accounts.models import (
    AccessToken,
    Companion,
    ConsentRecord,
    IdDocument,
    Identity,
    Role,
    User,
)
from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.service import AccountsService
from openindustry.audit.schemas import AuditFilter
from openindustry.audit.service import AuditService
from openindustry.checkin.models import CheckinScan
from openindustry.cli.main import app as cli
from openindustry.config import Settings
from openindustry.notifications.models import Notification
from openindustry.privacy.service import PrivacyService
from openindustry.quests.models import Feedback
from openindustry.registration.models import Registration
from openindustry.rewards.models import PointsEntry
from openindustry.rewards.schemas import PrizeCreate
from openindustry.rewards.service import RewardsService
from openindustry.stats import rules as stats_rules
from openindustry.stats.schemas import StatsFilter
from openindustry.stats.service import StatsService
from tests.conftest import TokenFor
from tests.privacy.conftest import DOCUMENT, Delete, rows, user, user_id_of
from tests.registration.conftest import MakeParticipant, MakeSlot
from tests.stats.conftest import Fixture


async def test_deletion_erases_the_person_and_hands_the_seats_on(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    participant: MakeParticipant,
    open_slot: MakeSlot,
    delete_account: Delete,
) -> None:
    slot = await open_slot(capacity=2)
    anna = await participant(birth_date="1990-05-20")
    await anna.patch("/api/v1/me", json={"phone": "+7 999 123-45-67"})
    assert (await anna.put("/api/v1/me/id-document", json=DOCUMENT)).status_code == 200
    [child] = await anna.companions(("Маша Петрова", "2015-03-03"))
    booked = await anna.register(slot.id, companions=[child])
    assert booked.json()["status"] == "confirmed"
    boris = await participant()
    queued = await boris.register(slot.id, waitlist_ok=True)
    assert queued.json()["status"] == "waitlisted"

    anna_id = await user_id_of(client, anna.token)
    rewards = RewardsService(session, settings)
    await rewards.award(anna_id, 40, reason="task", ref_type="task", ref_id=1)
    assert [i.user_id for i in (await rewards.leaderboard()).items] == [anna_id]
    registration_id = booked.json()["id"]
    session.add_all(
        [
            Feedback(user_id=anna_id, slot_id=slot.id, rating=5, comment="Гид Иван Сидоров — чудо"),
            CheckinScan(
                scan_id="scan-1",
                scanned_by=anna_id,
                registration_id=registration_id,
                slot_id=slot.id,
                scanned_at=datetime.now(UTC),
                result={"name": "Анна", "members": [{"name": "Маша Петрова", "age": 11}]},
            ),
        ]
    )
    await session.commit()
    assert await rows(session, Notification, user_id=anna_id)  # "registration.confirmed"

    response = await delete_account(anna.token)
    assert response.status_code == 200, response.text
    report = response.json()
    assert (report["registrations_cancelled"], report["registrations_anonymised"]) == (1, 1)
    assert report["erased"]["identities"] == 1
    assert report["erased"]["companions"] == 1
    assert report["erased"]["id_documents"] == 1

    # The token opens nothing any more; the seats went to the waitlist by the normal cancel.
    assert (await anna.get("/api/v1/me")).status_code == 401
    moved = (await boris.get(f"/api/v1/registrations/{queued.json()['id']}")).json()
    assert moved["status"] in {"offered", "confirmed"}
    assert (await client.get(f"/api/v1/slots/{slot.id}")).json()["seats_left"] == 1

    await _assert_account_erased(session, anna_id)
    await _assert_traces_anonymised(session, settings, anna_id, registration_id)
    assert (await rewards.leaderboard()).items == []  # off the public leaderboard

    entries = await AuditService(session).entries(AuditFilter(action="account.deleted"))
    [entry] = entries.items
    assert (entry.actor_id, entry.subject_id) == (anna_id, anna_id)
    assert "Маша" not in str(entry.after)

    # The same messenger account signs in afresh: a new, empty profile.
    accounts = AccountsService(session, settings)
    again = await accounts.sign_in(VerifiedIdentity(Provider.TELEGRAM, str(900_001)))
    assert again.user.id != anna_id
    assert again.user.companions == []


async def _assert_account_erased(session: AsyncSession, anna_id: int) -> None:
    gone = await user(session, anna_id)
    assert (gone.name, gone.email, gone.phone, gone.birth_date) == ("", None, None, None)
    assert gone.deleted_at is not None
    assert gone.consent_version is None
    for model in (Identity, Companion, IdDocument, Notification):
        assert await rows(session, model, user_id=anna_id) == [], model
    assert all(t.revoked_at for t in await rows(session, AccessToken, user_id=anna_id))
    [consent] = await rows(session, ConsentRecord, user_id=anna_id)
    assert consent.withdrawn_at is not None  # the history stays, marked withdrawn


async def _assert_traces_anonymised(
    session: AsyncSession, settings: Settings, anna_id: int, registration_id: int
) -> None:
    [kept] = await rows(session, Registration, id=registration_id)
    day = kept.slot_starts_at.astimezone(settings.tz).date()
    assert kept.status == "cancelled"
    assert kept.party_size == 2
    assert kept.idempotency_key is None
    assert kept.participant_age_group == stats_rules.age_group(date(1990, 5, 20), day)
    [member] = kept.companions
    assert member["name"] == ""
    assert member["birth_date"] != "2015-03-03"
    born = date.fromisoformat(member["birth_date"])
    assert stats_rules.age_group(born, day) == stats_rules.age_group(date(2015, 3, 3), day)

    [feedback] = await rows(session, Feedback, user_id=anna_id)
    assert (feedback.rating, feedback.comment) == (5, "")
    [scan] = await rows(session, CheckinScan, registration_id=registration_id)
    assert scan.result["name"] == ""
    assert scan.result["members"] == [{"name": "", "age": 11}]
    assert len(await rows(session, PointsEntry, user_id=anna_id)) == 1  # the ledger stays


async def test_deletion_needs_the_typed_word_and_a_participant(
    client: httpx.AsyncClient,
    token_for: TokenFor,
    session: AsyncSession,
    delete_account: Delete,
) -> None:
    token = await token_for()
    for wrong in ("", "да", "удалить профиль"):
        refused = await delete_account(token, wrong)
        assert refused.status_code == 422, wrong
        assert refused.json()["error"]["code"] == "confirmation_required"
    missing = await client.request(
        "DELETE", "/api/v1/me", headers={"Authorization": f"Bearer {token}"}
    )
    assert missing.status_code == 422
    assert (await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})).is_success

    organizer = await token_for(Role.ORGANIZER)
    staff = await delete_account(organizer, "удалить")
    assert staff.status_code == 409
    assert staff.json()["error"]["code"] == "staff_account"
    anonymous = await client.request("DELETE", "/api/v1/me", json={"confirmation": "УДАЛИТЬ"})
    assert anonymous.status_code == 401

    assert (await delete_account(token, " delete ")).status_code == 200  # the English word
    deleted = await session.scalar(select(User.deleted_at).where(User.role == Role.PARTICIPANT))
    assert deleted is not None


async def _figures(stats: StatsService, data: Fixture) -> list[object]:
    filters = [
        StatsFilter(),
        StatsFilter(series_id=data.s1),
        StatsFilter(series_id=data.s2),
        StatsFilter(date_from=date(2024, 12, 1), date_to=date(2024, 12, 31)),
    ]
    boards = [(await stats.dashboard(f)).model_dump() for f in filters]
    return [*boards, (await stats.public_counters()).model_dump()]


async def test_statistics_are_the_same_after_deletions(
    session: AsyncSession, settings: Settings, program_data: Fixture
) -> None:
    stats = StatsService(session, settings)
    before = await _figures(stats, program_data)
    ages = {r["group"]: r["participants"] for r in before[0]["ages"]}
    assert sum(ages.values()) >= 6  # participants of several ages are counted

    # Everyone whose registrations are all in the past (user 8 has an upcoming one: cancelling
    # it is a real change, tested above).
    people = (await session.execute(select(User.id, User.name).order_by(User.id))).all()
    privacy = PrivacyService(session, settings)
    for user_id, name in people:
        if name != "Гость 8":
            await privacy.delete_account(user_id, "УДАЛИТЬ")

    deleted = select(User.name, User.birth_date).where(User.deleted_at.is_not(None))
    erased = (await session.execute(deleted)).all()
    assert [tuple(row) for row in erased] == [("", None)] * 7  # the ages come from the groups kept
    companions = (await session.scalars(select(Registration.companions))).all()
    assert sum(len(party) for party in companions) >= 5
    assert all(m["name"] == "" for party in companions for m in party)
    after = await _figures(stats, program_data)
    assert after == before


async def test_an_admin_deletes_a_staff_account_from_the_command_line(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, token_for: TokenFor
) -> None:
    host = await token_for(Role.HOST)
    host_id = await user_id_of(client, host)
    env = {"OPENINDUSTRY_DATABASE_URL": settings.database_url}
    command = ["admin", "delete-user", "--id", str(host_id), "--confirm"]
    runner = CliRunner()
    refused = await asyncio.to_thread(runner.invoke, cli, [*command, "да"], env=env)
    assert refused.exit_code == 1
    assert "confirmation_required" in refused.output
    done = await asyncio.to_thread(runner.invoke, cli, [*command, "УДАЛИТЬ"], env=env)
    assert done.exit_code == 0, done.output
    gone = await user(session, host_id)
    assert (gone.email, gone.role, gone.deleted_at is not None) == (None, Role.PARTICIPANT, True)
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {host}"})
    assert me.status_code == 401


async def test_a_deleted_account_enters_no_prize_draw(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings, token_for: TokenFor
) -> None:
    gone, kept = [await user_id_of(client, await token_for()) for _ in range(2)]
    await PrivacyService(session, settings).delete_account(gone, "УДАЛИТЬ")
    rewards = RewardsService(session, settings)
    prize = await rewards.create_prize(PrizeCreate(title="Набор «Юный химик»", stock=5))
    await rewards.announce_prize_draw(prize.id)
    draw = await rewards.run_prize_draw(prize.id, [gone, kept], winners=2)
    assert draw.entrants_count == 1
    assert (await rewards.prize(prize.id)).stock == 4  # one winner, one unit
