"""Who may open a back-office page: anonymous visitors sign in, the others need the page's role.

A handler asks for `OrganizerPage`, `HostPage` or `AdminPage` and gets the signed-in staff member;
anyone else is stopped by `PageRefused`, which `refused_page` (installed with the app's error
handlers) answers with the sign-in redirect or the 403 page.

Order matters for identical answers: the page dependency goes last in a handler's signature (after
`CheckedForm`), so a stale form is still refused as `csrf_failed` before anything else is said.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request, Response
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError

from openindustry.kit.auth import MaybeUser, Principal
from openindustry.web.errors import error_page
from openindustry.web.session import login_url, redirect

ORGANIZERS_ONLY = "Этот раздел открыт только организаторам программы."
ADMINS_ONLY = "Этот раздел открыт только администраторам."
STAFF_ONLY = "Кабинет открыт только организаторам и предприятиям."


class PageRefused(Exception):
    """The caller may not open the page: sign in and come back to `back_to`, or see a 403."""

    def __init__(
        self, *, back_to: str | None = None, code: str = "forbidden", message: str = ""
    ) -> None:
        super().__init__(code)
        self.back_to = back_to
        self.code = code
        self.message = message


async def refused_page(request: Request, exc: PageRefused) -> Response:
    if exc.back_to is not None:
        return redirect(login_url(exc.back_to, staff=True))
    return error_page(request, 403, exc.code, exc.message)


def _check_address(request: Request) -> None:
    """A malformed id in the address is a 422 for everyone, as the route itself answers it.

    FastAPI solves dependencies before it checks the path, so without this an anonymous caller
    would be sent to sign in for an address that can never open.
    """
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None:
        return
    _path, errors = request_params_to_args(dependant.path_params, request.path_params)
    _query, query_errors = request_params_to_args(dependant.query_params, request.query_params)
    if errors or query_errors:
        raise RequestValidationError([*errors, *query_errors])


def staff_page(
    role: str,
    message: str,
    *,
    code: str = "forbidden",
    keep_query: bool = True,
    back_to: str | None = None,
) -> Callable[[Request, Principal | None], Awaitable[Principal]]:
    """A dependency admitting `role` and the roles above it.

    After signing in, the caller comes back to `back_to` (a path template filled from the
    address's ids) or to the address asked for, with its query on a GET when `keep_query`.
    """

    async def admit(request: Request, user: MaybeUser) -> Principal:
        if user is not None and user.at_least(role):
            return user
        _check_address(request)
        if user is not None:
            raise PageRefused(code=code, message=message)
        if back_to is not None:
            raise PageRefused(back_to=back_to.format_map(request.path_params))
        target = request.url.path
        if keep_query and request.method == "GET" and request.url.query:
            target += "?" + request.url.query
        raise PageRefused(back_to=target)

    return admit


OrganizerPage = Annotated[Principal, Depends(staff_page("organizer", ORGANIZERS_ONLY))]
AdminPage = Annotated[Principal, Depends(staff_page("admin", ADMINS_ONLY))]
HostPage = Annotated[
    Principal, Depends(staff_page("host", STAFF_ONLY, code="staff_only", keep_query=False))
]
