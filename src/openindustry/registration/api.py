"""Registration JSON routes: book, cancel, accept offers, tickets; organizers' slot changes and
other people's registrations (roster and search, add by hand, move, cancel)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status

from openindustry.catalog.schemas import Page, SlotRead, SlotUpdate
from openindustry.config import Settings
from openindustry.kit.auth import CurrentUser, Organizer
from openindustry.kit.deps import get_settings, task_progress
from openindustry.kit.ratelimit import Limiter, Scope, client_ip
from openindustry.kit.types import PathId
from openindustry.notifications.schemas import OrganizerMessage
from openindustry.registration.errors import NoOffer
from openindustry.registration.schemas import (
    MovedRegistrationRead,
    RegistrationCreate,
    RegistrationMove,
    RegistrationRead,
    RosterEntry,
    StaffRegistrationCreate,
    StaffRegistrationRead,
)
from openindustry.registration.service import RegistrationService
from openindustry.registration.staff import StaffRegistrations
from openindustry.registration.tickets import ticket_qr_svg

router = APIRouter(tags=["registration"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=128,
        pattern=r"^[A-Za-z0-9_\-:.]{1,128}$",
        description="Retries with the same key return the first outcome and never book twice.",
    ),
]


async def get_registration(request: Request) -> AsyncIterator[RegistrationService]:
    # The session opened here rather than through kit.deps.get_session: one dependency for
    # FastAPI to solve per request instead of three, on the registration rush's route.
    settings: Settings = request.app.state.settings
    async with request.app.state.sessionmaker() as session:
        yield RegistrationService(session, settings, task_progress(request, session))


Registrations = Annotated[RegistrationService, Depends(get_registration)]


async def get_staff_registrations(
    registrations: Registrations, settings: Annotated[Settings, Depends(get_settings)]
) -> StaffRegistrations:
    return StaffRegistrations(registrations.session, settings, registrations)


StaffDesk = Annotated[StaffRegistrations, Depends(get_staff_registrations)]


@router.post(
    "/slots/{slot_id}/registrations",
    status_code=status.HTTP_201_CREATED,
    summary="Register the caller and chosen companions as one party",
    response_model=RegistrationRead,
    responses={
        200: {
            "model": RegistrationRead,
            "description": "A retry with the same Idempotency-Key: the first outcome",
        }
    },
)
async def register(
    slot_id: PathId,
    body: RegistrationCreate,
    request: Request,
    registrations: Registrations,
    caller: CurrentUser,
    limiter: Limiter,
    idempotency_key: IdempotencyKey = None,
) -> Response:
    # The hot path of a registration rush: two in-memory (or one-round-trip Redis) counters.
    await limiter.check(Scope.REGISTRATION, participant=caller.user_id, ip=client_ip(request))
    registration, created = await registrations.register(
        caller.user_id, slot_id, body, idempotency_key=idempotency_key
    )
    # Serialised by pydantic in one step (the same JSON as JSONResponse of model_dump).
    return Response(
        registration.model_dump_json(),
        status_code=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        media_type="application/json",
    )


@router.get("/me/registrations", summary="The caller's registrations, newest slot first")
async def my_registrations(
    registrations: Registrations, caller: CurrentUser
) -> Page[RegistrationRead]:
    items = await registrations.mine(caller.user_id)
    return Page(items=items, total=len(items), limit=len(items), offset=0)


@router.get("/registrations/{registration_id}", summary="One of the caller's registrations")
async def get_registration_item(
    registration_id: PathId, registrations: Registrations, caller: CurrentUser
) -> RegistrationRead:
    return await registrations.get(caller.user_id, registration_id)


@router.post("/registrations/{registration_id}/cancel", summary="Cancel; seats go to the waitlist")
async def cancel(
    registration_id: PathId, registrations: Registrations, caller: CurrentUser
) -> RegistrationRead:
    return await registrations.cancel(caller.user_id, registration_id)


@router.post(
    "/registrations/{registration_id}/accept-offer", summary="Confirm a waitlist offer in time"
)
async def accept_offer(
    registration_id: PathId, registrations: Registrations, caller: CurrentUser
) -> RegistrationRead:
    return await registrations.accept_offer(caller.user_id, registration_id)


@router.get(
    "/registrations/{registration_id}/ticket.svg",
    response_class=Response,
    summary="The QR ticket (confirmed registrations)",
)
async def ticket_svg(
    registration_id: PathId, registrations: Registrations, caller: CurrentUser
) -> Response:
    registration = await registrations.get(caller.user_id, registration_id)
    if registration.ticket_code is None:
        raise NoOffer("Билет появится, когда запись будет подтверждена.", code="no_ticket")
    title = registration.slot.title if registration.slot else "Билет"
    svg = ticket_qr_svg(registration.ticket_code, title=title)
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "private"})


@router.get(
    "/registrations/{registration_id}/ticket.ics",
    response_class=Response,
    summary="The tour as a calendar event with a reminder",
)
async def ticket_calendar(
    registration_id: PathId,
    registrations: Registrations,
    caller: CurrentUser,
) -> Response:
    body = await registrations.ticket_calendar(caller.user_id, registration_id)
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="ticket-{registration_id}.ics"'},
    )


@router.patch(
    "/admin/slots/{slot_id}", summary="Organizer: change a slot (capacity, times, status)"
)
async def change_slot(
    slot_id: PathId, body: SlotUpdate, staff: StaffDesk, organizer: Organizer
) -> SlotRead:
    return await staff.change_slot(slot_id, body, actor_id=organizer.user_id)


@router.post("/admin/slots/{slot_id}/messages", summary="Organizer: write to a slot's registrants")
async def message_slot(
    slot_id: PathId, body: OrganizerMessage, staff: StaffDesk, organizer: Organizer
) -> dict[str, int]:
    sent = await staff.message_registrants(organizer.user_id, body.text, slot_id=slot_id)
    return {"recipients": sent}


@router.post(
    "/admin/series/{series_id}/messages", summary="Organizer: write to a series' registrants"
)
async def message_series(
    series_id: PathId, body: OrganizerMessage, staff: StaffDesk, organizer: Organizer
) -> dict[str, int]:
    sent = await staff.message_registrants(organizer.user_id, body.text, series_id=series_id)
    return {"recipients": sent}


@router.get(
    "/admin/slots/{slot_id}/registrations",
    summary="Organizer: a slot's registrations, found by name, e-mail, phone or ticket code",
)
async def slot_roster(
    slot_id: PathId,
    staff: StaffDesk,
    _organizer: Organizer,
    q: Annotated[str, Query(max_length=200)] = "",
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Page[RosterEntry]:
    roster = await staff.roster(slot_id, q)
    items = roster.items[offset : offset + limit]
    return Page(items=items, total=len(roster.items), limit=limit, offset=offset)


@router.post(
    "/admin/slots/{slot_id}/registrations",
    status_code=status.HTTP_201_CREATED,
    summary="Organizer: register someone by hand (found by e-mail or phone, or a new account)",
)
async def add_registration(
    slot_id: PathId, body: StaffRegistrationCreate, staff: StaffDesk, organizer: Organizer
) -> StaffRegistrationRead:
    return await staff.add(organizer.user_id, slot_id, body)


@router.post(
    "/admin/registrations/{registration_id}/move",
    summary="Organizer: move a party to another slot (new ticket; the old one is revoked)",
)
async def move_registration(
    registration_id: PathId, body: RegistrationMove, staff: StaffDesk, organizer: Organizer
) -> MovedRegistrationRead:
    return await staff.move(organizer.user_id, registration_id, body)


@router.post(
    "/admin/registrations/{registration_id}/cancel",
    summary="Organizer: cancel someone's registration; seats go to the waitlist",
)
async def cancel_registration(
    registration_id: PathId, staff: StaffDesk, organizer: Organizer
) -> RegistrationRead:
    return await staff.cancel(organizer.user_id, registration_id)
