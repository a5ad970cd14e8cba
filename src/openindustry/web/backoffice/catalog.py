"""The organizer's catalog: enterprises, their programs, and series with their registration policy.

One page lists all three; `?enterprise_id=`, `?program_id=` and `?series_id=` open the matching
form for editing. Each form posts to its own address and, when refused, the page is shown again
with the typed values and the messages next to the fields.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from openindustry.catalog.api import Catalog
from openindustry.catalog.models import AGE_RATINGS, AllocationMode, ProgramFormat
from openindustry.catalog.schemas import (
    EnterpriseCreate,
    EnterpriseRead,
    EnterpriseUpdate,
    ProgramCreate,
    ProgramRead,
    ProgramUpdate,
    SeriesCreate,
    SeriesRead,
    SeriesUpdate,
)
from openindustry.kit.auth import Principal
from openindustry.kit.errors import AppError
from openindustry.kit.types import PathId
from openindustry.web.backoffice.staff import OrganizerPage
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import error_page, status_of
from openindustry.web.forms import Form, field_errors
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import flash, redirect

router = APIRouter(include_in_schema=False)

PAGE = "/backoffice/catalog"
ENTERPRISE_FIELDS = (
    "slug",
    "name",
    "industry",
    "short_description",
    "description",
    "address",
    "metro",
    "min_age",
    "website",
)
PROGRAM_FIELDS = (
    "enterprise_id",
    "title",
    "format",
    "description",
    "duration_minutes",
    "age_rating",
    "accessibility_notes",
)
SERIES_FIELDS = (
    "title",
    "description",
    "starts_on",
    "ends_on",
    "opens_days_before",
    "opens_at_time",
    "closes_hours_before",
    "allocation_mode",
    "max_active_registrations",
    "required_tasks",
)
# Optional fields: left empty they mean "none", not "".
OPTIONAL = frozenset(
    {"metro", "min_age", "website", "accessibility_notes", "max_active_registrations"}
)


def _typed(form: Form, names: tuple[str, ...], checks: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: form.get(name).strip() if name == "description" else form.text(name) for name in names
    }
    for name in checks:
        values[name] = form.get(name) == "on"
    return values


def _payload(values: dict[str, Any]) -> dict[str, Any]:
    data = {k: (None if v == "" and k in OPTIONAL else v) for k, v in values.items()}
    if "required_tasks" in data:
        pieces = [
            p for p in str(values["required_tasks"]).replace(";", ",").split(",") if p.strip()
        ]
        data["required_tasks"] = [p.strip() for p in pieces]
    return data


def _enterprise_values(e: EnterpriseRead) -> dict[str, Any]:
    values = {name: getattr(e, name) for name in ENTERPRISE_FIELDS if name != "industry"}
    values = {k: "" if v is None else str(v) for k, v in values.items()}
    return values | {"industry": e.industry.slug, "requires_id_document": e.requires_id_document}


def _program_values(p: ProgramRead) -> dict[str, Any]:
    values = {name: getattr(p, name) for name in PROGRAM_FIELDS}
    return {k: "" if v is None else str(v) for k, v in values.items()}


def _series_values(s: SeriesRead) -> dict[str, Any]:
    values: dict[str, Any] = {
        name: getattr(s, name) for name in SERIES_FIELDS if name != "required_tasks"
    }
    values = {k: "" if v is None else str(v) for k, v in values.items()}
    values["opens_at_time"] = s.opens_at_time.strftime("%H:%M")
    values["required_tasks"] = ", ".join(str(t) for t in s.required_tasks)
    return values | {"waitlist_confirms_directly": s.waitlist_confirms_directly}


async def _render(
    request: Request,
    pages: Pages,
    catalog: Catalog,
    role: str,
    *,
    kind: str | None = None,
    values: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    refusal: AppError | None = None,
    editing: int | None = None,
    status: int = 200,
) -> HTMLResponse:
    query = request.query_params
    forms: dict[str, dict[str, Any]] = {
        "enterprise": {"requires_id_document": False},
        "program": {"format": "excursion", "duration_minutes": "90", "age_rating": "0"},
        "series": {
            "opens_days_before": "3",
            "opens_at_time": "10:00",
            "closes_hours_before": "24",
            "allocation_mode": "fcfs",
            "waitlist_confirms_directly": False,
        },
    }
    ids: dict[str, int | None] = {"enterprise": None, "program": None, "series": None}

    def _id(name: str) -> int | None:
        raw = query.get(f"{name}_id", "")
        return int(raw) if raw.isdigit() and len(raw) < 10 else None

    enterprise_id = _id("enterprise")
    if (program_id := _id("program")) is not None:
        program = await catalog.program(program_id)
        forms["program"], ids["program"] = _program_values(program), program.id
        enterprise_id = program.enterprise_id
    if enterprise_id is not None:
        enterprise = await catalog.enterprise(enterprise_id)
        forms["enterprise"], ids["enterprise"] = _enterprise_values(enterprise), enterprise.id
        forms["program"].setdefault("enterprise_id", str(enterprise.id))
    if (series_id := _id("series")) is not None:
        series = await catalog.series(series_id)
        forms["series"], ids["series"] = _series_values(series), series.id
    if kind is not None and values is not None:
        forms[kind] = values
        ids[kind] = editing
        if kind == "program":
            typed = str(values["enterprise_id"])
            enterprise_id = int(typed) if typed.isdigit() and len(typed) < 10 else enterprise_id
    programs = (
        (await catalog.programs(enterprise_id=enterprise_id, limit=200)).items
        if enterprise_id is not None
        else []
    )
    context = {
        "forms": forms,
        "ids": ids,
        "kind": kind,
        "errors": errors or {},
        "refusal": refusal,
        "enterprises": (await catalog.enterprises(limit=200)).items,
        "enterprise_id": enterprise_id,
        "programs": programs,
        "all_series": await catalog.series_list(),
        "industries": await catalog.industries(),
        "formats": list(ProgramFormat),
        "age_ratings": AGE_RATINGS,
        "modes": list(AllocationMode),
        "staff_role": role,
    }
    return pages.render(request, "backoffice/catalog.html", context, status=status)


@router.get(PAGE, response_class=HTMLResponse)
async def catalog_page(
    request: Request,
    catalog: Catalog,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    try:
        return await _render(request, pages, catalog, user.role)
    except AppError as exc:
        # An enterprise, program or series id in the address that does not exist.
        return error_page(request, status_of(exc), exc.code, exc.message)


async def _save(
    request: Request,
    pages: Pages,
    catalog: Catalog,
    user: Principal,
    form: Form,
    kind: str,
    editing: int | None,
) -> Response:
    fields, checks = {
        "enterprise": (ENTERPRISE_FIELDS, ("requires_id_document",)),
        "program": (PROGRAM_FIELDS, ()),
        "series": (SERIES_FIELDS, ("waitlist_confirms_directly",)),
    }[kind]
    values = _typed(form, fields, checks)
    data = _payload(values)
    try:
        if kind == "enterprise":
            if editing is None:
                enterprise = EnterpriseCreate.model_validate(data)
                saved_id = (await catalog.create_enterprise(enterprise, actor_id=user.user_id)).id
            else:
                patch = EnterpriseUpdate.model_validate(data)
                saved_id = (
                    await catalog.update_enterprise(editing, patch, actor_id=user.user_id)
                ).id
        elif kind == "program":
            if editing is None:
                created = ProgramCreate.model_validate(data)
                saved_id = (await catalog.create_program(created, actor_id=user.user_id)).id
            else:
                change = ProgramUpdate.model_validate(data)
                saved_id = (await catalog.update_program(editing, change, actor_id=user.user_id)).id
        elif editing is None:
            new = SeriesCreate.model_validate(data)
            saved_id = (await catalog.create_series(new, actor_id=user.user_id)).id
        else:
            update = SeriesUpdate.model_validate(data)
            saved_id = (await catalog.update_series(editing, update, actor_id=user.user_id)).id
    except ValidationError as exc:
        return await _render(
            request,
            pages,
            catalog,
            user.role,
            kind=kind,
            values=values,
            errors=field_errors(exc, f"{kind}-"),
            editing=editing,
            status=422,
        )
    except AppError as exc:
        return await _render(
            request,
            pages,
            catalog,
            user.role,
            kind=kind,
            values=values,
            refusal=exc,
            editing=editing,
            status=status_of(exc),
        )
    return flash(redirect(f"{PAGE}?{kind}_id={saved_id}#{kind}-form"), request, "saved")


# One route per form shape: the collection (create) and an item of it (update).
Collection = Literal["enterprises", "programs", "series"]
KIND_OF: dict[str, str] = {"enterprises": "enterprise", "programs": "program", "series": "series"}


@router.post(PAGE + "/{collection}", response_class=HTMLResponse)
async def catalog_create(
    collection: Collection,
    request: Request,
    catalog: Catalog,
    pages: Pages,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    return await _save(request, pages, catalog, user, form, KIND_OF[collection], None)


@router.post(PAGE + "/{collection}/{item_id}", response_class=HTMLResponse)
async def catalog_update(
    collection: Collection,
    item_id: PathId,
    request: Request,
    catalog: Catalog,
    pages: Pages,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    return await _save(request, pages, catalog, user, form, KIND_OF[collection], item_id)
