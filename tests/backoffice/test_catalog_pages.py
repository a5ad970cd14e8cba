"""The catalog pages: enterprises, programs and series created and changed through the forms."""

from __future__ import annotations

from datetime import date

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.audit.models import AuditEntry
from openindustry.catalog.models import Enterprise, Program, Series
from tests import factories
from tests.backoffice.conftest import SignIn, post_form, text_of

PAGE = "/backoffice/catalog"


async def _actions(session: AsyncSession) -> list[str]:
    entries = await session.scalars(select(AuditEntry).order_by(AuditEntry.id))
    return [e.action for e in entries if not e.action.startswith("staff.")]


async def test_create_and_edit_a_series(sign_in: SignIn, session: AsyncSession) -> None:
    client = await sign_in()
    created = await post_form(
        client,
        PAGE,
        f"{PAGE}/series",
        {
            "title": "Декабрьская серия",
            "starts_on": "2030-12-11",
            "ends_on": "2030-12-22",
            "opens_days_before": "5",
            "opens_at_time": "09:30",
            "closes_hours_before": "12",
            "allocation_mode": "lottery",
            "max_active_registrations": "2",
            "waitlist_confirms_directly": "on",
            "required_tasks": "",
            "description": "",
        },
    )
    assert created.status_code == 303, text_of(created)[:600]
    series = (await session.scalars(select(Series))).one()
    assert created.headers["location"] == f"{PAGE}?series_id={series.id}#series-form"
    assert series.opens_days_before == 5
    assert series.opens_at_time.strftime("%H:%M") == "09:30"
    assert series.allocation_mode.value == "lottery"
    assert series.max_active_registrations == 2
    assert series.waitlist_confirms_directly is True
    page = await client.get(created.headers["location"])
    assert "Изменения сохранены." in text_of(page)
    assert 'value="Декабрьская серия"' in page.text

    edit = f"{PAGE}/series/{series.id}"
    changed = await post_form(
        client,
        created.headers["location"],
        edit,
        {
            "title": "Зимняя серия",
            "starts_on": "2030-12-11",
            "ends_on": "2030-12-25",
            "opens_days_before": "3",
            "opens_at_time": "10:00",
            "closes_hours_before": "24",
            "allocation_mode": "fcfs",
            "max_active_registrations": "",
            "required_tasks": "",
        },
    )
    assert changed.status_code == 303
    await session.refresh(series)
    assert series.title == "Зимняя серия"
    assert series.ends_on == date(2030, 12, 25)
    assert series.max_active_registrations is None
    assert series.waitlist_confirms_directly is False
    assert await _actions(session) == ["series.created", "series.updated"]


async def test_series_errors_next_to_fields(sign_in: SignIn, session: AsyncSession) -> None:
    client = await sign_in()
    refused = await post_form(
        client,
        PAGE,
        f"{PAGE}/series",
        {
            "title": "",
            "starts_on": "2030-12-22",
            "ends_on": "2030-12-11",
            "opens_days_before": "100",
            "opens_at_time": "25:99",
            "closes_hours_before": "24",
            "allocation_mode": "fcfs",
            "required_tasks": "abc",
        },
    )
    assert refused.status_code == 422
    text = text_of(refused)
    assert "Укажите название" in text
    assert "от 0 до 60" in text
    assert "Время открытия записи" in text
    assert 'id="series-title"' in refused.text
    assert 'aria-invalid="true"' in refused.text
    assert 'value="2030-12-22"' in refused.text  # nothing typed is lost
    assert (await session.scalars(select(Series))).first() is None


async def test_enterprise_and_program_forms(sign_in: SignIn, session: AsyncSession) -> None:
    industry = await factories.industry(session, slug="food", name="Пищевая")
    client = await sign_in()
    created = await post_form(
        client,
        PAGE,
        f"{PAGE}/enterprises",
        {
            "name": "Ёлочная фабрика",
            "slug": "elochnaya",
            "industry": industry.slug,
            "short_description": "Игрушки из стекла",
            "address": "Москва, Стеклянная улица, 1",
            "metro": "",
            "min_age": "",
            "website": "",
            "description": "",
            "requires_id_document": "on",
        },
    )
    assert created.status_code == 303, text_of(created)[:600]
    enterprise = (await session.scalars(select(Enterprise))).one()
    assert enterprise.requires_id_document is True
    assert enterprise.metro is None

    taken = await post_form(
        client,
        PAGE,
        f"{PAGE}/enterprises",
        {
            "name": "Другая",
            "slug": "elochnaya",
            "industry": industry.slug,
            "short_description": "x",
            "address": "y",
        },
    )
    assert taken.status_code == 409
    assert "адрес страницы уже занят" in text_of(taken)

    page = f"{PAGE}?enterprise_id={enterprise.id}"
    program = await post_form(
        client,
        page,
        f"{PAGE}/programs",
        {
            "enterprise_id": enterprise.id,
            "title": "Роспись шаров",
            "format": "master_class",
            "duration_minutes": "60",
            "age_rating": "6",
            "description": "Распишите свой шар",
        },
    )
    assert program.status_code == 303, text_of(program)[:600]
    row = (await session.scalars(select(Program))).one()
    assert "елочная фабрика" in row.search_text

    renamed = await post_form(
        client,
        page,
        f"{PAGE}/enterprises/{enterprise.id}",
        {
            "name": "Фабрика «Ёлка»",
            "slug": "elochnaya",
            "industry": industry.slug,
            "short_description": "Игрушки из стекла",
            "address": "Москва, Стеклянная улица, 1",
        },
    )
    assert renamed.status_code == 303
    await session.refresh(row)
    assert "фабрика «елка»" in row.search_text
    bad = await post_form(
        client,
        f"{PAGE}?program_id={row.id}",
        f"{PAGE}/programs/{row.id}",
        {
            "enterprise_id": enterprise.id,
            "title": "Роспись",
            "format": "excursion",
            "duration_minutes": "0",
            "age_rating": "7",
        },
    )
    assert bad.status_code == 422
    assert "Продолжительность в минутах" in text_of(bad)
    assert await _actions(session) == [
        "enterprise.created",
        "program.created",
        "enterprise.updated",
    ]


async def test_access_and_csrf(
    client: httpx.AsyncClient, sign_in: SignIn, session: AsyncSession
) -> None:
    assert (await client.get(PAGE)).status_code == 303
    plant = await factories.enterprise(session)
    host = await sign_in(Role.HOST, [plant.id])
    assert (await host.get(PAGE)).status_code == 403
    organizer = await sign_in(Role.ORGANIZER)
    no_token = await organizer.post(f"{PAGE}/series", data={"title": "x"})
    assert no_token.status_code == 403
    assert (await organizer.get(f"{PAGE}?series_id=999999")).status_code == 404
    assert (await organizer.get(f"{PAGE}?series_id=abc")).status_code == 200
