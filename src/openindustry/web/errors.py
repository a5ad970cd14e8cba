"""Errors shown as pages: the same codes as the API, in words a participant understands."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import HTMLResponse

from openindustry.web.render import get_renderer


def error_page(request: Request, status: int, code: str, message: str) -> HTMLResponse:
    return get_renderer(request).render(
        request, "error.html", {"status": status, "code": code, "message": message}, status=status
    )
