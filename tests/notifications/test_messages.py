"""Every kind renders in both languages with realistic payloads: no malformed variable ships."""

from __future__ import annotations

import pytest

from openindustry.notifications.messages import TEMPLATES, render

CONTEXT = {
    "registration_id": 12,
    "slot_id": 3,
    "title": "Завод «Кристалл»",
    "when": "11 декабря, четверг, 10:00",
    "address": "Москва, Самокатная ул., 4",
    "meeting_point": "Проходная №2",
    "ticket_code": "OI1.abc",
    "deadline": "10 декабря, 18:00",
    "prize_id": 5,
    "claim_id": 9,
    "draw_id": 4,
    "prize_title": "Термокружка",
    "text": "Сбор за 15 минут до начала.",
    "id_required": True,
    "code": "042917",
}


@pytest.mark.parametrize("locale", ["ru", "en"])
@pytest.mark.parametrize("kind", sorted(TEMPLATES))
def test_every_kind_renders(kind: str, locale: str) -> None:
    message = render(kind, locale, CONTEXT, "https://open.example.org/")
    assert "%(" not in message.subject + message.text
    assert "https://open.example.org/" in message.text
    assert "<a href=" in message.html
    if locale == "en":
        russian = render(kind, "ru", CONTEXT, "https://open.example.org/")
        assert message.subject != russian.subject  # translated, not the Russian source
        assert message.text != russian.text


def test_reminder_asks_for_a_passport_only_when_required() -> None:
    assert "паспорт" in render("reminder.24h", "ru", CONTEXT, "http://x").text
    without = CONTEXT | {"id_required": False}
    assert "паспорт" not in render("reminder.2h", "ru", without, "http://x").text


def test_a_missing_variable_fails_loudly() -> None:
    with pytest.raises(KeyError):
        render("registration.confirmed", "ru", {"title": "x"}, "http://x")
