"""Domain errors: a stable machine code, a kind that adapters map to a status, a human message."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    UNAUTHORIZED = "unauthorized"
    INVALID = "invalid"
    BAD_REQUEST = "bad_request"
    RATE_LIMITED = "rate_limited"
    UNAVAILABLE = "unavailable"


class AppError(Exception):
    """Base of every expected refusal; never becomes a 500."""

    kind: ErrorKind = ErrorKind.INVALID
    code: str = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        kind: ErrorKind | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        if kind is not None:
            self.kind = kind
        self.details = details or {}


class NotFound(AppError):
    kind = ErrorKind.NOT_FOUND
    code = "not_found"


class Conflict(AppError):
    kind = ErrorKind.CONFLICT
    code = "conflict"


class Forbidden(AppError):
    kind = ErrorKind.FORBIDDEN
    code = "forbidden"


class Invalid(AppError):
    kind = ErrorKind.INVALID
    code = "invalid"


class Unavailable(AppError):
    kind = ErrorKind.UNAVAILABLE
    code = "unavailable"


class Unauthorized(AppError):
    kind = ErrorKind.UNAUTHORIZED
    code = "unauthorized"


class RateLimited(AppError):
    """Too many requests; `retry_after` seconds until the next one may pass."""

    kind = ErrorKind.RATE_LIMITED
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = max(int(retry_after), 1)
