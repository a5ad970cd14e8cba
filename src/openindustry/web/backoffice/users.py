"""Staff accounts (admins only): the list of hosts, organizers and admins (by role, with their
enterprises), and one form to create an account or change an existing one's role and enterprises.

The account is found by its e-mail, so the same form serves both: `AccountsService.create_staff`
updates the account when the address is already known.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from openindustry.accounts.api import Accounts
from openindustry.accounts.models import Role
from openindustry.accounts.schemas import StaffCreate
from openindustry.catalog.api import Catalog
from openindustry.kit.errors import AppError
from openindustry.web.backoffice.staff import AdminPage
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import status_of
from openindustry.web.forms import field_errors
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import flash, redirect

router = APIRouter(include_in_schema=False)

PAGE = "/backoffice/users"


def _role_filter(request: Request) -> Role | None:
    try:
        role = Role(request.query_params.get("role", ""))
    except ValueError:
        return None
    return None if role is Role.PARTICIPANT else role


async def _render(
    request: Request,
    pages: Pages,
    accounts: Accounts,
    catalog: Catalog,
    role: str,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    shown = _role_filter(request)
    enterprises = (await catalog.enterprises(limit=200)).items
    staff = await accounts.staff()
    editing = request.query_params.get("edit", "")
    picked = next((s for s in staff if str(s.id) == editing), None)
    if form is None and picked is not None:
        # «Изменить» in the list fills the form; saving it updates that account by its e-mail.
        form = {
            "email": picked.email or "",
            "name": picked.name,
            "role": picked.role.value,
            "enterprise_ids": [str(i) for i in picked.enterprise_ids],
        }
    context = {
        "form": form or {"email": "", "name": "", "role": "host", "enterprise_ids": []},
        "errors": errors or {},
        "roles": [r.value for r in Role if r is not Role.PARTICIPANT],
        "enterprises": enterprises,
        "enterprise_names": {e.id: e.name for e in enterprises},
        "staff": [s for s in staff if shown is None or s.role is shown],
        "role_filter": shown.value if shown else "",
        "staff_role": role,
    }
    return pages.render(request, "backoffice/users.html", context, status=status)


@router.get(PAGE, response_class=HTMLResponse)
async def users(
    request: Request,
    accounts: Accounts,
    catalog: Catalog,
    pages: Pages,
    user: AdminPage,
) -> Response:
    return await _render(request, pages, accounts, catalog, user.role)


@router.post(PAGE, response_class=HTMLResponse)
async def users_save(
    request: Request,
    accounts: Accounts,
    catalog: Catalog,
    pages: Pages,
    form: CheckedForm,
    user: AdminPage,
) -> Response:
    entered = {
        "email": form.text("email"),
        "name": form.text("name"),
        "role": form.text("role"),
        "enterprise_ids": list(dict.fromkeys(form.getlist("enterprise_ids"))),
    }
    try:
        data = StaffCreate.model_validate(entered)
        await accounts.create_staff(data, actor_id=user.user_id)
    except ValidationError as exc:
        return await _render(
            request,
            pages,
            accounts,
            catalog,
            user.role,
            form=entered,
            errors=field_errors(exc),
            status=422,
        )
    except AppError as exc:
        field = "email" if exc.code == "invalid_email" else "enterprise_ids"
        return await _render(
            request,
            pages,
            accounts,
            catalog,
            user.role,
            form=entered,
            errors={field: exc.code},
            status=status_of(exc),
        )
    return flash(redirect(PAGE), request, "saved")
