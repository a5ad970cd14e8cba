"""Reading submitted forms: text fields only, bounded, and pydantic errors as field messages."""

from __future__ import annotations

from dataclasses import dataclass, field

from fastapi import Request
from pydantic import ValidationError

MAX_FIELDS = 50
MAX_VALUE = 10_000


@dataclass(frozen=True)
class Form:
    values: dict[str, list[str]] = field(default_factory=dict)

    def get(self, name: str, default: str = "") -> str:
        found = self.values.get(name)
        return found[0] if found else default

    def text(self, name: str) -> str:
        """A stripped single-line value."""
        return " ".join(self.get(name).split())

    def getlist(self, name: str) -> list[str]:
        return list(self.values.get(name, []))


async def read_form(request: Request) -> Form:
    """Text values of a urlencoded or multipart form; files and overlong values are dropped."""
    data = await request.form(max_files=0, max_fields=MAX_FIELDS)
    values: dict[str, list[str]] = {}
    for key, value in data.multi_items():
        if isinstance(value, str) and len(value) <= MAX_VALUE:
            values.setdefault(key, []).append(value)
    return Form(values)


def field_errors(exc: ValidationError, prefix: str = "") -> dict[str, str]:
    """Field id → message key (the field's name) for every field pydantic refused."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        name = str(error["loc"][0]) if error["loc"] else "form"
        errors.setdefault(prefix + name, name)
    return errors
