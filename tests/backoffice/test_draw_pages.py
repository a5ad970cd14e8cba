"""Draw pages: a prize draw in three steps (commitment, run, verified result); lottery slots."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.audit.models import AuditEntry
from openindustry.catalog.schemas import RegistrationWindowInput
from openindustry.config import Settings
from openindustry.draws.models import DrawKind
from openindustry.draws.service import DrawsService
from openindustry.rewards.models import ClaimHow, PrizeClaim
from openindustry.rewards.schemas import PrizeCreate
from openindustry.rewards.service import RewardsService
from tests import factories
from tests.backoffice.conftest import SignIn, csrf_of, post_form, text_of
from tests.rewards.conftest import MakeUser, make_user, rewards

__all__ = ["make_user", "rewards"]

PAGE = "/backoffice/draws"


async def test_a_prize_draw_step_by_step(
    sign_in: SignIn, session: AsyncSession, rewards: RewardsService, make_user: MakeUser
) -> None:
    prize = await rewards.create_prize(PrizeCreate(title="Набор «Юный химик»", stock=2))
    people = [await make_user() for _ in range(5)]
    for n, person in enumerate(people, 1):
        await rewards.award(person, 10 * n, reason="task", ref_type="task", ref_id=n)
    client = await sign_in()
    page = f"{PAGE}/prizes/{prize.id}"
    opened = await client.get(page)
    assert opened.status_code == 200
    assert "Опубликовать обязательство" in text_of(opened)
    assert f"{page}/run" not in opened.text  # no run form before the commitment
    leaderboard = {"source": "leaderboard", "leaderboard_top": "4", "series_id": "", "winners": "2"}
    early = await post_form(client, page, f"{page}/run", leaderboard)
    assert early.status_code == 409
    assert "Сначала опубликуйте обязательство" in text_of(early)

    announced = await post_form(client, page, f"{page}/announce", {})
    assert announced.status_code == 303
    again = await post_form(client, page, f"{page}/announce", {})
    assert again.status_code == 303
    draw = await DrawsService(session, Settings(environment="test")).find(DrawKind.PRIZE, prize.id)
    assert draw is not None
    committed = await client.get(page)
    assert draw.commitment in committed.text
    assert f"{page}/run" in committed.text

    no_quiz = await post_form(client, page, f"{page}/run", {"source": "quiz", "winners": "2"})
    assert no_quiz.status_code == 422
    assert "Выберите викторину из списка." in text_of(no_quiz)
    assert 'id="task_id" name="task_id" aria-invalid="true"' in no_quiz.text

    ran = await post_form(client, page, f"{page}/run", leaderboard)
    assert ran.status_code == 303, text_of(ran)[:600]
    result = await client.get(page)
    text = text_of(result)
    assert "Проверка пройдена" in text
    assert "✗" not in text
    drawn = await DrawsService(session, Settings(environment="test")).get(draw.id)
    assert drawn.seed is not None
    assert drawn.seed in result.text
    assert drawn.entrants_count == 4  # the top four of the leaderboard
    assert len(drawn.winners) == 2
    claims = (await session.scalars(select(PrizeClaim))).all()
    assert {c.how for c in claims} == {ClaimHow.DRAW}
    assert {c.user_id for c in claims} <= set(people[1:])  # the lowest score was not in the top 4

    # The form is gone once drawn; a stale one posted again is refused, nothing is drawn twice.
    twice = await client.post(f"{page}/run", data={"csrf_token": csrf_of(committed), **leaderboard})
    assert twice.status_code == 409
    assert "Розыгрыш уже проведён" in text_of(twice)
    prize_entries = select(AuditEntry).where(AuditEntry.subject_type == "prize")
    entries = (await session.scalars(prize_entries.order_by(AuditEntry.id))).all()
    assert [e.action for e in entries if e.action.startswith("prize.draw")] == [
        "prize.draw_announced",
        "prize.drawn",
    ]

    overview = text_of(await client.get(PAGE))
    assert "Набор «Юный химик»" in overview
    assert "проведён" in overview


async def test_lottery_slots_are_listed_read_only(
    sign_in: SignIn, session: AsyncSession, settings: Settings
) -> None:
    now = datetime.now(UTC)
    window = RegistrationWindowInput(
        mode="lottery", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=2)
    )
    lottery = await factories.slot(session, registration=window, starts_at=now + timedelta(days=4))
    await factories.slot(session, starts_at=now + timedelta(days=4))  # first come, first served
    draw = await DrawsService(session, settings).ensure(DrawKind.SLOT, lottery.id)
    client = await sign_in()
    overview = await client.get(PAGE)
    assert overview.status_code == 200
    assert f'href="/draws/{draw.id}"' in overview.text
    assert "обязательство опубликовано" in text_of(overview)
    assert overview.text.count('href="/draws/') == 1
    assert "/announce" not in overview.text  # nothing to press for a slot's draw


async def test_access(client: httpx.AsyncClient, sign_in: SignIn, session: AsyncSession) -> None:
    assert (await client.get(PAGE)).status_code == 303
    plant = await factories.enterprise(session)
    host = await sign_in(Role.HOST, [plant.id])
    assert (await host.get(PAGE)).status_code == 403
    assert (await host.post(f"{PAGE}/prizes/1/run")).status_code == 403
    organizer = await sign_in(Role.ORGANIZER)
    assert (await organizer.get(f"{PAGE}/prizes/999999")).status_code == 404
    assert (await organizer.post(f"{PAGE}/prizes/999999/announce")).status_code == 403  # no token
