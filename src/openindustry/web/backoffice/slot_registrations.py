"""A slot's registrations by hand: add someone who called the hotline, move a party to another
slot. Both go through `StaffRegistrations`; a refusal is shown next to the form, input kept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from openindustry.catalog.api import Catalog
from openindustry.kit.errors import AppError
from openindustry.kit.types import PathId
from openindustry.registration.api import StaffDesk
from openindustry.registration.errors import RegistrationNotFound
from openindustry.registration.models import RegistrationStatus
from openindustry.registration.rules import MAX_COMPANIONS
from openindustry.registration.schemas import (
    RegistrationMove,
    RosterEntry,
    StaffRegistrationCreate,
)
from openindustry.web.backoffice.staff import OrganizerPage
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import error_page, status_of
from openindustry.web.forms import Form
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import flash, redirect

router = APIRouter(include_in_schema=False)

# Refusals that belong next to one field of the add form rather than above it.
_FIELD_OF_REFUSAL = {
    "invalid_email": "email",
    "ambiguous_contact": "email",
    "consent_required": "consent",
}


def _path(slot_id: int) -> str:
    return f"/backoffice/slots/{slot_id}"


# Adding someone by hand ---------------------------------------------------------------------------


def _blank() -> dict[str, Any]:
    return {
        "name": "",
        "email": "",
        "phone": "",
        "birth_date": "",
        "companions": [{"name": "", "birth_date": ""} for _ in range(MAX_COMPANIONS)],
        "waitlist_ok": False,
        "consent": False,
    }


def _entered(form: Form) -> dict[str, Any]:
    return {
        "name": form.text("name"),
        "email": form.text("email"),
        "phone": form.text("phone"),
        "birth_date": form.text("birth_date"),
        "companions": [
            {
                "name": form.text(f"companion{n}_name"),
                "birth_date": form.text(f"companion{n}_birth_date"),
            }
            for n in range(MAX_COMPANIONS)
        ],
        "waitlist_ok": form.get("waitlist_ok") == "on",
        "consent": form.get("consent") == "on",
    }


def _request_of(entered: dict[str, Any]) -> StaffRegistrationCreate:
    return StaffRegistrationCreate.model_validate(
        {
            "person": {
                "name": entered["name"] or None,
                "email": entered["email"] or None,
                "phone": entered["phone"] or None,
                "birth_date": entered["birth_date"] or None,
            },
            # A row is a companion once anything is typed in it; half a row is an error.
            "companions": [
                {"name": c["name"] or None, "birth_date": c["birth_date"] or None}
                for c in entered["companions"]
                if c["name"] or c["birth_date"]
            ],
            "waitlist_ok": entered["waitlist_ok"],
            "consent_confirmed": entered["consent"],
        }
    )


def _add_errors(exc: ValidationError, entered: dict[str, Any]) -> dict[str, str]:
    """Field id → message key; companion rows are numbered as on the form (empty rows skipped)."""
    rows = [n for n, c in enumerate(entered["companions"]) if c["name"] or c["birth_date"]]
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if loc[:1] == ["person"]:
            # The model's own check (neither e-mail nor phone) has no field: it is the contact.
            field = loc[1] if len(loc) > 1 else "contact"
            errors.setdefault(field, field)
        elif loc[:1] == ["companions"] and len(loc) > 2 and loc[1].isdigit():
            row, part = rows[int(loc[1])], loc[2]
            errors.setdefault(f"companion{row}_{part}", f"companion_{part}")
        else:
            errors.setdefault("form", "form")
    return errors


@dataclass(frozen=True)
class _SlotForm:
    """The add and move forms of a slot as drawn again after a refusal, what was typed kept."""

    request: Request
    pages: Pages
    catalog: Catalog
    slot_id: int
    role: str

    async def add(
        self,
        values: dict[str, Any],
        *,
        errors: dict[str, str] | None = None,
        refusal: AppError | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        context = {
            "slot": await self.catalog.slot(self.slot_id),
            "form": values,
            "errors": errors or {},
            "refusal": refusal,
            "staff_role": self.role,
        }
        return self.pages.render(self.request, "backoffice/slot_add.html", context, status=status)

    async def move(
        self,
        staff: StaffDesk,
        entry: RosterEntry,
        chosen: str = "",
        waitlist_ok: bool = False,
        *,
        errors: dict[str, str] | None = None,
        refusal: AppError | None = None,
        status: int = 200,
    ) -> HTMLResponse:
        context = {
            "slot": await self.catalog.slot(self.slot_id),
            "entry": entry,
            "targets": await staff.move_targets(entry.id),
            "chosen": chosen,
            "waitlist_ok": waitlist_ok,
            "errors": errors or {},
            "refusal": refusal,
            "staff_role": self.role,
        }
        return self.pages.render(self.request, "backoffice/slot_move.html", context, status=status)


@router.get("/backoffice/slots/{slot_id}/add", response_class=HTMLResponse)
async def registration_add_form(
    slot_id: PathId,
    request: Request,
    catalog: Catalog,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    return await _SlotForm(request, pages, catalog, slot_id, user.role).add(_blank())


@router.post("/backoffice/slots/{slot_id}/add", response_class=HTMLResponse)
async def registration_add(
    slot_id: PathId,
    request: Request,
    catalog: Catalog,
    staff: StaffDesk,
    pages: Pages,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    page = _SlotForm(request, pages, catalog, slot_id, user.role)
    entered = _entered(form)
    try:
        data = _request_of(entered)
    except ValidationError as exc:
        return await page.add(entered, errors=_add_errors(exc, entered), status=422)
    try:
        added = await staff.add(user.user_id, slot_id, data)
    except AppError as exc:
        if exc.code == "slot_not_found":
            return error_page(request, 404, exc.code, exc.message)
        field = _FIELD_OF_REFUSAL.get(exc.code)
        errors = {field: exc.code} if field else None
        return await page.add(entered, errors=errors, refusal=exc, status=status_of(exc))
    confirmed = added.status is RegistrationStatus.CONFIRMED
    key = "registration_added" if confirmed else "registration_added_waitlisted"
    return flash(redirect(_path(slot_id)), request, key)


# Moving a party ----------------------------------------------------------------------------------


async def _entry(staff: StaffDesk, slot_id: int, registration_id: int) -> RosterEntry:
    """The party in this slot's roster; the 404 page (by the app's error handler) otherwise."""
    roster = await staff.roster(slot_id)
    found = next((e for e in roster.items if e.id == registration_id), None)
    if found is None:
        raise RegistrationNotFound("Запись не найдена.")
    return found


@router.get(
    "/backoffice/slots/{slot_id}/registrations/{registration_id}/move",
    response_class=HTMLResponse,
)
async def registration_move_form(
    slot_id: PathId,
    registration_id: PathId,
    request: Request,
    catalog: Catalog,
    staff: StaffDesk,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    entry = await _entry(staff, slot_id, registration_id)
    return await _SlotForm(request, pages, catalog, slot_id, user.role).move(staff, entry)


@router.post(
    "/backoffice/slots/{slot_id}/registrations/{registration_id}/move",
    response_class=HTMLResponse,
)
async def registration_move(
    slot_id: PathId,
    registration_id: PathId,
    request: Request,
    catalog: Catalog,
    staff: StaffDesk,
    pages: Pages,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    entry = await _entry(staff, slot_id, registration_id)
    chosen, waitlist_ok = form.text("slot_id"), form.get("waitlist_ok") == "on"
    page = _SlotForm(request, pages, catalog, slot_id, user.role)
    try:
        move = RegistrationMove.model_validate({"slot_id": chosen, "waitlist_ok": waitlist_ok})
        await staff.move(user.user_id, registration_id, move)
    except ValidationError:
        errors = {"slot_id": "slot_id"}
        return await page.move(staff, entry, chosen, waitlist_ok, errors=errors, status=422)
    except AppError as exc:
        return await page.move(
            staff, entry, chosen, waitlist_ok, refusal=exc, status=status_of(exc)
        )
    return flash(redirect(_path(slot_id)), request, "registration_moved")
