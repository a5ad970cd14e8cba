"""One slot for the organizer: its registrations (search by name, e-mail, phone or ticket code),
cancel a registration, capacity, cancel the slot. Adding someone by hand and moving a party to
another slot are in slot_registrations.py.

Everything goes through `StaffRegistrations`, so seats, the waitlist, the messages to the people
concerned and the audit entry change in the same transaction as the action itself.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from openindustry.catalog.api import Catalog
from openindustry.catalog.models import SlotStatus
from openindustry.catalog.schemas import SlotUpdate
from openindustry.kit import clock
from openindustry.kit.errors import AppError
from openindustry.kit.types import PathId
from openindustry.registration.api import StaffDesk
from openindustry.registration.models import RegistrationStatus
from openindustry.registration.staff import MOVABLE
from openindustry.web.backoffice import slot_registrations
from openindustry.web.backoffice.staff import OrganizerPage
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import error_page, status_of
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import flash, redirect

router = APIRouter(include_in_schema=False)
# Adding someone by hand and moving a party: pages of their own, under the slot's path.
router.include_router(slot_registrations.router)

ACTIVE = {s.value for s in (RegistrationStatus.APPLIED, *MOVABLE)}


def _path(slot_id: int) -> str:
    return f"/backoffice/slots/{slot_id}"


async def _render(
    request: Request,
    pages: Pages,
    catalog: Catalog,
    staff: StaffDesk,
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
    q = request.query_params.get("q", "")[:200]
    roster = await staff.roster(slot_id, q)
    open_for_changes = slot.status is not SlotStatus.CANCELLED and clock.now() < slot.starts_at
    people: list[dict[str, Any]] = [
        {
            "entry": e,
            "active": e.status.value in ACTIVE,
            "movable": open_for_changes and e.status in MOVABLE,
        }
        for e in roster.items
    ]
    context = {
        "slot": slot,
        "people": people,
        "total": roster.total,
        "q": q,
        "open_for_changes": open_for_changes,
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
    staff: StaffDesk,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    return await _render(request, pages, catalog, staff, slot_id, user.role)


@router.get("/backoffice/slots/{slot_id}/cancel", response_class=HTMLResponse)
async def slot_cancel_confirm(
    slot_id: PathId,
    request: Request,
    catalog: Catalog,
    staff: StaffDesk,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    return await _render(
        request, pages, catalog, staff, slot_id, user.role, template="backoffice/slot_cancel.html"
    )


@router.post("/backoffice/slots/{slot_id}/cancel", response_class=HTMLResponse)
async def slot_cancel(
    slot_id: PathId,
    request: Request,
    staff: StaffDesk,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    await staff.change_slot(slot_id, SlotUpdate(status=SlotStatus.CANCELLED), actor_id=user.user_id)
    return flash(redirect(_path(slot_id)), request, "slot_cancelled")


@router.post("/backoffice/slots/{slot_id}/capacity", response_class=HTMLResponse)
async def slot_capacity(
    slot_id: PathId,
    request: Request,
    catalog: Catalog,
    staff: StaffDesk,
    pages: Pages,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    typed = form.text("capacity")
    try:
        # An empty field is refused too: "" is not a number of seats.
        change = SlotUpdate.model_validate({"capacity": typed})
        await staff.change_slot(slot_id, change, actor_id=user.user_id)
    except ValidationError:
        return await _render(
            request,
            pages,
            catalog,
            staff,
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
            staff,
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
    staff: StaffDesk,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    found = await staff.core.registration(registration_id)
    if found is None or found.slot_id != slot_id:
        return error_page(request, 404, "registration_not_found", "Запись не найдена.")
    await staff.cancel(user.user_id, registration_id)
    return flash(redirect(_path(slot_id)), request, "registration_cancelled")
