"""One slot for the organizer: who is registered, cancel a registration, capacity, cancel the slot.

Changing capacity and cancelling the slot go through `RegistrationService.change_slot`, so the
waitlist moves (or everyone is told) in the same transaction as the change.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from openindustry.accounts.api import Accounts
from openindustry.catalog.api import Catalog
from openindustry.catalog.models import SlotStatus
from openindustry.catalog.rules import normalize_search_text
from openindustry.catalog.schemas import SlotUpdate
from openindustry.kit.auth import MaybeUser
from openindustry.kit.errors import AppError
from openindustry.kit.types import PathId
from openindustry.registration.api import Registrations
from openindustry.registration.models import RegistrationStatus
from openindustry.web.backoffice.staff import refuse
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import error_page, status_of
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import flash, redirect

router = APIRouter(include_in_schema=False)

# Confirmed first, then offers, the waitlist in its order, the lottery, the rest.
_ORDER = {
    RegistrationStatus.CONFIRMED: 0,
    RegistrationStatus.OFFERED: 1,
    RegistrationStatus.WAITLISTED: 2,
    RegistrationStatus.APPLIED: 3,
    RegistrationStatus.EXPIRED: 4,
    RegistrationStatus.CANCELLED: 5,
}
ACTIVE = {"applied", "waitlisted", "offered", "confirmed"}


def _path(slot_id: int) -> str:
    return f"/backoffice/slots/{slot_id}"


async def _render(
    request: Request,
    pages: Pages,
    catalog: Catalog,
    registrations: Registrations,
    accounts: Accounts,
    slot_id: int,
    role: str,
    *,
    template: str = "backoffice/slot.html",
    capacity: str | None = None,
    errors: dict[str, str] | None = None,
    refusal: AppError | None = None,
    status: int = 200,
) -> HTMLResponse:
    slot = await catalog.slot(slot_id)
    rows = await registrations.slot_registrations(slot_id)
    names = await accounts.names([r.user_id for r in rows])
    rows.sort(key=lambda r: (_ORDER[r.status], r.queue_rank or 0, r.created_at, r.id))
    position = 0
    people: list[dict[str, Any]] = []
    needle = normalize_search_text(request.query_params.get("q", "")[:100])
    for row in rows:
        if row.status is RegistrationStatus.WAITLISTED:
            position += 1
        name = names.get(row.user_id, "—")
        if needle and needle not in normalize_search_text(name):
            continue
        people.append(
            {
                "id": row.id,
                "name": name,
                "party_size": row.party_size,
                "status": row.status.value,
                "position": position if row.status is RegistrationStatus.WAITLISTED else None,
                "created_at": row.created_at,
                "active": row.status.value in ACTIVE,
            }
        )
    context = {
        "slot": slot,
        "people": people,
        "total": len(rows),
        "q": request.query_params.get("q", "")[:100],
        "capacity": capacity if capacity is not None else str(slot.capacity),
        "errors": errors or {},
        "refusal": refusal,
        "staff_role": role,
    }
    return pages.render(request, template, context, status=status)


@router.get("/backoffice/slots/{slot_id}", response_class=HTMLResponse)
async def slot_page(
    slot_id: PathId,
    request: Request,
    catalog: Catalog,
    registrations: Registrations,
    accounts: Accounts,
    pages: Pages,
    user: MaybeUser,
) -> Response:
    if (refused := refuse(request, user)) is not None:
        return refused
    assert user is not None  # noqa: S101 — refuse() let only organizers through
    return await _render(request, pages, catalog, registrations, accounts, slot_id, user.role)


@router.get("/backoffice/slots/{slot_id}/cancel", response_class=HTMLResponse)
async def slot_cancel_confirm(
    slot_id: PathId,
    request: Request,
    catalog: Catalog,
    registrations: Registrations,
    accounts: Accounts,
    pages: Pages,
    user: MaybeUser,
) -> Response:
    if (refused := refuse(request, user)) is not None:
        return refused
    assert user is not None  # noqa: S101
    return await _render(
        request,
        pages,
        catalog,
        registrations,
        accounts,
        slot_id,
        user.role,
        template="backoffice/slot_cancel.html",
    )


@router.post("/backoffice/slots/{slot_id}/cancel", response_class=HTMLResponse)
async def slot_cancel(
    slot_id: PathId,
    request: Request,
    registrations: Registrations,
    user: MaybeUser,
    form: CheckedForm,
) -> Response:
    if (refused := refuse(request, user)) is not None:
        return refused
    assert user is not None  # noqa: S101
    await registrations.change_slot(
        slot_id, SlotUpdate(status=SlotStatus.CANCELLED), actor_id=user.user_id
    )
    return flash(redirect(_path(slot_id)), request, "slot_cancelled")


@router.post("/backoffice/slots/{slot_id}/capacity", response_class=HTMLResponse)
async def slot_capacity(
    slot_id: PathId,
    request: Request,
    catalog: Catalog,
    registrations: Registrations,
    accounts: Accounts,
    pages: Pages,
    user: MaybeUser,
    form: CheckedForm,
) -> Response:
    if (refused := refuse(request, user)) is not None:
        return refused
    assert user is not None  # noqa: S101
    typed = form.text("capacity")
    try:
        # An empty field is refused too: "" is not a number of seats.
        change = SlotUpdate.model_validate({"capacity": typed})
        await registrations.change_slot(slot_id, change, actor_id=user.user_id)
    except ValidationError:
        return await _render(
            request,
            pages,
            catalog,
            registrations,
            accounts,
            slot_id,
            user.role,
            capacity=typed,
            errors={"capacity": "capacity"},
            status=422,
        )
    except AppError as exc:
        if exc.code == "slot_not_found":
            return error_page(request, 404, exc.code, exc.message)
        return await _render(
            request,
            pages,
            catalog,
            registrations,
            accounts,
            slot_id,
            user.role,
            capacity=typed,
            refusal=exc,
            status=status_of(exc),
        )
    return flash(redirect(_path(slot_id)), request, "saved")


@router.post(
    "/backoffice/slots/{slot_id}/registrations/{registration_id}/cancel",
    response_class=HTMLResponse,
)
async def registration_cancel(
    slot_id: PathId,
    registration_id: PathId,
    request: Request,
    registrations: Registrations,
    user: MaybeUser,
    form: CheckedForm,
) -> Response:
    if (refused := refuse(request, user)) is not None:
        return refused
    assert user is not None  # noqa: S101
    found = await registrations.registration(registration_id)
    if found is None or found.slot_id != slot_id:
        return error_page(request, 404, "registration_not_found", "Запись не найдена.")
    await registrations.cancel_by_staff(user.user_id, registration_id)
    return flash(redirect(_path(slot_id)), request, "registration_cancelled")
