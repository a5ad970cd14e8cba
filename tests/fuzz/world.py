"""A small program for the fuzzer to wander in, built through the services as the app builds it.

Without it nearly every generated id would be a 404 and the fuzzer would never reach the rules
behind it. The world holds: an enterprise with a program, a series and five slots open for
registration (first come, lottery, one to cancel, one free, one today); a participant who gave
consent, has a companion, confirmed registrations (tickets), points, two prize claims (pickup
codes) and an invite code; a quiz, a code word and a feedback task; a prize with stock and an
announced draw; signed sign-in data for each messenger; a host of the enterprise, an organizer, an
admin. `known` maps each parameter or body field name to values that exist, which the test puts
into some of the generated requests; `keep` holds the ones that operations which cancel, move or
change must leave alone, so that tickets, check-in and exports still find them afterwards.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.models import Role
from openindustry.accounts.providers.vk import sign_vk_launch_params
from openindustry.accounts.providers.webapp import sign_webapp_data
from openindustry.accounts.schemas import CompanionInput, UserUpdate
from openindustry.accounts.service import AccountsService
from openindustry.catalog.schemas import RegistrationWindowInput, SlotRead
from openindustry.config import Settings
from openindustry.privacy.rules import CONFIRMATION_WORD
from openindustry.quests.demo import quiz_task
from openindustry.quests.schemas import TaskCreate
from openindustry.quests.service import QuestsService
from openindustry.registration.schemas import RegistrationCreate
from openindustry.registration.service import RegistrationService
from openindustry.rewards.schemas import PrizeCreate
from openindustry.rewards.service import RewardsService
from openindustry.stats.charts import CHARTS
from openindustry.stats.exports import TABLES
from tests import factories
from tests.conftest import MAX_TOKEN, TELEGRAM_TOKEN, VK_SECRET, TokenFor

CODE_WORD = "ракета"


@dataclass
class World:
    tokens: dict[str, str]  # caller kind → bearer token
    known: dict[str, list[Any]] = field(default_factory=dict)
    keep: set[tuple[str, Any]] = field(default_factory=set)


def _launch_data() -> dict[str, list[str]]:
    """Correctly signed sign-in data of a new person, for each door."""
    now = str(int(time.time()))
    vk = {"vk_user_id": "7001", "vk_app_id": "1", "vk_platform": "mobile_web", "vk_ts": now}
    user = json.dumps({"id": 7002, "first_name": "Анна"}, ensure_ascii=False)
    return {
        "launch_params": [sign_vk_launch_params(vk, VK_SECRET)],
        "init_data": [sign_webapp_data({"user": user, "auth_date": now}, TELEGRAM_TOKEN)],
        "web_app_data": [sign_webapp_data({"user": user, "auth_date": now}, MAX_TOKEN)],
    }


async def build_world(session: AsyncSession, settings: Settings, token_for: TokenFor) -> World:
    now = datetime.now(UTC)
    accounts = AccountsService(session, settings)
    quests = QuestsService(session, settings)
    rewards = RewardsService(session, settings)
    registrations = RegistrationService(session, settings, quests)

    enterprise = await factories.enterprise(session)
    program = await factories.program(session, enterprise_id=enterprise.id)
    series = await factories.series(
        session, starts_on=now.date(), ends_on=(now + timedelta(days=30)).date()
    )

    async def open_slot(
        starts_in: timedelta, mode: str | None = None, series_id: int | None = series.id
    ) -> SlotRead:
        window = RegistrationWindowInput(
            mode=mode, opens_at=now - timedelta(hours=1), closes_at=now + starts_in / 2
        )
        return await factories.slot(
            session,
            program_id=program.id,
            series_id=series_id,
            starts_at=now + starts_in,
            registration=window,
        )

    first_come = await open_slot(timedelta(days=5))
    lottery = await open_slot(timedelta(days=6), mode="lottery")
    spare = await open_slot(timedelta(days=7))  # booked, to be cancelled
    # Not booked, to register for; outside the series, whose limits the fuzzer may lower.
    free = await open_slot(timedelta(days=8), series_id=None)
    today = await open_slot(timedelta(minutes=20))  # booked, to check in

    tokens = {
        "participant": await token_for(Role.PARTICIPANT),
        # Signing out and deleting the account end the token they are sent with; each of those
        # routes gets a participant of its own.
        "logout": await token_for(Role.PARTICIPANT),
        "leaver": await token_for(Role.PARTICIPANT),
        "host": await token_for(Role.HOST, [enterprise.id]),
        "organizer": await token_for(Role.ORGANIZER),
        "admin": await token_for(Role.ADMIN),
    }
    caller = await accounts.resolve_token(tokens["participant"])
    newcomer = await accounts.resolve_token(tokens["leaver"])
    assert caller is not None
    assert newcomer is not None
    user_id = caller.user_id
    await accounts.give_consent(user_id, CONSENT_VERSION)
    me = await accounts.update_me(
        user_id,
        UserUpdate(
            birth_date=date(1990, 5, 20),
            companions=[CompanionInput(name="Маша", birth_date=date(2014, 3, 1))],
        ),
    )
    companion_ids = [c.id for c in me.companions]
    booked, _ = await registrations.register(
        user_id, first_come.id, RegistrationCreate(companions=companion_ids)
    )
    entered, _ = await registrations.register(user_id, lottery.id, RegistrationCreate())
    to_cancel, _ = await registrations.register(user_id, spare.id, RegistrationCreate())
    at_gate, _ = await registrations.register(user_id, today.id, RegistrationCreate())

    quiz = await quests.create_task(
        quiz_task(
            opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=5), series_id=None
        )
    )
    code_word = await quests.create_task(
        TaskCreate.model_validate(
            {"kind": "code_word", "title": "Кодовое слово", "points": 5, "code_word": CODE_WORD}
        )
    )
    feedback = await quests.create_task(
        TaskCreate.model_validate({"kind": "feedback", "title": "Отзыв", "points": 5})
    )
    invite = await quests.referral(newcomer.user_id)  # for the participant to accept

    prize = await rewards.create_prize(
        PrizeCreate.model_validate(
            {"title": "Термос", "stock": 50, "price_points": 10, "per_person_limit": 20}
        )
    )
    await rewards.award(user_id, 500, reason="adjustment", ref_type="seed", ref_id=1)
    claims = [await rewards.claim(user_id, prize.id) for _ in range(2)]
    draw = await rewards.announce_prize_draw(prize.id)

    known: dict[str, list[Any]] = {
        "enterprise_id": [enterprise.id],
        "program_id": [program.id],
        "series_id": [series.id],
        "industry": [enterprise.industry.slug],
        "slot_id": [first_come.id, lottery.id, spare.id, free.id, today.id],
        "registration_id": [booked.id, entered.id, to_cancel.id, at_gate.id],
        "companions": [companion_ids],
        "task_id": [quiz.id, code_word.id, feedback.id],
        "prize_id": [prize.id],
        "claim_id": [c.id for c in claims],
        "pickup_code": [c.pickup_code for c in claims],
        "draw_id": [d for d in (draw.id, entered.draw_id) if d is not None],
        "ticket_code": [booked.ticket_code, at_gate.ticket_code],
        "code_word": [CODE_WORD],
        "code": [invite.code],
        "version": [CONSENT_VERSION],
        "email": ["guest@example.org"],
        "confirmation": [CONFIRMATION_WORD],
        "table": list(TABLES),
        "chart": list(CHARTS),
    } | _launch_data()
    keep = {
        ("slot_id", first_come.id),
        ("slot_id", today.id),
        ("registration_id", booked.id),
        ("registration_id", at_gate.id),
    }
    return World(tokens=tokens, known=known, keep=keep)
