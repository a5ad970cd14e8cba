"""The bulk scheduler page: defaults, preview, create all or nothing, refusals in words, access."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.audit.models import AuditEntry
from openindustry.catalog.models import Slot
from tests import factories
from tests.backoffice.conftest import SignIn, csrf_of, post_form, text_of

PAGE = "/backoffice/schedule"


def _next_monday() -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 - today.weekday() + 7)


async def _count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count(Slot.id))) or 0


def _form(
    program_id: int, series_id: int | None, start: date, **changes: object
) -> dict[str, object]:
    data: dict[str, object] = {
        "program_id": program_id,
        "series_id": series_id or "",
        "date_from": start.isoformat(),
        "date_to": (start + timedelta(days=6)).isoformat(),
        "weekdays": ["0", "1", "2", "3", "4"],
        "times": "11:00, 15:00",
        "capacity": "25",
        "meeting_point": "Проходная №2",
    }
    return data | changes


async def test_defaults_come_from_the_series(sign_in: SignIn, session: AsyncSession) -> None:
    start = _next_monday()
    series = await factories.series(session, starts_on=start, ends_on=start + timedelta(days=11))
    await factories.program(session, title="Цех игрушек")
    client = await sign_in()

    page = await client.get(f"{PAGE}?series_id={series.id}")

    assert page.status_code == 200
    assert f'value="{start.isoformat()}"' in page.text
    assert f'value="{(start + timedelta(days=11)).isoformat()}"' in page.text
    assert "11:00, 15:00" in page.text
    for n in range(5):
        assert f'id="weekday-{n}" name="weekdays" value="{n}" checked' in page.text
    assert 'id="weekday-5" name="weekdays" value="5">' in page.text
    assert "Цех игрушек" in text_of(page)


async def test_preview_then_create(sign_in: SignIn, session: AsyncSession) -> None:
    start = _next_monday()
    series = await factories.series(session, starts_on=start, ends_on=start + timedelta(days=6))
    program = await factories.program(session, title="Цех игрушек", duration_minutes=90)
    client = await sign_in()
    data = _form(program.id, series.id, start)

    preview = await post_form(client, PAGE, PAGE, {**data, "action": "preview"})

    assert preview.status_code == 200
    text = text_of(preview)
    assert "Будет создано: 10" in text
    assert "Создать 10 экскурсий" in text
    assert "11:00–12:30" in text
    assert "15:00–16:30" in text
    assert await _count(session) == 0

    created = await client.post(
        PAGE, data={**data, "action": "create", "csrf_token": csrf_of(preview)}
    )
    assert created.status_code == 303
    target = f"{PAGE}?program_id={program.id}&series_id={series.id}#slots"
    assert created.headers["location"] == target
    assert await _count(session) == 10
    starts = sorted((await session.scalars(select(Slot.starts_at))).all())
    # 11:00 Moscow is 08:00 UTC.
    assert {s.astimezone(UTC).hour for s in starts} == {8, 12}
    listing = await client.get(created.headers["location"])
    assert "Экскурсии созданы." in text_of(listing)
    assert listing.text.count('href="/backoffice/slots/') == 10
    audit = (await session.scalars(select(AuditEntry))).all()
    bulk = [e for e in audit if e.action == "slot.bulk_created"]
    assert len(bulk) == 1
    assert bulk[0].after is not None
    assert bulk[0].after["count"] == 10


async def test_overlap_creates_nothing_and_says_when(
    sign_in: SignIn, session: AsyncSession
) -> None:
    start = _next_monday()
    program = await factories.program(session, duration_minutes=90)
    clash = datetime.combine(start + timedelta(days=2), datetime.min.time(), tzinfo=UTC)
    await factories.slot(
        session, program_id=program.id, starts_at=clash + timedelta(hours=8, minutes=30)
    )
    client = await sign_in()

    refused = await post_form(
        client, PAGE, PAGE, {**_form(program.id, None, start), "action": "create"}
    )

    assert refused.status_code == 409
    text = text_of(refused)
    assert "пересекаются по времени" in text
    assert (start + timedelta(days=2)).strftime("%d.%m.%Y") + " 11:00" in text
    assert await _count(session) == 1
    # Nothing typed is lost.
    assert "Проходная №2" in refused.text


async def test_refusals_in_words(sign_in: SignIn, session: AsyncSession) -> None:
    start = _next_monday()
    program = await factories.program(session)
    client = await sign_in()
    past = await post_form(
        client, PAGE, PAGE, {**_form(program.id, None, date(2020, 1, 6)), "action": "preview"}
    )
    assert past.status_code == 422
    assert "прошедшие дни" in text_of(past)
    weekend = await post_form(
        client,
        PAGE,
        PAGE,
        {
            **_form(program.id, None, start, date_to=start.isoformat(), weekdays=["6"]),
            "action": "preview",
        },
    )
    assert weekend.status_code == 422
    assert "нет ни одного отмеченного дня недели" in text_of(weekend)
    bad = await post_form(
        client,
        PAGE,
        PAGE,
        {**_form(program.id, None, start, times="11 часов", weekdays=[], capacity="-1")},
    )
    assert bad.status_code == 422
    text = text_of(bad)
    assert "Время — часы и минуты" in text
    assert "Отметьте хотя бы один день недели" in text
    assert "Мест — целое число" in text
    assert "11 часов" in bad.text
    assert await _count(session) == 0


async def test_times_on_separate_lines(sign_in: SignIn, session: AsyncSession) -> None:
    start = _next_monday()
    program = await factories.program(session, duration_minutes=60)
    client = await sign_in()
    preview = await post_form(
        client,
        PAGE,
        PAGE,
        {**_form(program.id, None, start, times="10:00\n12.30\r\n23:30"), "action": "preview"},
    )
    assert preview.status_code == 200, text_of(preview)[:500]
    assert "Будет создано: 15" in text_of(preview)


async def test_access(client: httpx.AsyncClient, sign_in: SignIn, session: AsyncSession) -> None:
    anonymous = await client.get(PAGE)
    assert anonymous.status_code == 303
    assert anonymous.headers["location"].startswith("/backoffice/login?next=")
    plant = await factories.enterprise(session)
    host = await sign_in(Role.HOST, [plant.id])
    assert (await host.get(PAGE)).status_code == 403
    assert (await host.post(PAGE, data={"csrf_token": "x"})).status_code == 403


async def test_csrf_and_garbage(sign_in: SignIn, session: AsyncSession) -> None:
    program = await factories.program(session)
    client = await sign_in()
    data = _form(program.id, None, _next_monday())
    missing = await client.post(PAGE, data={**data, "action": "create"})
    assert missing.status_code == 403
    garbage = await post_form(
        client,
        PAGE,
        PAGE,
        {"program_id": "abc", "date_from": "2030-02-30", "capacity": "9" * 20, "weekdays": "x"},
    )
    assert 400 <= garbage.status_code < 500
    assert await _count(session) == 0
