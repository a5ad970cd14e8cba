"""The gate: hosts' start page, a slot's guest list with its exports, the phone check-in screen.

Cookie-authenticated pages cannot call the bearer-only JSON API, so they call CheckinService
directly and answer the same bytes. The check-in form carries a random scan id (a nonce per form),
so a double submit counts once; after the POST the page redirects (303) to itself with that scan id
and shows the stored answer. Refusals are shown next to the form with a 4xx status.
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import ValidationError

from openindustry.catalog.api import Catalog
from openindustry.catalog.schemas import SlotFilter, SlotRead
from openindustry.checkin.api import MEDIA, Checkin
from openindustry.checkin.schemas import CheckinRequest, CheckinResult, SyncRequest
from openindustry.kit import clock
from openindustry.kit.auth import MaybeUser, Principal
from openindustry.kit.errors import AppError
from openindustry.kit.types import PathId
from openindustry.web import csrf
from openindustry.web.backoffice.staff import STAFF_ONLY, HostPage, staff_page
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import status_of
from openindustry.web.forms import Form
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import redirect, settings_of

router = APIRouter(include_in_schema=False)

UPCOMING_DAYS = 14
# gate.js fetches the scanner's data; after signing in, the person comes back to the gate screen.
_kit_page = staff_page("host", STAFF_ONLY, code="staff_only", back_to="/backoffice/gate/{slot_id}")
KitPage = Annotated[Principal, Depends(_kit_page)]


def _scan_id() -> str:
    return secrets.token_urlsafe(16)


@router.get("/backoffice/gate", response_class=HTMLResponse)
async def gate_start(request: Request, catalog: Catalog, pages: Pages, user: HostPage) -> Response:
    tz = settings_of(request).tz
    today = clock.now().astimezone(tz).date()
    window = {"date_from": today, "date_to": today + timedelta(days=UPCOMING_DAYS), "limit": 200}
    slots: list[SlotRead] = []
    if user.at_least("organizer"):
        slots = (await catalog.slots(SlotFilter(**window))).items
    else:
        for enterprise_id in sorted(user.enterprise_ids):
            found = await catalog.slots(SlotFilter(enterprise_id=enterprise_id, **window))
            slots.extend(found.items)
        slots.sort(key=lambda s: s.starts_at)
    today_slots = [s for s in slots if s.starts_at.astimezone(tz).date() == today]
    later = [s for s in slots if s not in today_slots]
    return pages.render(
        request,
        "backoffice/gate_start.html",
        {"today_slots": today_slots, "later_slots": later, "staff_role": user.role},
    )


@router.get("/backoffice/slots/{slot_id}/guests", response_class=HTMLResponse)
async def guests(
    slot_id: PathId, request: Request, service: Checkin, pages: Pages, user: HostPage
) -> Response:
    guest_list = await service.guests(user, slot_id)
    return pages.render(
        request, "backoffice/guests.html", {"guests": guest_list, "staff_role": user.role}
    )


async def _export(service: Checkin, user: Principal, slot_id: int, kind: str) -> Response:
    filename, body = await service.export(user, slot_id, kind)
    return Response(
        body,
        media_type=MEDIA[kind],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/backoffice/slots/{slot_id}/guests.csv")
async def guests_csv(slot_id: PathId, service: Checkin, user: HostPage) -> Response:
    return await _export(service, user, slot_id, "csv")


@router.get("/backoffice/slots/{slot_id}/guests.xlsx")
async def guests_xlsx(slot_id: PathId, service: Checkin, user: HostPage) -> Response:
    return await _export(service, user, slot_id, "xlsx")


# The check-in screen ---------------------------------------------------------------------------


async def _render_gate(
    request: Request,
    pages: Pages,
    service: Checkin,
    user: Principal,
    slot_id: int,
    *,
    result: CheckinResult | None = None,
    refusal: AppError | None = None,
    code: str = "",
    status: int = 200,
) -> HTMLResponse:
    # The guest list is also the host check: another enterprise's host gets 403 here.
    guest_list = await service.guests(user, slot_id)
    context: dict[str, Any] = {
        "guests": guest_list,
        "arrived": sum(g.party_size for g in guest_list.items if g.checked_in_at),
        "result": result,
        "refusal": refusal,
        "code": code,
        "scan_id": _scan_id(),
        "staff_role": user.role,
    }
    return pages.render(request, "backoffice/gate.html", context, status=status)


@router.get("/backoffice/gate/{slot_id}", response_class=HTMLResponse)
async def gate(
    slot_id: PathId, request: Request, service: Checkin, pages: Pages, user: HostPage
) -> Response:
    result = None
    scan = request.query_params.get("scan", "")
    if scan:
        # The answer to this host's own scan, as stored with it: replaying a known scan id
        # returns it without checking anybody in again; an unknown id is simply not shown.
        try:
            replay = CheckinRequest(ticket_code="-", scan_id=scan, slot_id=slot_id)
            result = await service.checkin(user, replay)
        except (ValidationError, AppError):
            result = None
        if result is not None and result.slot_id != slot_id:
            result = None
    return await _render_gate(request, pages, service, user, slot_id, result=result)


def _code(form: Form) -> str:
    # People type codes with spaces or in lower case; the code itself is upper-case base32.
    return "".join(form.get("code").split()).upper()


@router.post("/backoffice/gate/{slot_id}", response_class=HTMLResponse)
async def gate_checkin(
    slot_id: PathId,
    request: Request,
    service: Checkin,
    pages: Pages,
    form: CheckedForm,
    user: HostPage,
) -> Response:
    code = _code(form)
    scan_id = form.get("scan_id") or _scan_id()
    try:
        data = CheckinRequest(ticket_code=code, scan_id=scan_id, slot_id=slot_id)
    except ValidationError:
        await service.guests(user, slot_id)  # a stranger gets 403, not a hint about the form
        return await _render_gate(
            request, pages, service, user, slot_id, code=code, status=422,
            refusal=_EmptyCode("Введите код билета: буквы и цифры под QR-кодом."),
        )  # fmt: skip
    try:
        await service.checkin(user, data)
    except AppError as exc:
        return await _render_gate(
            request, pages, service, user, slot_id, refusal=exc, code=code, status=status_of(exc)
        )
    return redirect(f"/backoffice/gate/{slot_id}?scan={scan_id}")


class _EmptyCode(AppError):
    code = "code_format"


def _json_refusal(exc: AppError) -> JSONResponse:
    """gate.js reads JSON: a refusal (another enterprise's slot, a missing one) in the API's shape,
    not the HTML error page the other back-office addresses show."""
    body = {"error": {"code": exc.code, "message": exc.message}}
    return JSONResponse(body, status_of(exc), headers={"Cache-Control": "no-store"})


@router.get("/backoffice/gate/{slot_id}/kit.json")
async def gate_kit(slot_id: PathId, service: Checkin, user: KitPage) -> Response:
    try:
        kit = await service.kit(user, slot_id)
    except AppError as exc:
        return _json_refusal(exc)
    return JSONResponse(kit.model_dump(mode="json"), headers={"Cache-Control": "no-store"})


@router.post("/backoffice/gate/{slot_id}/sync")
async def gate_sync(
    slot_id: PathId, request: Request, service: Checkin, user: MaybeUser
) -> Response:
    """Offline scans from gate.js: a JSON body, the CSRF token in the X-CSRF-Token header."""
    csrf.check(request, Form({csrf.CSRF_FIELD: [request.headers.get("x-csrf-token", "")]}))
    if user is None or not user.at_least("host"):
        return JSONResponse({"error": {"code": "forbidden", "message": STAFF_ONLY}}, 403)
    try:
        await service.guests(user, slot_id)  # this host's slot, or 403
        body = SyncRequest.model_validate_json(await request.body())
        result = await service.sync(user, body.scans)
    except ValidationError:
        message = "Не удалось прочитать отметки. Обновите страницу."
        return JSONResponse({"error": {"code": "invalid_request", "message": message}}, 422)
    except AppError as exc:
        return _json_refusal(exc)
    return JSONResponse(result.model_dump(mode="json"))
