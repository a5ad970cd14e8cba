"""Errors shown as pages: the same codes as the API, in words a participant understands."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from openindustry.kit.errors import AppError, ErrorKind
from openindustry.web.render import get_renderer

# The same statuses as the JSON API (api/errors.py); web/ and api/ are siblings and stay apart.
STATUS_BY_KIND = {
    ErrorKind.NOT_FOUND: 404,
    ErrorKind.CONFLICT: 409,
    ErrorKind.FORBIDDEN: 403,
    ErrorKind.UNAUTHORIZED: 401,
    ErrorKind.INVALID: 422,
    ErrorKind.BAD_REQUEST: 400,
    ErrorKind.RATE_LIMITED: 429,
    ErrorKind.UNAVAILABLE: 503,
}


def status_of(exc: AppError) -> int:
    return STATUS_BY_KIND[exc.kind]


def error_page(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    return get_renderer(request).render(
        request, "error.html", {"status": status, "code": code, "message": message}, status=status
    )
