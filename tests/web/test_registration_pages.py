"""Registering on the slot page, «Мои билеты», the ticket with its QR, cancelling, the waitlist,
lottery applications and the public draw page — over HTTP with cookie sessions, as a browser."""

from __future__ import annotations

import html
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
import time_machine
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.providers.vk import sign_vk_launch_params
from openindustry.catalog.schemas import RegistrationWindowInput, SlotRead
from openindustry.config import Settings
from openindustry.registration.models import Registration
from openindustry.registration.service import RegistrationService
from tests import factories
from tests.web.conftest import VK_SECRET

SESSION = "oi_session"


def _text(response: httpx.Response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
    body = html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("\u00a0", " ")
    return " ".join(body.split())


def _form(response: httpx.Response, action: str) -> dict[str, Any]:
    """The hidden fields of the form posting to `action` (the CSRF token and the form key)."""
    for form in re.findall(r"<form\b[^>]*>.*?</form>", response.text, flags=re.S):
        if f'action="{action}"' in form.split(">", 1)[0]:
            fields: dict[str, Any] = {}
            for name, value in re.findall(
                r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form
            ):
                fields.setdefault(name, []).append(html.unescape(value))
            return {k: v[0] if len(v) == 1 else v for k, v in fields.items()}
    raise AssertionError(f"no form posting to {action}")


def _has_form(response: httpx.Response, action: str) -> bool:
    return f'action="{action}"' in response.text


class Person:
    """One participant with their own cookie jar, on the app under test."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def enter(self, vk_id: str) -> Person:
        params = {
            "vk_user_id": vk_id,
            "vk_app_id": "51000000",
            "vk_platform": "mobile_android",
            "vk_language": "ru",
            "vk_ts": str(int(time.time())),
        }
        response = await self.client.get(f"/entry?{sign_vk_launch_params(params, VK_SECRET)}")
        assert response.status_code == 303, response.text[:300]
        return self

    async def get(self, url: str) -> httpx.Response:
        return await self.client.get(url)

    async def submit(self, page: str, action: str, data: dict[str, Any] | None = None) -> Any:
        form = await self.client.get(page)
        assert form.status_code == 200, (page, form.status_code)
        return await self.client.post(action, data={**_form(form, action), **(data or {})})

    async def csrf(self) -> dict[str, str]:
        """The session's CSRF token (the same for every form of the session)."""
        return {"csrf_token": _form(await self.get("/profile"), "/logout")["csrf_token"]}

    async def consent(self) -> None:
        response = await self.submit("/profile/consent", "/profile/consent")
        assert response.status_code == 303

    async def companion(self, name: str, birth_date: str) -> int:
        response = await self.submit(
            "/profile/companions",
            "/profile/companions",
            {"name": name, "birth_date": birth_date},
        )
        assert response.status_code == 303, _text(response)
        page = await self.get("/profile/companions")
        ids = re.findall(r'action="/profile/companions/(\d+)"', page.text)
        return max(int(i) for i in ids)

    async def register(self, slot_id: int, **data: Any) -> httpx.Response:
        return await self.submit(f"/slots/{slot_id}", f"/slots/{slot_id}/register", data)

    async def ticket_id(self, slot_id: int, **data: Any) -> int:
        response = await self.register(slot_id, **data)
        assert response.status_code == 303, _text(response)
        found = re.fullmatch(r"/me/tickets/(\d+)", response.headers["location"])
        assert found, response.headers["location"]
        return int(found.group(1))


MakePerson = Callable[..., Awaitable[Person]]


@pytest.fixture
async def person(app: object) -> AsyncIterator[MakePerson]:
    clients: list[httpx.AsyncClient] = []
    counter = iter(range(1, 1000))

    async def make(*, consent: bool = True) -> Person:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
            base_url="http://testserver",
        )
        clients.append(client)
        someone = await Person(client).enter(str(70_000 + next(counter)))
        if consent:
            await someone.consent()
        return someone

    yield make
    for client in clients:
        await client.aclose()


MakeSlot = Callable[..., Awaitable[SlotRead]]


@pytest.fixture
def open_slot(session: AsyncSession) -> MakeSlot:
    async def make(
        capacity: int = 5,
        *,
        mode: str | None = None,
        starts_in: timedelta = timedelta(days=5),
        enterprise: dict[str, Any] | None = None,
        **program: Any,
    ) -> SlotRead:
        now = datetime.now(UTC)
        if enterprise:
            program["enterprise_id"] = (await factories.enterprise(session, **enterprise)).id
        prog = await factories.program(session, **program)
        return await factories.slot(
            session,
            program_id=prog.id,
            capacity=capacity,
            starts_at=now + starts_in,
            meeting_point="У проходной №2",
            registration=RegistrationWindowInput(
                mode=mode,
                opens_at=now - timedelta(hours=1),
                closes_at=now + starts_in - timedelta(hours=2),
            ),
        )

    return make


async def _count(session: AsyncSession, slot_id: int) -> int:
    query = select(func.count()).select_from(Registration).where(Registration.slot_id == slot_id)
    return int((await session.execute(query)).scalar_one())


# Booking ---------------------------------------------------------------------------------------


async def test_signed_out_visitors_are_invited_to_sign_in(
    client: httpx.AsyncClient, open_slot: MakeSlot
) -> None:
    slot = await open_slot()
    response = await client.get(f"/slots/{slot.id}")
    assert response.status_code == 200
    assert "Войдите, чтобы записаться" in _text(response)
    assert f'href="/login?next=%2Fslots%2F{slot.id}"' in response.text
    assert not _has_form(response, f"/slots/{slot.id}/register")
    assert "Мои билеты" not in _text(response)
    tickets = await client.get("/me/tickets")
    assert tickets.status_code == 303
    assert tickets.headers["location"] == "/login?next=%2Fme%2Ftickets"


async def test_book_with_a_child_shows_the_qr_ticket_and_the_party(
    person: MakePerson, open_slot: MakeSlot, settings: Settings
) -> None:
    slot = await open_slot(capacity=5, title="Путь шоколада", age_rating=6)
    anna = await person()
    masha = await anna.companion("Маша Петрова", "2016-04-12")

    page = await anna.get(f"/slots/{slot.id}")
    text = _text(page)
    assert "Мои билеты" in text  # the header, signed in
    assert "Маша Петрова" in text
    assert re.search(r"Маша Петрова · \d+ (лет|год|года)", text)
    assert f'href="/profile/companions?next=%2Fslots%2F{slot.id}"' in page.text
    assert "Встать в лист ожидания, если мест нет" in text
    assert re.search(r"<button[^>]*>Записаться</button>", page.text)
    assert 'name="form_key"' in page.text

    ticket_id = await anna.ticket_id(slot.id, companion=[str(masha)])

    ticket = await anna.get(f"/me/tickets/{ticket_id}")
    assert ticket.status_code == 200
    text = _text(ticket)
    assert "Готово, вы записаны!" in text
    assert "Подтверждено" in text
    svg = re.search(r"<svg[^>]*class=\"ticket-qr\"[^>]*>.*?</svg>", ticket.text, flags=re.S)
    assert svg, "the ticket page has no inline QR SVG"
    assert len(svg.group(0)) > 1000
    code = re.search(r"<code>(OI1[A-Z2-7]+)</code>", ticket.text)
    assert code
    assert "Маша Петрова" in text
    assert "Вы" in text
    assert "Путь шоколада" in text
    assert "У проходной №2" in text
    assert "Москва, улица Примерная, 1" in text
    assert f'href="/me/tickets/{ticket_id}/ticket.ics"' in ticket.text
    assert f'href="/me/tickets/{ticket_id}/cancel"' in ticket.text

    slot_page = _text(await anna.get(f"/slots/{slot.id}"))
    assert "Свободных мест 3 из 5" in slot_page
    assert "Вы записаны на эту экскурсию." in slot_page
    assert "Открыть билет" in slot_page

    tickets = await anna.get("/me/tickets")
    assert tickets.status_code == 200
    assert "Предстоящие" in _text(tickets)
    assert f'href="/me/tickets/{ticket_id}"' in tickets.text
    assert "Подтверждено" in _text(tickets)
    assert "Вас 2" in _text(tickets)

    # «Добавить в календарь»: the same event as the API's ticket.ics.
    token = anna.client.cookies.get(SESSION)
    with time_machine.travel(datetime.now(UTC), tick=False):
        ics = await anna.get(f"/me/tickets/{ticket_id}/ticket.ics")
        api = await anna.client.get(
            f"/api/v1/registrations/{ticket_id}/ticket.ics",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    assert api.status_code == 200
    assert ics.content == api.content
    assert b"BEGIN:VEVENT" in ics.content


async def test_double_submit_with_the_same_form_books_once(
    person: MakePerson, open_slot: MakeSlot, session: AsyncSession
) -> None:
    slot = await open_slot(capacity=5)
    anna = await person()
    page = await anna.get(f"/slots/{slot.id}")
    form = _form(page, f"/slots/{slot.id}/register")

    first = await anna.client.post(f"/slots/{slot.id}/register", data=form)
    second = await anna.client.post(f"/slots/{slot.id}/register", data=form)

    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert await _count(session, slot.id) == 1
    assert "Свободных мест 4 из 5" in _text(await anna.get(f"/slots/{slot.id}"))


# Refusals --------------------------------------------------------------------------------------


async def test_without_consent_the_refusal_links_to_the_consent_page(
    person: MakePerson, open_slot: MakeSlot
) -> None:
    slot = await open_slot()
    boris = await person(consent=False)
    page = _text(await boris.get(f"/slots/{slot.id}"))
    assert "понадобится согласие" in page

    response = await boris.register(slot.id)

    assert response.status_code == 409
    assert "нужно согласие на обработку персональных данных" in _text(response)
    target = f"/profile/consent?next=%2Fslots%2F{slot.id}"
    assert f'href="{target}"' in response.text
    # The way forward leads back to the slot.
    given = await boris.submit(target, "/profile/consent")
    assert given.status_code == 303
    assert given.headers["location"] == f"/slots/{slot.id}"
    assert (await boris.register(slot.id)).status_code == 303


async def test_a_secure_site_asks_for_the_id_document_and_comes_back(
    person: MakePerson, open_slot: MakeSlot
) -> None:
    slot = await open_slot(enterprise={"requires_id_document": True})
    vera = await person()

    response = await vera.register(slot.id)

    assert response.status_code == 409
    assert "режимное предприятие" in _text(response)
    target = f"/profile/id-document?next=%2Fslots%2F{slot.id}"
    assert f'href="{target}"' in response.text
    saved = await vera.submit(
        target,
        "/profile/id-document",
        {"document_type": "passport_rf", "number": "4510 987654", "full_name": "Вера Иванова"},
    )
    assert saved.status_code == 303
    assert saved.headers["location"] == f"/slots/{slot.id}"
    assert (await vera.register(slot.id)).status_code == 303


async def test_age_limit_shows_the_service_message(person: MakePerson, open_slot: MakeSlot) -> None:
    slot = await open_slot(age_rating=12)
    gleb = await person()
    kid = await gleb.companion("Лёва", "2022-01-05")

    response = await gleb.register(slot.id, companion=[str(kid)])

    assert response.status_code == 409
    assert "Лёва: программа для гостей от 12 лет." in _text(response)
    assert f'href="/profile/companions?next=%2Fslots%2F{slot.id}"' in response.text
    # The choice is kept on the form shown again.
    assert re.search(rf'value="{kid}" checked', response.text)


async def test_sold_out_offers_the_waitlist_in_one_click(
    person: MakePerson, open_slot: MakeSlot
) -> None:
    slot = await open_slot(capacity=1)
    first, late = await person(), await person()
    stale_page = await late.get(f"/slots/{slot.id}")
    await first.ticket_id(slot.id)

    response = await late.client.post(
        f"/slots/{slot.id}/register", data=_form(stale_page, f"/slots/{slot.id}/register")
    )

    assert response.status_code == 409
    assert "Мест нет. Встать в лист ожидания?" in _text(response)
    waitlist_form = _form(response, f"/slots/{slot.id}/register")
    assert waitlist_form["waitlist_ok"] == "1"
    queued = await late.client.post(f"/slots/{slot.id}/register", data=waitlist_form)
    assert queued.status_code == 303
    ticket = _text(await late.get(queued.headers["location"]))
    assert "Вы в листе ожидания" in ticket
    assert "В листе ожидания — вы 1-й" in ticket
    assert "Вы 1-й в листе ожидания" in ticket
    # When full, the slot page offers the waitlist button directly.
    third = await person()
    page = await third.get(f"/slots/{slot.id}")
    assert re.search(r"<button[^>]*>Встать в лист ожидания</button>", page.text)


@pytest.mark.parametrize(
    ("window", "words"),
    [
        ("closed", "Запись на эту экскурсию уже закрыта."),
        ("not_open", "Запись ещё не открыта. Она откроется"),
    ],
)
async def test_a_closed_window_is_refused_politely(
    person: MakePerson, open_slot: MakeSlot, session: AsyncSession, window: str, words: str
) -> None:
    now = datetime.now(UTC)
    registration = (
        RegistrationWindowInput(opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1))
        if window == "closed"
        else RegistrationWindowInput(
            opens_at=now + timedelta(days=1), closes_at=now + timedelta(days=2)
        )
    )
    slot = await factories.slot(
        session, starts_at=now + timedelta(days=5), registration=registration
    )
    other = await open_slot()
    dora = await person()
    assert not _has_form(await dora.get(f"/slots/{slot.id}"), f"/slots/{slot.id}/register")
    form = _form(await dora.get(f"/slots/{other.id}"), f"/slots/{other.id}/register")

    response = await dora.client.post(f"/slots/{slot.id}/register", data=form)

    assert response.status_code == 409
    assert words in _text(response)
    assert 'href="/catalog"' in response.text


async def test_already_registered_and_time_conflict_point_to_my_tickets(
    person: MakePerson, open_slot: MakeSlot, session: AsyncSession
) -> None:
    slot = await open_slot()
    overlapping = await factories.slot(
        session,
        starts_at=slot.starts_at + timedelta(minutes=30),
        registration=RegistrationWindowInput(
            opens_at=datetime.now(UTC) - timedelta(hours=1),
            closes_at=slot.starts_at - timedelta(hours=2),
        ),
    )
    elena = await person()
    other_form = _form(
        await elena.get(f"/slots/{overlapping.id}"), f"/slots/{overlapping.id}/register"
    )
    await elena.ticket_id(slot.id)

    again = await elena.client.post(f"/slots/{slot.id}/register", data=other_form)
    assert again.status_code == 409
    assert "Вы уже записаны на эту экскурсию." in _text(again)
    assert 'href="/me/tickets"' in again.text

    conflict = await elena.register(overlapping.id)
    assert conflict.status_code == 409
    assert "В это время у вас уже есть другая экскурсия." in _text(conflict)
    assert 'href="/me/tickets"' in conflict.text


@pytest.mark.parametrize("companion", ["999999", "abc", "-1", "0"])
async def test_companions_not_in_the_profile_are_refused(
    person: MakePerson, open_slot: MakeSlot, companion: str
) -> None:
    slot = await open_slot()
    fedor = await person()
    response = await fedor.register(slot.id, companion=[companion])
    assert response.status_code == 422
    assert "кого-то из отмеченных уже нет в профиле" in _text(response)


# Cancelling, the waitlist, offers --------------------------------------------------------------


async def test_cancel_with_confirmation_returns_the_seats(
    person: MakePerson, open_slot: MakeSlot
) -> None:
    slot = await open_slot(capacity=5)
    anna = await person()
    kid = await anna.companion("Маша", "2016-04-12")
    ticket_id = await anna.ticket_id(slot.id, companion=[str(kid)])
    assert "Свободных мест 3 из 5" in _text(await anna.get(f"/slots/{slot.id}"))

    confirm = await anna.get(f"/me/tickets/{ticket_id}/cancel")
    assert confirm.status_code == 200
    text = _text(confirm)
    assert "Точно отменить?" in text
    assert "Освободятся места для всей компании (2)" in text
    assert "Отмена будет поздней" not in text

    done = await anna.submit(f"/me/tickets/{ticket_id}/cancel", f"/me/tickets/{ticket_id}/cancel")
    assert done.status_code == 303
    assert done.headers["location"] == f"/me/tickets/{ticket_id}"
    ticket = await anna.get(f"/me/tickets/{ticket_id}")
    assert "Запись отменена." in _text(ticket)
    assert "Отменено" in _text(ticket)
    assert "ticket-qr" not in ticket.text
    assert "Свободных мест 5 из 5" in _text(await anna.get(f"/slots/{slot.id}"))
    assert "Прошедшие и отменённые" in _text(await anna.get("/me/tickets"))

    again = await anna.get(f"/me/tickets/{ticket_id}/cancel")
    assert "Отменить нельзя" in _text(again)
    form = await anna.csrf()
    twice = await anna.client.post(f"/me/tickets/{ticket_id}/cancel", data=form)
    assert twice.status_code == 409
    assert "Эту запись уже нельзя отменить." in _text(twice)


async def test_a_late_cancellation_is_announced(person: MakePerson, open_slot: MakeSlot) -> None:
    slot = await open_slot(starts_in=timedelta(hours=10))
    anna = await person()
    ticket_id = await anna.ticket_id(slot.id)
    text = _text(await anna.get(f"/me/tickets/{ticket_id}/cancel"))
    assert "Отмена будет поздней" in text
    assert "До начала меньше 24 ч." in text


async def test_waitlisted_gets_an_offer_and_accepts_it(
    person: MakePerson, open_slot: MakeSlot
) -> None:
    slot = await open_slot(capacity=1)
    first, second = await person(), await person()
    first_ticket = await first.ticket_id(slot.id)
    waiting = await second.ticket_id(slot.id, waitlist_ok="1")
    assert "вы 1-й" in _text(await second.get("/me/tickets"))

    cancelled = await first.submit(
        f"/me/tickets/{first_ticket}/cancel", f"/me/tickets/{first_ticket}/cancel"
    )
    assert cancelled.status_code == 303

    offer = await second.get(f"/me/tickets/{waiting}")
    text = _text(offer)
    assert "Для вас освободилось место" in text
    assert re.search(r"Предложено место до \d\d:\d\d \d+ \w+", text)
    assert "Подтвердить участие" in text
    accepted = await second.submit(f"/me/tickets/{waiting}", f"/me/tickets/{waiting}/accept")
    assert accepted.status_code == 303
    ticket = await second.get(f"/me/tickets/{waiting}")
    assert "Участие подтверждено." in _text(ticket)
    assert 'class="ticket-qr"' in ticket.text

    form = await second.csrf()
    again = await second.client.post(f"/me/tickets/{waiting}/accept", data=form)
    assert again.status_code == 409
    assert "нет предложения места" in _text(again)


# Lotteries and the public draw page ------------------------------------------------------------


async def test_lottery_application_links_the_draw_page_before_and_after_the_draw(
    person: MakePerson,
    open_slot: MakeSlot,
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
) -> None:
    slot = await open_slot(capacity=3, mode="lottery")
    gala = await person()
    page = await gala.get(f"/slots/{slot.id}")
    assert re.search(r"<button[^>]*>Подать заявку на жеребьёвку</button>", page.text)
    assert "Встать в лист ожидания, если мест нет" not in _text(page)
    ticket_id = await gala.ticket_id(slot.id)

    ticket = await gala.get(f"/me/tickets/{ticket_id}")
    text = _text(ticket)
    assert "Заявка на жеребьёвку принята." in text
    assert "Итоги жеребьёвки — после закрытия записи" in text
    found = re.search(r'href="/draws/(\d+)"', ticket.text)
    assert found
    draw_url = f"/draws/{found.group(1)}"

    before = await client.get(draw_url)
    assert before.status_code == 200
    text = _text(before)
    assert "Ждёт закрытия записи" in text
    assert "Будет раскрыто после закрытия записи." in text
    assert re.search(r"<code>[0-9a-f]{64}</code>", before.text)
    assert f"openindustry draw verify {found.group(1)}" in text
    assert f'href="/api/v1/draws/{found.group(1)}"' in before.text
    assert "Порядок заявок" not in text

    with time_machine.travel(slot.registration.closes_at + timedelta(minutes=1), tick=False):
        await RegistrationService(session, settings).draw_lottery(slot.id)

    after = await client.get(draw_url)
    text = _text(after)
    assert "Проведена" in text
    assert "Заявок 1" in text
    assert "Мест разыгрывалось 3" in text
    assert "Порядок заявок" in text
    assert (
        len(re.findall(r"<code>[0-9a-f]{64}</code>", after.text)) == 3
    )  # commitment, seed, digest
    assert len(re.findall(r'class="ranked__item ranked__item--won"', after.text)) == 1
    drawn_ticket = await gala.get(f"/me/tickets/{ticket_id}")
    assert 'class="ticket-qr"' in drawn_ticket.text
    assert f'href="{draw_url}"' in drawn_ticket.text


# Privacy, CSRF, bad input ----------------------------------------------------------------------


async def test_someone_elses_ticket_is_not_found(person: MakePerson, open_slot: MakeSlot) -> None:
    slot = await open_slot()
    owner, stranger = await person(), await person()
    ticket_id = await owner.ticket_id(slot.id)

    for path in (
        f"/me/tickets/{ticket_id}",
        f"/me/tickets/{ticket_id}/cancel",
        f"/me/tickets/{ticket_id}/ticket.ics",
    ):
        response = await stranger.get(path)
        assert response.status_code == 404, path
        assert "Такой страницы нет" in _text(response)
    csrf = await stranger.csrf()
    for action in ("cancel", "accept"):
        response = await stranger.client.post(f"/me/tickets/{ticket_id}/{action}", data=csrf)
        assert response.status_code == 404, action
    assert "Подтверждено" in _text(await owner.get(f"/me/tickets/{ticket_id}"))


async def test_forms_without_the_csrf_token_are_refused(
    person: MakePerson, open_slot: MakeSlot, session: AsyncSession
) -> None:
    slot = await open_slot()
    anna = await person()
    page = await anna.get(f"/slots/{slot.id}")
    form = _form(page, f"/slots/{slot.id}/register")
    del form["csrf_token"]
    response = await anna.client.post(f"/slots/{slot.id}/register", data=form)
    assert response.status_code == 403
    assert "Страница устарела" in _text(response)
    assert await _count(session, slot.id) == 0

    ticket_id = await anna.ticket_id(slot.id)
    for action in ("cancel", "accept"):
        refused = await anna.client.post(f"/me/tickets/{ticket_id}/{action}", data={})
        assert refused.status_code == 403
    assert "Подтверждено" in _text(await anna.get(f"/me/tickets/{ticket_id}"))


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/me/tickets/abc", 422),
        ("/me/tickets/0", 422),
        ("/me/tickets/99999999999999", 422),
        ("/me/tickets/424242", 404),
        ("/me/tickets/424242/ticket.ics", 404),
        ("/draws/424242", 404),
        ("/draws/-3", 422),
        ("/draws/x", 422),
        ("/slots/424242", 404),
    ],
)
async def test_garbage_addresses_are_4xx_pages(person: MakePerson, path: str, status: int) -> None:
    someone = await person()
    response = await someone.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize(
    "data",
    [
        {"form_key": ""},
        {"form_key": "short"},
        {"form_key": "x" * 5000},
        {"form_key": "<script>alert(1)</script>-----------"},
        {"form_key": "k" * 10_001},
        {"companion": ["1"] * 40},
    ],
)
async def test_garbage_forms_are_4xx_not_5xx(
    person: MakePerson, open_slot: MakeSlot, data: dict[str, Any], session: AsyncSession
) -> None:
    slot = await open_slot()
    someone = await person()
    response = await someone.register(slot.id, **data)
    assert 400 <= response.status_code < 500, response.status_code
    assert await _count(session, slot.id) == 0
    unknown = await someone.client.post(
        "/slots/424242/register",
        data=_form(await someone.get(f"/slots/{slot.id}"), f"/slots/{slot.id}/register"),
    )
    assert unknown.status_code == 404
