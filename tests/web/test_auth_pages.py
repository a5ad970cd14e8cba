"""Signing in on the pages (mini-app entry, e-mail code), the profile pages, CSRF, sign-out."""

from __future__ import annotations

import html
import re
import time
from datetime import date
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.models import IdDocument, Role, User
from openindustry.accounts.providers.vk import sign_vk_launch_params
from openindustry.accounts.providers.webapp import sign_webapp_data
from openindustry.accounts.schemas import StaffCreate
from openindustry.accounts.service import AccountsService
from openindustry.config import Settings
from tests import factories
from tests.smtp import Inbox, sign_in_code
from tests.web.conftest import MAX_TOKEN, TELEGRAM_TOKEN, VK_SECRET, ClientFactory

SESSION = "oi_session"
ENTRY_FAILED = "Не удалось подтвердить вход. Откройте приложение заново."
PASSPORT = "4510 987654"


def _text(response: httpx.Response) -> str:
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.text, flags=re.S)
    body = html.unescape(re.sub(r"<[^>]+>", " ", body)).replace("\u00a0", " ")
    return " ".join(body.split())


def _csrf(response: httpx.Response) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', response.text)
    assert found, "the page has no CSRF field"
    return found.group(1)


def _vk_query(user_id: str = "777", *, ts: int | None = None, secret: str = VK_SECRET) -> str:
    params = {
        "vk_user_id": user_id,
        "vk_app_id": "51000000",
        "vk_platform": "mobile_android",
        "vk_language": "ru",
        "vk_ts": str(int(time.time()) if ts is None else ts),
    }
    return sign_vk_launch_params(params, secret)


def _webapp(user_id: int, token: str, *, first_name: str = "Анна") -> str:
    user = f'{{"id": {user_id}, "first_name": "{first_name}", "language_code": "ru"}}'
    fields = {"query_id": "Q1", "user": user, "auth_date": str(int(time.time()))}
    return sign_webapp_data(fields, token)


def _set_cookie(response: httpx.Response, name: str) -> str | None:
    for header in response.headers.get_list("set-cookie"):
        if header.startswith(f"{name}="):
            return header
    return None


async def _enter_vk(client: httpx.AsyncClient, user_id: str = "777") -> None:
    response = await client.get(f"/entry?{_vk_query(user_id)}")
    assert response.status_code == 303, response.text[:300]
    assert client.cookies.get(SESSION)


def _hidden(response: httpx.Response, action: str) -> dict[str, str]:
    """The hidden fields of the page's form that posts to `action` (CSRF token included)."""
    for form in re.findall(r"<form\b[^>]*>.*?</form>", response.text, flags=re.S):
        if f'action="{action}"' in form.split(">", 1)[0]:
            fields = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
            return {name: html.unescape(value) for name, value in fields}
    return {"csrf_token": _csrf(response)}


async def _post(
    client: httpx.AsyncClient, page: str, action: str, data: dict[str, object]
) -> httpx.Response:
    """Submit a form the way a browser does: from the page that carries it, hidden fields too."""
    form = await client.get(page)
    assert form.status_code == 200, (page, form.status_code)
    return await client.post(action, data={**_hidden(form, action), **data})


def _code_from(inbox: Inbox, email: str) -> str:
    messages = inbox.to(email)
    assert messages, f"no e-mail to {email}"
    return sign_in_code(messages[-1])


async def _sign_in_by_email(
    client: httpx.AsyncClient, inbox: Inbox, email: str, *, base: str = "/login", next_: str = "/"
) -> httpx.Response:
    started = await _post(client, f"{base}?next={next_}", base, {"email": email, "next": next_})
    assert started.status_code == 303, _text(started)
    code_page = started.headers["location"]
    return await _post(client, code_page, f"{base}/code", {"code": _code_from(inbox, email)})


# Mini-app entry -------------------------------------------------------------------------------


async def test_vk_entry_signs_in_and_drops_the_parameters(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/entry?{_vk_query()}")

    assert response.status_code == 303
    assert response.headers["location"] == "/#oi-platform=vk"
    cookie = _set_cookie(response, SESSION)
    assert cookie is not None
    assert "HttpOnly" in cookie
    assert "Path=/" in cookie
    assert f"Max-Age={30 * 24 * 3600}" in cookie
    assert "samesite=lax" in cookie.lower()
    assert "Secure" not in cookie

    home = await client.get("/")
    assert home.status_code == 200
    assert 'href="/profile"' in home.text
    assert 'href="/login"' not in home.text
    profile = await client.get("/profile")
    assert profile.status_code == 200
    assert "ВКонтакте" in _text(profile)


async def test_vk_entry_keeps_a_local_next(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/entry?{_vk_query()}&next=/catalog%3Fq%3Dshoes")
    assert response.status_code == 303
    assert response.headers["location"] == "/catalog?q=shoes#oi-platform=vk"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "https://evil.example",
        "/\\evil.example",
        "/\t/evil.example",
        "http:/evil.example",
        "evil.example",
        "javascript:alert(1)",
    ],
)
async def test_next_never_leaves_the_site(client: httpx.AsyncClient, target: str) -> None:
    response = await client.get("/entry", params={"next": target}, follow_redirects=False)
    vk = await client.get(f"/entry?{_vk_query()}&{urlencode({'next': target})}")
    assert vk.status_code == 303
    assert vk.headers["location"] == "/#oi-platform=vk"
    assert response.status_code == 200
    assert f'name="next" value="{html.escape(target)}"' not in response.text


@pytest.mark.parametrize(
    "query",
    [
        _vk_query(secret="not-the-secret"),
        _vk_query().replace("vk_user_id=777", "vk_user_id=778"),
        _vk_query(ts=int(time.time()) - 3 * 24 * 3600),
        "sign=&vk_user_id=1",
        "sign=%ff%fe&vk_ts=x",
    ],
    ids=["wrong-secret", "tampered", "stale", "empty-sign", "garbage"],
)
async def test_bad_vk_launch_data_is_a_polite_401_without_a_session(
    client: httpx.AsyncClient, query: str
) -> None:
    response = await client.get(f"/entry?{query}")

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("text/html")
    assert ENTRY_FAILED in _text(response)
    assert 'href="/login?next=' in response.text
    assert "data-failed" in response.text  # entry.js must not retry
    assert _set_cookie(response, SESSION) is None
    assert (await client.get("/profile")).status_code == 303


async def test_telegram_entry_by_post(client: httpx.AsyncClient, session: AsyncSession) -> None:
    page = await client.get("/entry")
    assert page.status_code == 200
    assert '<script src="/static/entry.js" defer></script>' in page.text
    assert _set_cookie(page, "oi_csrf") is not None

    response = await client.post(
        "/entry",
        data={
            "csrf_token": _csrf(page),
            "provider": "telegram",
            "data": _webapp(4242, TELEGRAM_TOKEN, first_name="Анна"),
            "next": "/profile",
        },
    )

    assert response.status_code == 303
    assert response.headers["location"] == "/profile"
    profile = await client.get("/profile")
    assert 'value="Анна"' in profile.text
    assert "Telegram" in _text(profile)
    assert (await session.scalar(select(User.name))) == "Анна"


@pytest.mark.parametrize("wrapped", [False, True])
async def test_max_entry_by_post(client: httpx.AsyncClient, wrapped: bool) -> None:
    data = _webapp(5151, MAX_TOKEN, first_name="Пётр")
    if wrapped:  # the whole fragment, as entry.js sends it
        data = "WebAppData=" + re.sub(r"[&=%]", lambda m: f"%{ord(m.group()):02X}", data)
    response = await _post(client, "/entry", "/entry", {"provider": "max", "data": data})
    assert response.status_code == 303, _text(response)
    assert 'value="Пётр"' in (await client.get("/profile")).text


@pytest.mark.parametrize(
    "form",
    [
        {"provider": "telegram", "data": "query_id=1&user=%7B%7D&auth_date=1&hash=00"},
        {"provider": "max", "data": ""},
        {"provider": "icq", "data": "x"},
        {"provider": "telegram", "data": "x" * 9000},
        {},
    ],
)
async def test_bad_posted_launch_data_is_a_401_page(
    client: httpx.AsyncClient, form: dict[str, str]
) -> None:
    response = await _post(client, "/entry", "/entry", form)
    assert response.status_code == 401
    assert ENTRY_FAILED in _text(response)
    assert "data-failed" in response.text
    assert _set_cookie(response, SESSION) is None


async def test_entry_without_launch_data_offers_the_email_sign_in(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/entry")
    assert response.status_code == 200
    assert "Войти по электронной почте" in _text(response)
    assert "data-failed" not in response.text


async def test_session_cookie_for_messenger_iframes(make_client: ClientFactory) -> None:
    client = await make_client(secure_cookies=True)
    response = await client.get(f"/entry?{_vk_query()}")
    cookie = _set_cookie(response, SESSION)
    assert cookie is not None
    assert "samesite=none" in cookie.lower()
    assert "Secure" in cookie
    form_cookie = _set_cookie(await client.get("/login"), "oi_csrf")
    assert form_cookie is not None
    assert "samesite=none" in form_cookie.lower()
    assert "Secure" in form_cookie


# E-mail code ----------------------------------------------------------------------------------


async def test_email_sign_in_with_a_real_smtp_server(
    client: httpx.AsyncClient, inbox: Inbox
) -> None:
    started = await _post(
        client,
        "/login?next=/profile",
        "/login",
        {"email": " Ivan@Example.org ", "next": "/profile"},
    )
    assert started.status_code == 303
    assert started.headers["location"].startswith("/login/code?")
    assert "Ivan" not in started.headers["location"]  # no personal data in the address

    code_page = await client.get(started.headers["location"])
    assert code_page.status_code == 200
    text = _text(code_page)
    assert "Код отправлен на Ivan@Example.org" in text
    assert "Мы отправили код на вашу почту." in text
    assert "Режим разработки" not in text
    code = _code_from(inbox, "ivan@example.org")

    done = await client.post(
        "/login/code", data={**_hidden(code_page, "/login/code"), "code": f"{code[:3]} {code[3:]}"}
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/profile"
    profile = await client.get("/profile")
    assert profile.status_code == 200
    assert "Вы вошли." in _text(profile)
    assert "ivan@example.org" in _text(profile)


async def test_development_without_smtp_shows_the_code(make_client: ClientFactory) -> None:
    client = await make_client(smtp_url=None)
    started = await _post(client, "/login", "/login", {"email": "dev@example.org"})
    page = await client.get(started.headers["location"])
    found = re.search(r"Режим разработки: письмо не отправлено, ваш код (\d{6})\.", _text(page))
    assert found
    done = await client.post(
        "/login/code", data={"csrf_token": _csrf(page), "code": found.group(1)}
    )
    assert done.status_code == 303


async def test_wrong_code_then_too_many_attempts(client: httpx.AsyncClient, inbox: Inbox) -> None:
    started = await _post(client, "/login", "/login", {"email": "guess@example.org"})
    page = await client.get(started.headers["location"])
    token = _csrf(page)
    real = _code_from(inbox, "guess@example.org")
    wrong = "000000" if real != "000000" else "111111"

    for _ in range(4):
        response = await client.post("/login/code", data={"csrf_token": token, "code": wrong})
        assert response.status_code == 400
        assert 'id="code" name="code" aria-invalid="true"' in response.text
        assert "Код неверный или устарел." in _text(response)

    response = await client.post("/login/code", data={"csrf_token": token, "code": wrong})
    assert response.status_code == 429
    assert "Слишком много попыток. Запросите новый код." in _text(response)
    assert re.search(r'<form class="inline-form" method="post" action="/login">', response.text)
    # Even the right code no longer opens anything.
    late = await client.post("/login/code", data={"csrf_token": token, "code": real})
    assert late.status_code == 429
    assert client.cookies.get(SESSION) is None


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567", "١٢٣٤٥٦"])
async def test_malformed_code_is_explained(
    client: httpx.AsyncClient, inbox: Inbox, code: str
) -> None:
    started = await _post(client, "/login", "/login", {"email": "typo@example.org"})
    page = await client.get(started.headers["location"])
    response = await client.post("/login/code", data={"csrf_token": _csrf(page), "code": code})
    assert response.status_code == 400
    assert "Код — это 6 цифр из письма." in _text(response)


@pytest.mark.parametrize("email", ["", "not-an-email", "a@b", "x" * 400 + "@example.org"])
async def test_bad_email_is_shown_next_to_the_field(client: httpx.AsyncClient, email: str) -> None:
    response = await _post(client, "/login", "/login", {"email": email})
    assert response.status_code == 422
    assert "Проверьте адрес электронной почты" in _text(response)
    assert 'aria-invalid="true"' in response.text


async def test_code_page_without_a_started_sign_in_goes_back(client: httpx.AsyncClient) -> None:
    response = await client.get("/login/code?next=/profile")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fprofile"


async def test_email_start_is_rate_limited_per_address(client: httpx.AsyncClient) -> None:
    statuses = [
        (await _post(client, "/login", "/login", {"email": "flood@example.org"})).status_code
        for _ in range(6)
    ]
    assert statuses == [303] * 5 + [429]


async def test_a_signed_in_person_links_an_email(client: httpx.AsyncClient, inbox: Inbox) -> None:
    await _enter_vk(client, "31337")
    profile = await client.get("/profile")
    assert 'href="/login?link=1&amp;next=/profile"' in profile.text

    started = await _post(
        client,
        "/login?link=1&next=/profile",
        "/login",
        {"email": "linked@example.org", "next": "/profile", "link": "1"},
    )
    done = await _post(
        client,
        started.headers["location"],
        "/login/code",
        {"code": _code_from(inbox, "linked@example.org")},
    )
    assert done.status_code == 303
    text = _text(await client.get("/profile"))
    assert "Электронная почта привязана к профилю." in text
    assert "ВКонтакте" in text
    assert "linked@example.org" in text


# CSRF -----------------------------------------------------------------------------------------


async def test_posts_without_a_valid_csrf_token_change_nothing(
    client: httpx.AsyncClient, make_client: ClientFactory, session: AsyncSession
) -> None:
    await _enter_vk(client)
    other = await make_client()
    await _enter_vk(other, "888")
    foreign = _csrf(await other.get("/profile"))

    for token in (None, "", "0" * 64, foreign):
        data = {"name": "Взломщик", "phone": "", "birth_date": ""}
        if token is not None:
            data["csrf_token"] = token
        response = await client.post("/profile", data=data)
        assert response.status_code == 403
        assert "Страница устарела" in _text(response)
    assert "Взломщик" not in (await session.scalars(select(User.name))).all()

    logout = await client.post("/logout", data={"csrf_token": foreign})
    assert logout.status_code == 403
    assert (await client.get("/profile")).status_code == 200


async def test_pre_session_forms_need_the_double_submit_cookie(
    client: httpx.AsyncClient, make_client: ClientFactory, inbox: Inbox
) -> None:
    page = await client.get("/login")
    token = _csrf(page)
    # Another browser (a third-party site's form) has no matching cookie.
    attacker = await make_client()
    response = await attacker.post("/login", data={"csrf_token": token, "email": "a@example.org"})
    assert response.status_code == 403
    entry = await attacker.post(
        "/entry",
        data={
            "csrf_token": token,
            "provider": "telegram",
            "data": _webapp(1, TELEGRAM_TOKEN),
        },
    )
    assert entry.status_code == 403
    assert _set_cookie(entry, SESSION) is None
    assert not inbox.messages
    assert (await client.post("/login", data={"email": "a@example.org"})).status_code == 403


# Profile --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/profile", "/profile/companions", "/profile/consent", "/profile/id-document"],
)
async def test_profile_pages_send_strangers_to_sign_in(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path)
    assert response.status_code == 303
    location = urlsplit(response.headers["location"])
    assert location.path == "/login"
    assert parse_qs(location.query)["next"] == [path]
    home = await client.get("/")
    assert 'href="/login"' in home.text
    assert 'href="/profile"' not in home.text


async def test_profile_edit(client: httpx.AsyncClient) -> None:
    await _enter_vk(client)
    response = await _post(
        client,
        "/profile",
        "/profile",
        {
            "name": "  Мария   Иванова ",
            "phone": "8 (999) 123-45-67",
            "birth_date": "1990-05-17",
            "notification_channels": ["email", "vk", "vk"],
        },
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/profile"

    page = await client.get("/profile")
    assert page.headers["cache-control"] == "private, no-store"
    text = _text(page)
    assert "Изменения сохранены." in text
    assert 'value="Мария Иванова"' in page.text
    assert 'value="+79991234567"' in page.text
    assert 'value="1990-05-17"' in page.text
    assert re.search(r'value="vk"\s+checked', page.text)
    assert re.search(r'value="email"\s+checked', page.text)
    assert not re.search(r'value="telegram"\s+checked', page.text)
    # The flash is shown once.
    assert "Изменения сохранены." not in _text(await client.get("/profile"))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "Укажите имя"),
        ("name", "я" * 201, "Укажите имя"),
        ("phone", "позвоните мне", "Телефон — 10–11 цифр"),
        ("birth_date", "1899-12-31", "Проверьте дату рождения"),
        ("birth_date", "2999-01-01", "Проверьте дату рождения"),
        ("birth_date", "17.05.1990", "Проверьте дату рождения"),
        ("notification_channels", "pigeon", "Выберите способы уведомлений"),
    ],
)
async def test_profile_errors_are_shown_next_to_the_field(
    client: httpx.AsyncClient, field: str, value: str, message: str
) -> None:
    await _enter_vk(client)
    data = {"name": "Мария", "phone": "", "birth_date": "", field: value}
    response = await _post(client, "/profile", "/profile", data)
    assert response.status_code == 422
    assert message in _text(response)
    assert f'id="{field}-error"' in response.text


async def test_companions_add_edit_remove(client: httpx.AsyncClient) -> None:
    await _enter_vk(client)
    empty = await client.get("/profile/companions")
    assert "Пока никого" in _text(empty)

    added = await _post(
        client,
        "/profile/companions",
        "/profile/companions",
        {"name": "Миша", "birth_date": "2017-03-08"},
    )
    assert added.status_code == 303
    await _post(
        client,
        "/profile/companions",
        "/profile/companions",
        {"name": "Бабушка Вера", "birth_date": "1955-01-20"},
    )
    page = await client.get("/profile/companions")
    text = _text(page)
    assert "Миша" in text
    assert "Ребёнок" in text
    assert "8 марта 2017 г." in text
    assert "Бабушка Вера" in text
    assert "Взрослый" in text
    ids = [int(i) for i in re.findall(r'action="/profile/companions/(\d+)"', page.text)]
    assert len(ids) == 2

    edited = await _post(
        client,
        "/profile/companions",
        f"/profile/companions/{ids[0]}",
        {"name": "Михаил", "birth_date": "2017-03-09"},
    )
    assert edited.status_code == 303
    text = _text(await client.get("/profile/companions"))
    assert "Михаил" in text
    assert "9 марта 2017 г." in text
    assert "Бабушка Вера" in text

    removed = await _post(client, "/profile/companions", f"/profile/companions/{ids[1]}/delete", {})
    assert removed.status_code == 303
    text = _text(await client.get("/profile/companions"))
    assert "Сопровождающий удалён." in text
    assert "Бабушка Вера" not in text
    assert "Михаил" in text
    assert "Михаил" in _text(await client.get("/profile"))


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"name": "", "birth_date": "2017-03-08"}, "new-name"),
        ({"name": "Миша", "birth_date": ""}, "new-birth_date"),
        ({"name": "Миша", "birth_date": "2999-01-01"}, "new-birth_date"),
        ({"name": "Миша"}, "new-birth_date"),
    ],
)
async def test_companion_errors(
    client: httpx.AsyncClient, data: dict[str, str], field: str
) -> None:
    await _enter_vk(client)
    response = await _post(client, "/profile/companions", "/profile/companions", data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.text
    assert f'id="{field}" name="{field.removeprefix("new-")}" aria-invalid="true"' in response.text


async def test_someone_elses_companion_cannot_be_touched(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    owner = await make_client()
    await _enter_vk(owner, "1")
    await _post(
        owner,
        "/profile/companions",
        "/profile/companions",
        {"name": "Чужой", "birth_date": "2015-01-01"},
    )
    page = await owner.get("/profile/companions")
    theirs = re.search(r'action="/profile/companions/(\d+)"', page.text)
    assert theirs

    await _enter_vk(client, "2")
    edit = await _post(
        client,
        "/profile/companions",
        f"/profile/companions/{theirs.group(1)}",
        {"name": "Мой", "birth_date": "2015-01-01"},
    )
    assert edit.status_code == 422
    assert "Такого сопровождающего нет в профиле." in _text(edit)
    await _post(client, "/profile/companions", f"/profile/companions/{theirs.group(1)}/delete", {})
    assert "Чужой" in _text(await owner.get("/profile/companions"))


async def test_at_most_ten_companions(client: httpx.AsyncClient) -> None:
    await _enter_vk(client)
    for n in range(10):
        response = await _post(
            client,
            "/profile/companions",
            "/profile/companions",
            {"name": f"Ребёнок {n}", "birth_date": "2016-01-01"},
        )
        assert response.status_code == 303
    response = await _post(
        client,
        "/profile/companions",
        "/profile/companions",
        {"name": "Ещё", "birth_date": "2016-01-01"},
    )
    assert response.status_code == 422
    assert "не больше 10 сопровождающих" in _text(response)


async def test_consent(client: httpx.AsyncClient) -> None:
    await _enter_vk(client)
    assert "Без согласия записаться на экскурсию нельзя." in _text(await client.get("/profile"))
    page = await client.get("/profile/consent")
    text = _text(page)
    assert f"Версия {CONSENT_VERSION}" in text
    assert "Я даю согласие на обработку моих персональных данных" in text

    outdated = await client.post(
        "/profile/consent", data={"csrf_token": _csrf(page), "version": "1999-01"}
    )
    assert outdated.status_code == 409
    assert "Текст согласия обновился" in _text(outdated)

    given = await client.post(
        "/profile/consent", data={"csrf_token": _csrf(page), "version": CONSENT_VERSION}
    )
    assert given.status_code == 303
    assert given.headers["location"] == "/profile"
    text = _text(await client.get("/profile"))
    assert "Спасибо! Согласие сохранено." in text
    assert f"версия {CONSENT_VERSION}" in text
    assert "Даю согласие" not in _text(await client.get("/profile/consent"))


async def test_id_document_is_shown_masked_only(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    await _enter_vk(client)
    response = await _post(
        client,
        "/profile/id-document",
        "/profile/id-document",
        {"document_type": "passport_rf", "number": PASSPORT, "full_name": "Иванова Мария Петровна"},
    )
    assert response.status_code == 303

    for path in ("/profile/id-document", "/profile"):
        page = await client.get(path)
        assert "••••••7654" in page.text
        assert PASSPORT not in page.text
        assert "4510987654" not in page.text
        assert "451098" not in page.text
        assert "Паспорт гражданина РФ" in _text(page)
        assert "Удалим автоматически" in _text(page)
    stored = await session.scalar(select(IdDocument.ciphertext))
    assert stored is not None
    assert b"987654" not in stored

    bad = await _post(
        client,
        "/profile/id-document",
        "/profile/id-document",
        {"document_type": "passport_rf", "number": "12<>", "full_name": "Иванова"},
    )
    assert bad.status_code == 422
    assert "Номер документа — от 4 до 32 букв и цифр." in _text(bad)
    assert "12&lt;&gt;" not in bad.text

    deleted = await _post(client, "/profile/id-document", "/profile/id-document/delete", {})
    assert deleted.status_code == 303
    page = await client.get("/profile/id-document")
    assert "Данные документа удалены." in _text(page)
    assert "••••" not in page.text
    assert await session.scalar(select(IdDocument.user_id)) is None


async def test_logout_revokes_the_session(
    client: httpx.AsyncClient, make_client: ClientFactory
) -> None:
    await _enter_vk(client)
    old = client.cookies.get(SESSION)
    assert old
    response = await _post(client, "/profile", "/logout", {})
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert client.cookies.get(SESSION) is None
    assert "Вы вышли из профиля." in _text(await client.get("/"))

    replay = await make_client()
    replay.cookies.set(SESSION, old)
    again = await replay.get("/profile")
    assert again.status_code == 303
    assert again.headers["location"].startswith("/login")


# Back office ----------------------------------------------------------------------------------


async def test_backoffice_for_staff_only(
    client: httpx.AsyncClient,
    make_client: ClientFactory,
    session: AsyncSession,
    settings: Settings,
    inbox: Inbox,
) -> None:
    stranger = await client.get("/backoffice")
    assert stranger.status_code == 303
    assert stranger.headers["location"] == "/backoffice/login?next=%2Fbackoffice"

    plant = await factories.enterprise(session, name="Завод «Эстет»")
    await AccountsService(session, settings).create_staff(
        StaffCreate(
            email="host@example.org", role=Role.HOST, name="Ольга", enterprise_ids=[plant.id]
        )
    )
    login = await client.get("/backoffice/login")
    assert "Вход в кабинет организатора" in _text(login)
    done = await _sign_in_by_email(
        client, inbox, "host@example.org", base="/backoffice/login", next_="/backoffice"
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/backoffice"
    office = await client.get("/backoffice")
    assert office.status_code == 200
    text = _text(office)
    assert "Кабинет организатора" in text
    assert "Ольга" in text
    assert "представитель предприятия" in text
    assert "Завод «Эстет»" in text

    participant = await make_client()
    await _enter_vk(participant)
    refused = await participant.get("/backoffice")
    assert refused.status_code == 403
    assert "только организаторам" in _text(refused)


# Garbage --------------------------------------------------------------------------------------

POST_PAGES = [
    ("/profile", "/profile"),
    ("/profile/companions", "/profile/companions"),
    ("/profile/companions", "/profile/companions/1"),
    ("/profile/companions", "/profile/companions/1/delete"),
    ("/profile/consent", "/profile/consent"),
    ("/profile/id-document", "/profile/id-document"),
    ("/profile/id-document", "/profile/id-document/delete"),
    ("/login", "/login"),
    ("/login", "/login/code"),
    ("/entry", "/entry"),
    ("/backoffice/login", "/backoffice/login"),
]
_values = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "2030-02-30", "1" * 50, "telegram", "max", "vk", "<b>", "9" * 20]),
    st.lists(st.text(max_size=5), max_size=3),
)
_forms = st.dictionaries(
    st.sampled_from(
        [
            "name",
            "phone",
            "birth_date",
            "notification_channels",
            "version",
            "document_type",
            "number",
            "full_name",
            "email",
            "code",
            "provider",
            "data",
            "next",
            "link",
        ]
    ),
    _values,
    max_size=6,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(form=_forms, target=st.sampled_from(POST_PAGES))
async def test_no_form_input_yields_a_server_error(
    client: httpx.AsyncClient, form: dict[str, object], target: tuple[str, str]
) -> None:
    if not client.cookies.get(SESSION):
        await _enter_vk(client)
    _page, action = target
    # Signed in, every form carries the same session-bound token.
    token = _csrf(await client.get("/profile"))
    response = await client.post(action, data={**form, "csrf_token": token})
    assert response.status_code < 500, (action, form, response.text[:300])
    assert response.status_code == 303 or response.headers["content-type"].startswith("text/html")
    if response.status_code == 303:
        location = response.headers["location"]
        assert location.startswith("/")
        assert not location.startswith("//")


@pytest.mark.parametrize(
    "path",
    [
        "/entry?sign=" + "a" * 9000,
        "/entry?next=%ff%fe",
        "/login?next=%0d%0aSet-Cookie:x=1",
        "/login/code?next=//evil.example",
        "/profile/consent?next=https://evil.example",
        "/profile/companions/abc/delete",
        "/profile/companions/99999999999",
    ],
)
async def test_garbage_addresses_are_4xx_or_pages(client: httpx.AsyncClient, path: str) -> None:
    await _enter_vk(client)
    response = await client.get(path)
    assert response.status_code < 500
    assert "evil.example" not in response.headers.get("location", "")


async def test_birthdays_on_the_companions_page_use_the_moscow_date(
    client: httpx.AsyncClient,
) -> None:
    await _enter_vk(client)
    page = await client.get("/profile/companions")
    assert re.search(r'max="(\d{4}-\d\d-\d\d)"', page.text)
    assert date.fromisoformat(re.findall(r'max="(\d{4}-\d\d-\d\d)"', page.text)[0])
