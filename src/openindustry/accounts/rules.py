"""Pure account decisions: e-mail normalisation, ages, masking of document numbers."""

from __future__ import annotations

import re
from datetime import date

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def normalize_email(email: str) -> str:
    return email.strip().lower()


def is_email(email: str) -> bool:
    return bool(EMAIL_RE.match(email)) and len(email) <= 320


def age_on(birth_date: date, day: date) -> int:
    """Full years on `day`; someone born on 29 February turns a year older on 1 March."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def mask_document_number(number: str) -> str:
    """Only the last four characters stay visible: «•••• ••3456»."""
    compact = "".join(number.split())
    visible = compact[-4:] if len(compact) > 4 else ""
    return "•" * max(len(compact) - len(visible), 4) + visible


def normalize_phone(phone: str) -> str:
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits[0] in "78":
        digits = "7" + digits[1:]
    elif len(digits) == 10:
        digits = "7" + digits
    return "+" + digits
