"""What every provider returns, and how it refuses."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from openindustry.kit.errors import AppError, ErrorKind


class Provider(StrEnum):
    VK = "vk"
    TELEGRAM = "telegram"
    MAX = "max"
    EMAIL = "email"


@dataclass(frozen=True)
class VerifiedIdentity:
    """A user the platform vouched for: `subject` is the platform's own user id, as a string."""

    provider: Provider
    subject: str
    first_name: str | None = None
    last_name: str | None = None
    username: str | None = None
    language: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def display_name(self) -> str:
        parts = [p for p in (self.first_name, self.last_name) if p]
        return " ".join(parts) or self.username or ""


class InvalidSignature(AppError):
    kind = ErrorKind.UNAUTHORIZED
    code = "invalid_signature"


class Expired(AppError):
    kind = ErrorKind.UNAUTHORIZED
    code = "expired"
