"""CSV exports of the dashboard tables: UTF-8 with a BOM, so Excel opens Cyrillic right."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel

from openindustry.stats.schemas import Dashboard

Columns = Sequence[tuple[str, str]]  # (Russian header, field name)

_DAYS: Columns = (
    ("День", "day"),
    ("Слотов", "slots"),
    ("Мест предложено", "seats_offered"),
    ("Заявок всего", "registrations"),
    ("Подано в лотерею", "applied"),
    ("В листе ожидания", "waitlisted"),
    ("Предложено место", "offered"),
    ("Подтверждено", "confirmed"),
    ("Отменено", "cancelled"),
    ("Истекло", "expired"),
)
_FILL: Columns = (
    ("Название", "name"),
    ("Слотов", "slots"),
    ("Мест", "capacity"),
    ("Подтверждено заявок", "confirmed_parties"),
    ("Подтверждено человек", "confirmed_people"),
    ("Заполняемость", "fill_rate"),
    ("Пришло заявок", "attended_parties"),
    ("Пришло человек", "attended_people"),
    ("Доля пришедших", "attendance_rate"),
    ("Не пришло заявок", "no_show_parties"),
    ("Не пришло человек", "no_show_people"),
    ("Доля неявок", "no_show_rate"),
)
_ENTERPRISES: Columns = (("Предприятие", "name"), ("Отрасль", "industry"), *_FILL[1:])
_INDUSTRIES: Columns = (("Отрасль", "name"), *_FILL[1:])
_LOTTERY: Columns = (
    ("Слот", "slot_id"),
    ("Начало", "starts_at"),
    ("Предприятие", "enterprise"),
    ("Программа", "program"),
    ("Мест", "capacity"),
    ("Заявок", "applicant_parties"),
    ("Человек в заявках", "applicant_people"),
    ("Заявок на место", "parties_per_seat"),
    ("Человек на место", "people_per_seat"),
)
_AGES: Columns = (
    ("Возраст", "group"),
    ("Участники", "participants"),
    ("Сопровождающие", "companions"),
    ("Всего", "people"),
)
_POINTS: Columns = (("Причина", "reason"), ("Начислено", "issued"), ("Потрачено", "spent"))
_PRIZES: Columns = (
    ("Приз", "prize_id"),
    ("Название", "title"),
    ("Осталось", "stock"),
    ("Выдано заявок", "claimed"),
    ("Вручено", "handed_over"),
)


def _csv(columns: Columns, rows: Sequence[BaseModel]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([header for header, _ in columns])
    for row in rows:
        values: dict[str, Any] = row.model_dump(mode="json")
        writer.writerow(["" if values[f] is None else values[f] for _, f in columns])
    return buffer.getvalue().encode("utf-8-sig")


def days_csv(dashboard: Dashboard) -> bytes:
    return _csv(_DAYS, dashboard.by_day)


def enterprises_csv(dashboard: Dashboard) -> bytes:
    return _csv(_ENTERPRISES, dashboard.by_enterprise)


def industries_csv(dashboard: Dashboard) -> bytes:
    return _csv(_INDUSTRIES, dashboard.by_industry)


def lottery_csv(dashboard: Dashboard) -> bytes:
    return _csv(_LOTTERY, dashboard.lottery)


def ages_csv(dashboard: Dashboard) -> bytes:
    return _csv(_AGES, dashboard.ages)


def points_csv(dashboard: Dashboard) -> bytes:
    return _csv(_POINTS, dashboard.points)


def prizes_csv(dashboard: Dashboard) -> bytes:
    return _csv(_PRIZES, dashboard.prizes)


TABLES: dict[str, Callable[[Dashboard], bytes]] = {
    "days": days_csv,
    "enterprises": enterprises_csv,
    "industries": industries_csv,
    "lottery": lottery_csv,
    "ages": ages_csv,
    "points": points_csv,
    "prizes": prizes_csv,
}
