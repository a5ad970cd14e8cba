"""Participants' pages: real data, filters narrow, errors are pages and never 500s."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.catalog.schemas import RegistrationWindowInput
from tests import factories

MSK = ZoneInfo("Europe/Moscow")
STARTS = datetime(2030, 12, 11, 11, 0, tzinfo=MSK)


def _text(response: httpx.Response) -> str:
    """The page as a reader sees it: tags dropped, entities decoded, spaces collapsed."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
    body = html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("\u00a0", " ")
    return " ".join(body.split())


def _slot_links(response: httpx.Response) -> list[int]:
    return [int(i) for i in re.findall(r'href="/slots/(\d+)"', response.text)]


def _open_now() -> RegistrationWindowInput:
    now = datetime.now(UTC)
    return RegistrationWindowInput(
        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1)
    )


async def test_home_shows_series_counters_open_slots_and_industries(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await factories.series(
        session, title="Декабрьская серия", description="Экскурсии перед праздниками."
    )
    sweets = await factories.industry(session, slug="confectionery", name="Кондитерские изделия")
    factory = await factories.enterprise(session, industry=sweets.slug, name="Фабрика «Рассвет»")
    program = await factories.program(session, enterprise_id=factory.id, title="Путь шоколада")
    slot = await factories.slot(session, program_id=program.id, registration=_open_now())

    response = await client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    text = _text(response)
    assert "Декабрьская серия" in text
    assert "11–22 декабря" in text
    assert "Экскурсии перед праздниками." in text
    assert re.search(r"предприятий\s*</dt>\s*<dd>1</dd>", response.text)
    assert "Запись открыта" in text
    assert "Путь шоколада" in text
    assert "Фабрика «Рассвет»" in text
    assert _slot_links(response) == [slot.id]
    assert 'href="/catalog?industry=confectionery"' in response.text
    assert "Кондитерские изделия" in text
    assert 'href="/catalog"' in response.text


async def test_home_without_anything_scheduled_is_friendly(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert "Скоро здесь появятся новые экскурсии" in _text(response)


async def test_catalog_lists_slots_as_cards_linking_to_their_pages(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    first = await factories.slot(session, starts_at=STARTS)
    second = await factories.slot(session, starts_at=STARTS + timedelta(days=1))

    response = await client.get("/catalog")

    assert response.status_code == 200
    assert _slot_links(response) == [first.id, second.id]
    text = _text(response)
    assert "Найдено экскурсий: 2" in text
    assert "11 дек., ср 11:00" in text
    assert "Свободно 25 из 25" in text
    assert "Запись с 8 декабря" in text


async def test_filters_narrow_the_catalog(client: httpx.AsyncClient, session: AsyncSession) -> None:
    space = await factories.industry(session, slug="space", name="Космос")
    shoes = await factories.industry(session, slug="shoes", name="Обувь")
    rockets = await factories.enterprise(session, industry=space.slug)
    boots = await factories.enterprise(session, industry=shoes.slug)
    tour = await factories.program(session, enterprise_id=rockets.id, age_rating=16)
    workshop = await factories.program(
        session, enterprise_id=boots.id, format="master_class", age_rating=6
    )
    rocket_slot = await factories.slot(session, program_id=tour.id, starts_at=STARTS)
    boot_slot = await factories.slot(
        session, program_id=workshop.id, starts_at=STARTS + timedelta(days=3)
    )
    full_slot = await factories.slot(
        session, program_id=workshop.id, starts_at=STARTS + timedelta(days=5), capacity=0
    )

    async def listed(**params: str) -> list[int]:
        response = await client.get("/catalog", params=params)
        assert response.status_code == 200
        return _slot_links(response)

    assert await listed() == [rocket_slot.id, boot_slot.id, full_slot.id]
    assert await listed(industry="space") == [rocket_slot.id]
    assert await listed(format="master_class") == [boot_slot.id, full_slot.id]
    assert await listed(age="10") == [boot_slot.id, full_slot.id]
    assert await listed(available="1") == [rocket_slot.id, boot_slot.id]
    assert await listed(date_from="2030-12-13", date_to="2030-12-14") == [boot_slot.id]
    # Empty fields, as a GET form sends them, are no filter at all.
    empty = {"q": "", "industry": "", "format": "", "age": "", "date_from": "", "date_to": ""}
    assert await listed(**empty) == [rocket_slot.id, boot_slot.id, full_slot.id]


async def test_the_chosen_filters_stay_in_the_form(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    space = await factories.industry(session, slug="space", name="Космос")
    response = await client.get(
        "/catalog",
        params={"industry": space.slug, "format": "lecture", "age": "12", "available": "1"},
    )
    assert response.status_code == 200
    assert '<option value="space" selected>' in response.text
    assert '<option value="lecture" selected>' in response.text
    assert 'name="age" value="12"' in response.text or 'value="12"' in response.text
    assert re.search(r'name="available" value="1"\s+checked', response.text)


@pytest.mark.parametrize(
    "query",
    ["ЁЛОЧНЫЕ", "елочные", "Елочные Игрушки", "  ёлочные  "],
)
async def test_search_ignores_case_and_yo(
    client: httpx.AsyncClient, session: AsyncSession, query: str
) -> None:
    toys = await factories.program(session, title="Ёлочные игрушки из стекла")
    other = await factories.program(session, title="Как варят шоколад")
    found = await factories.slot(session, program_id=toys.id, starts_at=STARTS)
    await factories.slot(session, program_id=other.id, starts_at=STARTS)

    response = await client.get("/catalog", params={"q": query})

    assert response.status_code == 200
    assert _slot_links(response) == [found.id]
    assert "Ёлочные игрушки из стекла" in _text(response)


async def test_search_finds_descriptions_and_enterprises(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    plant = await factories.enterprise(session, name="Завод «Зелёный луч»")
    program = await factories.program(
        session, enterprise_id=plant.id, description="Покажем, как собирают двигатель."
    )
    slot = await factories.slot(session, program_id=program.id, starts_at=STARTS)
    await factories.slot(session, starts_at=STARTS)

    for query in ("ДВИГАТЕЛЬ", "зеленый луч"):
        response = await client.get("/catalog", params={"q": query})
        assert _slot_links(response) == [slot.id], query


async def test_catalog_paginates_with_show_more(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    program = await factories.program(session)
    ids = [
        (
            await factories.slot(
                session, program_id=program.id, starts_at=STARTS + timedelta(hours=i)
            )
        ).id
        for i in range(23)
    ]

    first = await client.get("/catalog", params={"q": "цех"})
    assert _slot_links(first) == ids[:20]
    more = re.search(r'<a [^>]*data-more href="([^"]+)"', first.text)
    assert more is not None
    assert "Показать ещё" in _text(first)

    rest = await client.get(html.unescape(more.group(1)))
    assert rest.status_code == 200
    assert _slot_links(rest) == ids[20:]
    assert "data-more" not in rest.text
    assert "Найдено экскурсий: 23" in _text(rest)


async def test_empty_states(client: httpx.AsyncClient, session: AsyncSession) -> None:
    nothing = await client.get("/catalog")
    assert nothing.status_code == 200
    assert "Скоро здесь появятся новые экскурсии" in _text(nothing)

    await factories.slot(session, starts_at=STARTS)
    no_match = await client.get("/catalog", params={"q": "марсоход"})
    assert no_match.status_code == 200
    assert _slot_links(no_match) == []
    assert "По этим условиям экскурсий нет" in _text(no_match)
    assert 'href="/catalog"' in no_match.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"age": "abc"}, "Возраст — целое число от 0 до 120."),
        ({"age": "-3"}, "Возраст — целое число от 0 до 120."),
        ({"age": "99999999999999999999999"}, "Возраст — целое число от 0 до 120."),
        ({"format": "xxx"}, "Выберите формат из списка."),
        ({"date_from": "2026-13-01"}, "Такой даты нет. Выберите дату в календаре."),
        ({"date_to": "вчера"}, "Такой даты нет. Выберите дату в календаре."),
        ({"industry": "<script>"}, "Выберите отрасль из списка."),
        ({"q": "я" * 101}, "Слишком длинный запрос: не больше 100 символов."),
        ({"offset": "-1"}, "Неверный номер страницы."),
        ({"offset": "99999999999999999999"}, "Неверный номер страницы."),
        ({"date_from": "2030-12-20", "date_to": "2030-12-10"}, "Дата «по» раньше даты «с»."),
    ],
)
async def test_bad_filters_show_the_form_with_a_message(
    client: httpx.AsyncClient, params: dict[str, str], message: str
) -> None:
    response = await client.get("/catalog", params=params)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    text = _text(response)
    assert "Не получилось применить фильтры" in text
    assert message in text
    if "offset" not in params:  # the page number has no field of its own
        assert 'aria-invalid="true"' in response.text
    assert "<script>" not in response.text.split("<main", 1)[1].split("</main>")[0]
    assert '<form class="filters"' in response.text


async def test_enterprise_page(client: httpx.AsyncClient, session: AsyncSession) -> None:
    space = await factories.industry(session, slug="space", name="Космос", name_en="Space")
    plant = await factories.enterprise(
        session,
        slug="khrunichev",
        name="Центр имени Хруничева",
        industry=space.slug,
        short_description="Ракеты и космические аппараты.",
        description="Здесь делают ракеты-носители.",
        address="Москва, Новозаводская улица, 18",
        metro="Филёвский парк",
        requires_id_document=True,
        min_age=14,
    )
    program = await factories.program(
        session, enterprise_id=plant.id, title="Космос начинается здесь"
    )
    slot = await factories.slot(session, program_id=program.id, starts_at=STARTS)
    elsewhere = await factories.slot(session, starts_at=STARTS)

    response = await client.get("/enterprises/khrunichev")

    assert response.status_code == 200
    text = _text(response)
    for expected in (
        "Центр имени Хруничева",
        "Космос",
        "Ракеты и космические аппараты.",
        "Здесь делают ракеты-носители.",
        "Москва, Новозаводская улица, 18",
        "Филёвский парк",
        "Нужны паспортные данные заранее",
        "14+",
        "Космос начинается здесь",
    ):
        assert expected in text, expected
    assert f'href="/programs/{program.id}"' in response.text
    assert _slot_links(response) == [slot.id]
    assert elsewhere.id not in _slot_links(response)


async def test_enterprise_without_requirements_says_nothing_about_them(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    plant = await factories.enterprise(session, slug="open-plant")
    response = await client.get(f"/enterprises/{plant.slug}")
    assert response.status_code == 200
    assert "паспортные" not in _text(response)
    assert "Новых дат пока нет" in _text(response)


async def test_program_page(client: httpx.AsyncClient, session: AsyncSession) -> None:
    plant = await factories.enterprise(session, slug="estet", name="Завод «Эстет»")
    program = await factories.program(
        session,
        enterprise_id=plant.id,
        title="3D-печать в ювелирном деле",
        format="master_class",
        duration_minutes=90,
        age_rating=12,
        audience_tags=["школьникам", "студентам"],
        accessibility_notes="Есть лифт; зал на первом этаже.",
        description="Нарисуете эскиз подвески.",
    )
    slot = await factories.slot(session, program_id=program.id, starts_at=STARTS)

    response = await client.get(f"/programs/{program.id}")

    assert response.status_code == 200
    text = _text(response)
    for expected in (
        "3D-печать в ювелирном деле",
        "Завод «Эстет»",
        "Мастер-класс",
        "1 ч 30 мин",
        "12+",
        "школьникам",
        "студентам",
        "Есть лифт; зал на первом этаже.",
        "Нарисуете эскиз подвески.",
    ):
        assert expected in text, expected
    assert 'href="/enterprises/estet"' in response.text
    assert _slot_links(response) == [slot.id]


def _window(state: str) -> tuple[RegistrationWindowInput | None, int]:
    now = datetime.now(UTC)
    match state:
        case "not_open":
            return None, 25  # the series default: three days before at 10:00 → 8 December
        case "open" | "waitlist":
            return RegistrationWindowInput(
                opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=1)
            ), (25 if state == "open" else 0)
        case "lottery":
            return RegistrationWindowInput(
                mode="lottery",
                opens_at=now - timedelta(hours=1),
                closes_at=datetime(2030, 12, 10, 18, 0, tzinfo=MSK),
            ), 25
        case _:
            return RegistrationWindowInput(
                opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1)
            ), 25


@pytest.mark.parametrize(
    ("state", "words"),
    [
        ("not_open", "Запись откроется 8 декабря в 10:00"),
        ("open", "Идёт запись"),
        ("waitlist", "Мест нет, можно встать в лист ожидания"),
        ("lottery", "Запись по жребию до 10 декабря, 18:00"),
        ("closed", "Запись закрыта"),
    ],
)
async def test_slot_page_states_registration_in_words(
    client: httpx.AsyncClient, session: AsyncSession, state: str, words: str
) -> None:
    registration, capacity = _window(state)
    plant = await factories.enterprise(session, slug="rassvet", name="Фабрика «Рассвет»")
    program = await factories.program(session, enterprise_id=plant.id, title="Путь шоколада")
    slot = await factories.slot(
        session,
        program_id=program.id,
        starts_at=STARTS,
        capacity=capacity,
        meeting_point="У главной проходной",
        registration=registration,
    )

    response = await client.get(f"/slots/{slot.id}")

    assert response.status_code == 200
    text = _text(response)
    assert words in text
    assert "Путь шоколада" in text
    assert "Фабрика «Рассвет»" in text
    assert 'href="/enterprises/rassvet"' in response.text
    assert "11 декабря, среда" in text
    assert "11:00–12:30" in text
    assert "Москва, улица Примерная, 1" in text
    assert "У главной проходной" in text
    assert f"Свободных мест {capacity} из {capacity}" in text
    if state == "open":
        assert "Запись закроется" in text
    if state == "closed":
        assert "Записаться" not in text
    elif state == "not_open":
        assert "Войдите, чтобы записаться" not in text
        assert "приходите к открытию записи" in text
    else:
        # Signed out: the way to register is to sign in and come back.
        assert "Войдите, чтобы записаться" in text
        assert f'href="/login?next=%2Fslots%2F{slot.id}"' in response.text


async def test_slot_page_warns_about_a_secure_site(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    plant = await factories.enterprise(session, requires_id_document=True, min_age=16)
    program = await factories.program(session, enterprise_id=plant.id)
    secure = await factories.slot(session, program_id=program.id, starts_at=STARTS)
    ordinary = await factories.slot(session, starts_at=STARTS)

    text = _text(await client.get(f"/slots/{secure.id}"))
    assert "Нужны паспортные данные заранее" in text
    assert "Минимальный возраст гостей: 16+." in text
    assert "паспортные" not in _text(await client.get(f"/slots/{ordinary.id}"))


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/slots/424242", "Такой экскурсии нет"),
        ("/enterprises/no-such-plant", "Такого предприятия нет в программе."),
        ("/programs/424242", "Такой программы нет"),
        ("/no/such/page", "Возможно, ссылка устарела"),
    ],
)
async def test_unknown_things_are_a_friendly_404_page(
    client: httpx.AsyncClient, path: str, words: str
) -> None:
    response = await client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    text = _text(response)
    assert "Такой страницы нет" in text
    assert words in text
    assert '<a class="button button--primary" href="/">На главную</a>' in response.text


@pytest.mark.parametrize(
    "path", ["/slots/99999999999999", "/programs/abc", "/slots/0", "/slots/-1"]
)
async def test_malformed_ids_are_422_pages(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("text/html")
    assert "Проверьте данные" in _text(response)


async def test_english_via_lang_parameter_sticks(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    space = await factories.industry(session, slug="space", name="Космос", name_en="Space")
    plant = await factories.enterprise(session, industry=space.slug)
    program = await factories.program(session, enterprise_id=plant.id, format="master_class")
    slot = await factories.slot(session, program_id=program.id, starts_at=STARTS)

    home = await client.get("/", params={"lang": "en"})
    assert home.status_code == 200
    assert '<html lang="en">' in home.text
    assert "Open Industry" in _text(home)
    assert "Choose a tour" in _text(home)
    assert "Space" in _text(home)
    assert "lang=en" in home.headers["set-cookie"]

    # The cookie carries the choice to the next pages.
    catalog = await client.get("/catalog")
    text = _text(catalog)
    assert "Tour catalogue" in text
    assert "Only with free seats" in text
    assert "Master class" in text
    assert "Каталог экскурсий" not in text

    page = await client.get(f"/slots/{slot.id}")
    assert "Registration opens on December 8 at 10:00" in _text(page)
    assert "Wednesday, December 11" in _text(page)

    missing = await client.get("/slots/424242")
    assert missing.status_code == 404
    assert "There is no such tour" in _text(missing)
    assert "Go to the home page" in _text(missing)

    bad = await client.get("/catalog", params={"age": "abc"})
    assert bad.status_code == 422
    assert "Age must be a whole number from 0 to 120." in _text(bad)

    back = await client.get("/", params={"lang": "ru"})
    assert "Выбрать экскурсию" in _text(back)


async def test_pages_offer_both_languages_and_landmarks(client: httpx.AsyncClient) -> None:
    response = await client.get("/catalog", params={"q": "шоколад"})
    page = response.text
    assert '<html lang="ru">' in page
    assert 'class="skip-link" href="#main"' in page
    for landmark in ("<header", "<nav", '<main id="main"', "<footer"):
        assert landmark in page
    assert 'href="/catalog?q=%D1%88%D0%BE%D0%BA%D0%BE%D0%BB%D0%B0%D0%B4&amp;lang=en"' in page
    # Every form control has a label.
    for control in re.findall(r'<(?:input|select)\b[^>]*\bid="([^"]+)"', page):
        assert f'for="{control}"' in page, control
    assert '<script src="/static/app.js" defer></script>' in page


async def test_static_assets_are_served(client: httpx.AsyncClient) -> None:
    css = await client.get("/static/app.css")
    js = await client.get("/static/app.js")
    assert css.status_code == js.status_code == 200
    assert "prefers-color-scheme: dark" in css.text
    assert "Telegram" in js.text
    # No external script or stylesheet: the pages must work offline and inside messengers.
    assert "https://" not in js.text


_catalog_params = st.dictionaries(
    st.sampled_from(
        ["date_from", "date_to", "industry", "format", "age", "available", "q", "offset"]
    ),
    st.one_of(
        st.text(max_size=40),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
        st.dates().map(date.isoformat),
        st.sampled_from(["excursion", "lecture", "space", "on", "1", "2030-02-30", "ё"]),
    ),
    max_size=5,
)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(params=_catalog_params)
async def test_no_catalog_query_yields_a_server_error(
    client: httpx.AsyncClient, params: dict[str, str]
) -> None:
    response = await client.get("/catalog", params=params)
    assert response.status_code in {200, 422}, (params, response.text[:500])
    assert response.headers["content-type"].startswith("text/html")
