"""Message texts for every outbox kind: Russian source strings, English through gettext (.po).

A template is filled from a context of ready-made strings (title, when, address, …) that the
worker loads through the services by the ids in the row's payload. Each message ends with a link
back into the app.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from openindustry.kit.i18n import translations


@dataclass(frozen=True)
class Template:
    subject: str
    body: str
    path: str  # into the app, filled from the context too


def _(message: str) -> str:
    """Marks a source string for extraction; translated at render time."""
    return message


TEMPLATES: dict[str, Template] = {
    "registration.confirmed": Template(
        _("Вы записаны: %(title)s"),
        _(
            "Вы записаны на экскурсию «%(title)s», %(when)s.\n"
            "Адрес: %(address)s.\nКод билета: %(ticket_code)s"
        ),
        "/me/tickets/%(registration_id)s",
    ),
    "registration.waitlisted": Template(
        _("Вы в листе ожидания: %(title)s"),
        _("Мест на «%(title)s», %(when)s, пока нет. Мы напишем, если место освободится."),
        "/me/tickets/%(registration_id)s",
    ),
    "registration.applied": Template(
        _("Заявка на розыгрыш принята: %(title)s"),
        _("Ваша заявка на «%(title)s», %(when)s, участвует в розыгрыше мест."),
        "/me/tickets/%(registration_id)s",
    ),
    "registration.lottery_won": Template(
        _("Вам досталось место: %(title)s"),
        _("По итогам розыгрыша вы едете на «%(title)s», %(when)s. Адрес: %(address)s."),
        "/me/tickets/%(registration_id)s",
    ),
    "registration.lottery_lost": Template(
        _("Розыгрыш мест: %(title)s"),
        _("В этот раз место на «%(title)s» не досталось. Вы остаётесь в листе ожидания."),
        "/me/tickets/%(registration_id)s",
    ),
    "registration.offered": Template(
        _("Освободилось место: %(title)s"),
        _(
            "Для вас освободилось место на «%(title)s», %(when)s.\n"
            "Подтвердите до %(deadline)s, иначе оно перейдёт следующему."
        ),
        "/me/tickets/%(registration_id)s/accept",
    ),
    "registration.offer_expired": Template(
        _("Предложение истекло: %(title)s"),
        _("Вы не подтвердили место на «%(title)s» вовремя, и оно передано следующему."),
        "/me/tickets/%(registration_id)s",
    ),
    "registration.slot_cancelled": Template(
        _("Экскурсия отменена: %(title)s"),
        _("Организатор отменил экскурсию «%(title)s», %(when)s. Приносим извинения."),
        "/me/tickets/%(registration_id)s",
    ),
    "registration.cancelled_by_organizer": Template(
        _("Запись отменена: %(title)s"),
        _(
            "Организатор отменил вашу запись на «%(title)s», %(when)s.\n"
            "Если это ошибка, свяжитесь с организаторами программы."
        ),
        "/me/tickets/%(registration_id)s",
    ),
    "registration.moved": Template(
        _("Запись перенесена: %(title)s"),
        _(
            "Организатор перенёс вашу запись: теперь «%(title)s», %(when)s.\n"
            "Адрес: %(address)s.\n"
            "Прежний билет больше не действует — новый билет и статус записи в приложении."
        ),
        "/me/tickets/%(registration_id)s",
    ),
    "registration.slot_changed": Template(
        _("Изменения в экскурсии: %(title)s"),
        _("Экскурсия «%(title)s» изменилась: теперь %(when)s, место сбора: %(meeting_point)s."),
        "/me/tickets/%(registration_id)s",
    ),
    "reminder.24h": Template(
        _("Завтра: %(title)s"),
        _(
            "Напоминаем: «%(title)s», %(when)s.\nАдрес: %(address)s.\n"
            "Место сбора: %(meeting_point)s.%(bring)s"
        ),
        "/me/tickets/%(registration_id)s",
    ),
    "reminder.2h": Template(
        _("Через 2 часа: %(title)s"),
        _(
            "Скоро начало: «%(title)s», %(when)s.\nАдрес: %(address)s.\n"
            "Место сбора: %(meeting_point)s.%(bring)s"
        ),
        "/me/tickets/%(registration_id)s",
    ),
    "prize.won": Template(
        _("Вы выиграли приз"),
        _("Поздравляем! Вы выиграли приз «%(prize_title)s» в розыгрыше."),
        "/draws/%(draw_id)s",
    ),
    "prize.ready": Template(
        _("Приз ждёт вас"),
        _("Приз «%(prize_title)s» готов к выдаче."),
        "/me/prizes",
    ),
    "accounts.email_code": Template(
        # Not the code itself: mail relays and clients' notifications show subjects widely.
        _("Код для входа в «Открытую промышленность»"),
        _(
            "Ваш код для входа в «Открытую промышленность»: %(code)s\n"
            "Код действует 10 минут. Если вы не запрашивали его, просто проигнорируйте это письмо."
        ),
        "/login",
    ),
    "organizer.message": Template(
        _("Сообщение организатора: %(title)s"),
        _("Сообщение по экскурсии «%(title)s», %(when)s:\n\n%(text)s"),
        "/me/tickets/%(registration_id)s",
    ),
}

BRING_ID = _("Возьмите паспорт: без него на предприятие не пустят.")
OPEN_IN_APP = _("Открыть в приложении")


@dataclass(frozen=True)
class Rendered:
    subject: str
    text: str
    html: str


class UnknownKind(LookupError):
    pass


def render(kind: str, locale: str, context: dict[str, Any], base_url: str) -> Rendered:
    """Fill the kind's template; a missing variable raises KeyError (tests render every kind)."""
    template = TEMPLATES.get(kind)
    if template is None:
        raise UnknownKind(kind)
    gettext = translations(locale).gettext
    values = dict(context)
    values["bring"] = f"\n{gettext(BRING_ID)}" if context.get("id_required") else ""
    subject = gettext(template.subject) % values
    body = gettext(template.body) % values
    link = base_url.rstrip("/") + template.path % values
    text = f"{body}\n\n{gettext(OPEN_IN_APP)}: {link}"
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in body.split("\n") if p)
    markup = (
        f"<html><body>{paragraphs}"
        f'<p><a href="{html.escape(link)}">{html.escape(gettext(OPEN_IN_APP))}</a></p>'
        "</body></html>"
    )
    return Rendered(subject, text, markup)
