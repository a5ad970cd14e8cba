"""Registering on the slot page, «Мои билеты» with the QR ticket, and the public draw pages.

Every refusal of the registration service is shown next to the form (4xx) with a way forward;
a success redirects (303) to the ticket page with a flash message.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from markupsafe import Markup
from pydantic import ValidationError

from openindustry.accounts.api import Accounts
from openindustry.accounts.rules import age_on
from openindustry.catalog.api import Catalog
from openindustry.catalog.rules import RegistrationState
from openindustry.catalog.schemas import SlotRead
from openindustry.draws.api import get_draws
from openindustry.draws.models import DrawKind, DrawStatus
from openindustry.draws.service import DrawsService
from openindustry.kit import clock
from openindustry.kit.auth import MaybeUser, Principal
from openindustry.kit.errors import AppError, ErrorKind
from openindustry.kit.ratelimit import Limiter, Scope, client_ip, with_retry_after
from openindustry.kit.types import PathId
from openindustry.quests.api import Quests
from openindustry.quests.schemas import TaskRead
from openindustry.registration.api import Registrations
from openindustry.registration.models import ACTIVE, HOLDING_SEATS, RegistrationStatus
from openindustry.registration.schemas import RegistrationCreate, RegistrationRead
from openindustry.registration.tickets import ticket_qr_svg
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import status_of
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import flash, login_url, redirect, settings_of

router = APIRouter(include_in_schema=False)

Draws = Annotated[DrawsService, Depends(get_draws)]

S = RegistrationStatus
# The states in which the slot page offers the registration form.
BOOKABLE = {RegistrationState.OPEN, RegistrationState.WAITLIST, RegistrationState.LOTTERY}
# A per-form random key: a double submit (or a retried one) books once.
FORM_KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
# The public draw page lists this many ranks; the JSON has them all.
RANKS_SHOWN = 200


def _form_key() -> str:
    return secrets.token_urlsafe(18)


def _here(request: Request) -> str:
    return request.url.path + (f"?{request.url.query}" if request.url.query else "")


def _to_login(next_path: str) -> RedirectResponse:
    return redirect(login_url(next_path))


class _BadForm(AppError):
    kind = ErrorKind.BAD_REQUEST
    code = "form_expired"


# The slot page ---------------------------------------------------------------------------------


async def _slot_context(
    request: Request,
    slot_id: int,
    catalog: Catalog,
    accounts: Accounts,
    registrations: Registrations,
    user: Principal | None,
    quests: Quests,
) -> dict[str, Any]:
    slot = await catalog.slot(slot_id)
    context: dict[str, Any] = {
        "slot": slot,
        "program": await catalog.program(slot.program_id),
        "enterprise": await catalog.enterprise(slot.enterprise_id),
        "bookable": slot.registration.state in BOOKABLE,
        "mine": None,
        "me": None,
        "companions": [],
        "chosen": [],
        "waitlist_ok": False,
        "refusal": None,
        "form_key": _form_key(),
        "here": f"/slots/{slot.id}",
        "missing_tasks": [],
    }
    if slot.required_tasks:
        done = await quests.completed(user.user_id, slot.required_tasks) if user else set()
        context["missing_tasks"] = await _tasks(
            quests, [t for t in slot.required_tasks if t not in done], user
        )
    if user is None:
        return context
    me = await accounts.me(user.user_id)
    mine = [
        r
        for r in await registrations.mine(user.user_id)
        if r.slot_id == slot.id and r.status in ACTIVE
    ]
    day = slot.starts_at.astimezone(settings_of(request).tz).date()
    context.update(
        me=me,
        mine=mine[0] if mine else None,
        companions=[{"companion": c, "age": age_on(c.birth_date, day)} for c in me.companions],
    )
    return context


async def _tasks(quests: Quests, task_ids: list[int], user: Principal | None) -> list[TaskRead]:
    """The tasks that open registration and are not done yet (an unknown id is skipped)."""
    found = []
    for task_id in task_ids:
        try:
            found.append(await quests.task(task_id, user.user_id if user else None))
        except AppError:
            continue
    return found


def _refusal(exc: AppError, request: Request) -> dict[str, Any]:
    details = dict(exc.details)
    blocked = details.get("blocked_until")
    if isinstance(blocked, str):
        try:
            details["blocked_until"] = datetime.fromisoformat(blocked)
        except ValueError:
            details.pop("blocked_until")
    return {"code": exc.code, "message": exc.message, "details": details}


@router.get("/slots/{slot_id}", response_class=HTMLResponse)
async def slot_page(
    slot_id: PathId,
    request: Request,
    catalog: Catalog,
    accounts: Accounts,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
    quests: Quests,
) -> HTMLResponse:
    context = await _slot_context(request, slot_id, catalog, accounts, registrations, user, quests)
    return pages.render(request, "miniapp/slot.html", context)


@router.post("/slots/{slot_id}/register", response_class=HTMLResponse)
async def register(
    slot_id: PathId,
    request: Request,
    catalog: Catalog,
    accounts: Accounts,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
    form: CheckedForm,
    quests: Quests,
    limiter: Limiter,
) -> Response:
    if user is None:
        return _to_login(f"/slots/{slot_id}")
    key = form.get("form_key")
    raw_companions = form.getlist("companion")
    waitlist_ok = form.get("waitlist_ok") == "1"
    try:
        await limiter.check(Scope.REGISTRATION, participant=user.user_id, ip=client_ip(request))
        if not FORM_KEY.fullmatch(key):
            raise _BadForm("Страница устарела. Обновите её и повторите.")
        data = RegistrationCreate.model_validate(
            {"companions": raw_companions, "waitlist_ok": waitlist_ok}
        )
        registration, _created = await registrations.register(
            user.user_id, slot_id, data, idempotency_key=key
        )
    except ValidationError:
        error: AppError = AppError("Проверьте выбор сопровождающих.", code="invalid_companions")
    except AppError as exc:
        if exc.kind is ErrorKind.NOT_FOUND:
            raise  # no such slot: the 404 page
        error = exc
    else:
        target = f"/me/tickets/{registration.id}"
        return flash(redirect(target), request, f"registration_{registration.status.value}")
    context = await _slot_context(request, slot_id, catalog, accounts, registrations, user, quests)
    known = {c["companion"].id for c in context["companions"]}
    context.update(
        refusal=_refusal(error, request),
        chosen=[int(c) for c in raw_companions if c.isdigit() and int(c) in known],
        waitlist_ok=waitlist_ok,
    )
    page = pages.render(request, "miniapp/slot.html", context, status=status_of(error))
    return with_retry_after(page, error)


# «Мои билеты» ----------------------------------------------------------------------------------


def _is_upcoming(registration: RegistrationRead, now: datetime) -> bool:
    slot = registration.slot
    return registration.status in ACTIVE and slot is not None and slot.ends_at > now


@router.get("/me/tickets", response_class=HTMLResponse)
async def tickets(
    request: Request, registrations: Registrations, pages: Pages, user: MaybeUser
) -> Response:
    if user is None:
        return _to_login("/me/tickets")
    now = clock.now()
    items = [r for r in await registrations.mine(user.user_id) if r.slot is not None]
    upcoming = sorted(
        (r for r in items if _is_upcoming(r, now)),
        key=lambda r: r.slot.starts_at if r.slot else now,
    )
    rest = [r for r in items if not _is_upcoming(r, now)]
    return pages.render(request, "miniapp/tickets.html", {"upcoming": upcoming, "rest": rest})


def _ticket_context(request: Request, registration: RegistrationRead) -> dict[str, Any]:
    settings = settings_of(request)
    slot = registration.slot
    assert slot is not None  # noqa: S101 — `get` always reads the slot along
    now = clock.now()
    deadline = slot.starts_at - timedelta(hours=settings.cancel_deadline_hours)
    qr = None
    if registration.ticket_code:
        title = f"QR-код билета: {slot.title}"
        # segno escapes the title; the SVG is our own markup.
        qr = Markup(ticket_qr_svg(registration.ticket_code, title=title))  # noqa: S704
    day = slot.starts_at.astimezone(settings.tz).date()
    return {
        "r": registration,
        "slot": slot,
        "qr": qr,
        "party": [{"member": m, "age": age_on(m.birth_date, day)} for m in registration.companions],
        "cancellable": registration.status in ACTIVE and now < slot.starts_at,
        "late": registration.status in HOLDING_SEATS and now > deadline,
        "deadline_hours": settings.cancel_deadline_hours,
        "no_show_threshold": settings.no_show_threshold,
        "no_show_window_days": settings.no_show_window_days,
        "no_show_block_days": settings.no_show_block_days,
        "error": None,
    }


async def _own_ticket(
    registration_id: int, registrations: Registrations, user: Principal
) -> RegistrationRead:
    # Someone else's registration is «not found» (the service says so): the 404 page.
    return await registrations.get(user.user_id, registration_id)


@router.get("/me/tickets/{registration_id}", response_class=HTMLResponse)
async def ticket(
    registration_id: PathId,
    request: Request,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
) -> Response:
    if user is None:
        return _to_login(_here(request))
    registration = await _own_ticket(registration_id, registrations, user)
    return pages.render(request, "miniapp/ticket.html", _ticket_context(request, registration))


@router.get("/me/tickets/{registration_id}/ticket.ics")
async def ticket_calendar(
    registration_id: PathId, request: Request, registrations: Registrations, user: MaybeUser
) -> Response:
    if user is None:
        return _to_login(f"/me/tickets/{registration_id}")
    body = await registrations.ticket_calendar(user.user_id, registration_id)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="ticket-{registration_id}.ics"',
            "Cache-Control": "private, no-store",
        },
    )


@router.get("/me/tickets/{registration_id}/cancel", response_class=HTMLResponse)
async def cancel_confirm(
    registration_id: PathId,
    request: Request,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
) -> Response:
    if user is None:
        return _to_login(_here(request))
    registration = await _own_ticket(registration_id, registrations, user)
    return pages.render(request, "miniapp/cancel.html", _ticket_context(request, registration))


async def _refused(
    request: Request,
    pages: Pages,
    registrations: Registrations,
    user: Principal,
    registration_id: int,
    exc: AppError,
    template: str,
) -> Response:
    """A refused action shown on its page, next to the ticket; someone else's ticket stays 404."""
    if exc.kind is ErrorKind.NOT_FOUND:
        raise exc
    registration = await _own_ticket(registration_id, registrations, user)
    context = _ticket_context(request, registration) | {"error": exc.code}
    return pages.render(request, f"miniapp/{template}.html", context, status=status_of(exc))


@router.post("/me/tickets/{registration_id}/cancel", response_class=HTMLResponse)
async def cancel(
    registration_id: PathId,
    request: Request,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
    _form: CheckedForm,
) -> Response:
    if user is None:
        return _to_login(f"/me/tickets/{registration_id}/cancel")
    try:
        await registrations.cancel(user.user_id, registration_id)
    except AppError as exc:
        return await _refused(request, pages, registrations, user, registration_id, exc, "cancel")
    return flash(redirect(f"/me/tickets/{registration_id}"), request, "registration_cancelled")


@router.post("/me/tickets/{registration_id}/accept", response_class=HTMLResponse)
async def accept(
    registration_id: PathId,
    request: Request,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
    _form: CheckedForm,
) -> Response:
    if user is None:
        return _to_login(f"/me/tickets/{registration_id}")
    try:
        await registrations.accept_offer(user.user_id, registration_id)
    except AppError as exc:
        return await _refused(request, pages, registrations, user, registration_id, exc, "ticket")
    return flash(redirect(f"/me/tickets/{registration_id}"), request, "offer_accepted")


# The public draw page --------------------------------------------------------------------------


@router.get("/draws/{draw_id}", response_class=HTMLResponse)
async def draw_page(
    draw_id: PathId, request: Request, draws: Draws, catalog: Catalog, pages: Pages
) -> HTMLResponse:
    draw = await draws.get(draw_id)
    slot: SlotRead | None = None
    if draw.kind is DrawKind.SLOT:
        try:
            slot = await catalog.slot(draw.subject_id)
        except AppError:
            slot = None
    published = draw.published or {}
    entries = {e["entry_id"]: e for e in published.get("entries", []) if isinstance(e, dict)}
    ranked = [
        {"place": place, "entry_id": entry, "entry": entries.get(entry, {})}
        for place, entry in enumerate(published.get("ranked", [])[:RANKS_SHOWN], 1)
    ]
    context = {
        "draw": draw,
        "drawn": draw.status is DrawStatus.DRAWN,
        "slot": slot,
        "seats": published.get("seats"),
        "ranked": ranked,
        "ranked_total": len(published.get("ranked", [])),
        "winners": set(draw.winners),
        "weighted": any(e.get("weight", 1) != 1 for e in entries.values()),
    }
    return pages.render(request, "miniapp/draw.html", context)
