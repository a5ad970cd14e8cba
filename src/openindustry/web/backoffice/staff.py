"""Who may open an organizer page: anonymous visitors sign in, hosts and participants get 403."""

from __future__ import annotations

from fastapi import Request, Response

from openindustry.kit.auth import Principal
from openindustry.web.errors import error_page
from openindustry.web.session import login_url, redirect


def refuse(request: Request, user: Principal | None, role: str = "organizer") -> Response | None:
    """None when `user` may act; otherwise the sign-in redirect or the 403 page to return."""
    if user is None:
        target = request.url.path
        if request.method == "GET" and request.url.query:
            target += "?" + request.url.query
        return redirect(login_url(target, staff=True))
    if not user.at_least(role):
        message = (
            "Этот раздел открыт только администраторам."
            if role == "admin"
            else "Этот раздел открыт только организаторам программы."
        )
        return error_page(request, 403, "forbidden", message)
    return None
