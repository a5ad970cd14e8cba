"""Interface languages: Russian is the source language of every message, English a translation.

Catalogs are read from the .po files with Babel and compiled in memory, so there is no build step
and no compiled file to forget.
"""

from __future__ import annotations

import gettext
from datetime import date, datetime
from functools import cache
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SOURCE_LOCALE = "ru"
LOCALES = ("ru", "en")
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"


@cache
def translations(locale: str) -> gettext.NullTranslations:
    if locale == SOURCE_LOCALE or locale not in LOCALES:
        return gettext.NullTranslations()
    catalog = read_catalog(locale)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def read_catalog(locale: str) -> Catalog:
    """Every .po file of the locale merged into one catalog (one file per part of the interface:
    messages.po for the mini-app, backoffice.po for staff pages, …)."""
    merged = Catalog(locale=locale)
    for path in sorted((LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po:
            for message in read_po(po, locale=locale):
                if message.id:
                    merged[message.id] = message
    return merged


def pick_locale(requested: str | None, default: str = SOURCE_LOCALE) -> str:
    if requested:
        short = requested.strip().lower()[:2]
        if short in LOCALES:
            return short
    return default


def day_label(value: datetime | date, locale: str, tz: ZoneInfo | None = None) -> str:
    """«11 декабря, четверг» / «Thursday, December 11»."""
    if isinstance(value, datetime) and tz is not None:
        value = value.astimezone(tz)
    pattern = "d MMMM, EEEE" if locale == "ru" else "EEEE, MMMM d"
    return format_date(value, pattern, locale=locale)


def short_day_label(value: datetime | date, locale: str, tz: ZoneInfo | None = None) -> str:
    if isinstance(value, datetime) and tz is not None:
        value = value.astimezone(tz)
    pattern = "d MMM, EEE" if locale == "ru" else "EEE, MMM d"
    return format_date(value, pattern, locale=locale)


def time_label(value: datetime, tz: ZoneInfo) -> str:
    return format_time(value.astimezone(tz), "HH:mm", locale="ru")
