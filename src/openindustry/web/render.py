"""Jinja2 rendering with the request's language, plus the helpers every template uses."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel.dates import format_date
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from openindustry.config import Settings
from openindustry.kit import i18n
from openindustry.kit.auth import ROLE_RANK, SESSION_COOKIE
from openindustry.web import csrf
from openindustry.web.session import FLASH_COOKIE, cookie_options, read_flash

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
LOCALE_COOKIE = "lang"
NBSP = "\u00a0"


def day_month(value: datetime | date, locale: str, tz: ZoneInfo) -> str:
    """«8 декабря» / «December 8» (no weekday): for windows and deadlines."""
    if isinstance(value, datetime):
        value = value.astimezone(tz)
    pattern = "d MMMM" if locale == "ru" else "MMMM d"
    return format_date(value, pattern, locale=locale).replace(" ", NBSP)


def full_date(value: datetime | date, locale: str, tz: ZoneInfo) -> str:
    """«3 мая 2017 г.» / «May 3, 2017»: birth dates, deletion dates."""
    if isinstance(value, datetime):
        value = value.astimezone(tz)
    return format_date(value, "long", locale=locale).replace(" ", NBSP)


def date_range(start: date, end: date, locale: str) -> str:
    """«11–22 декабря», «28 ноября — 5 декабря» / «December 11–22»."""
    if start == end:
        return format_date(start, "d MMMM" if locale == "ru" else "MMMM d", locale=locale)
    if (start.year, start.month) == (end.year, end.month):
        if locale == "ru":
            return f"{start.day}–{format_date(end, 'd MMMM', locale=locale)}"
        return f"{format_date(start, 'MMMM d', locale=locale)}–{end.day}"
    pattern = "d MMMM" if locale == "ru" else "MMMM d"
    if start.year != end.year:
        pattern += " y" if locale == "ru" else ", y"
    return (
        f"{format_date(start, pattern, locale=locale)} — {format_date(end, pattern, locale=locale)}"
    )


def with_query(request: Request, **changes: Any) -> str:
    """The current path with some query parameters changed (None removes one)."""
    params = {k: v for k, v in request.query_params.items() if k not in changes and k != "lang"}
    params.update({k: v for k, v in changes.items() if v is not None})
    query = urlencode(params)
    return f"{request.url.path}?{query}" if query else request.url.path


class Renderer:
    """One Jinja environment per interface language, built once at start-up."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.environments = {locale: self._environment(locale) for locale in i18n.LOCALES}

    def _environment(self, locale: str) -> Environment:
        env = Environment(
            loader=FileSystemLoader(TEMPLATES_DIR),
            autoescape=select_autoescape(["html", "xml"]),
            extensions=["jinja2.ext.i18n"],
            trim_blocks=True,
            lstrip_blocks=True,
        )
        env.install_gettext_translations(i18n.translations(locale), newstyle=True)  # type: ignore[attr-defined]
        tz = self.settings.tz
        env.filters["day"] = lambda value: i18n.day_label(value, locale, tz)
        env.filters["short_day"] = lambda value: i18n.short_day_label(value, locale, tz)
        env.filters["hhmm"] = lambda value: i18n.time_label(value, tz)
        env.filters["day_month"] = lambda value: day_month(value, locale, tz)
        env.filters["full_date"] = lambda value: full_date(value, locale, tz)
        env.globals["date_range"] = lambda start, end: date_range(start, end, locale)
        env.globals["with_query"] = with_query
        env.globals["staff_role_rank"] = ROLE_RANK
        env.globals["locale"] = locale
        env.globals["locales"] = i18n.LOCALES
        env.globals["csrf_token"] = csrf.form_token
        env.globals["signed_in"] = signed_in
        return env

    def locale(self, request: Request) -> str:
        requested = request.query_params.get("lang") or request.cookies.get(LOCALE_COOKIE)
        return i18n.pick_locale(requested, self.settings.default_locale)

    def render(
        self,
        request: Request,
        template: str,
        context: dict[str, Any] | None = None,
        *,
        status: int = 200,
    ) -> HTMLResponse:
        locale = self.locale(request)
        page = self.environments[locale].get_template(template)
        flash = read_flash(request)
        html = page.render(request=request, flash=flash, **(context or {}))
        response = HTMLResponse(html, status_code=status)
        csrf.set_minted_cookie(request, response)
        if FLASH_COOKIE in request.cookies:
            response.delete_cookie(FLASH_COOKIE, **cookie_options(self.settings))
        if getattr(request.state, "principal", None) is not None:
            # Personal data: never kept by a shared cache or the browser's back-forward cache.
            response.headers["Cache-Control"] = "private, no-store"
        if request.query_params.get("lang") == locale:
            # An explicit choice of language sticks for the following pages, inside the
            # messengers' iframes too (the same flags as the session cookie).
            response.set_cookie(
                LOCALE_COOKIE, locale, max_age=365 * 24 * 3600, **cookie_options(self.settings)
            )
        return response


def signed_in(request: Request) -> bool:
    """Whether to offer «Профиль» rather than «Войти» in the header."""
    if hasattr(request.state, "principal"):
        return request.state.principal is not None
    # Pages that did not resolve the caller (an unknown address): the cookie is a good guess.
    return SESSION_COOKIE in request.cookies


def get_renderer(request: Request) -> Renderer:
    renderer: Renderer = request.app.state.renderer
    return renderer
