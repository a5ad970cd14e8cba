"""Check-in JSON routes: the gate's scans, offline kit and sync, hosts' guest lists and exports."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.checkin.schemas import (
    CheckinKit,
    CheckinRequest,
    CheckinResult,
    GuestList,
    SyncRequest,
    SyncResult,
)
from openindustry.checkin.service import CheckinService
from openindustry.config import Settings
from openindustry.kit.auth import Host
from openindustry.kit.deps import get_session, get_settings
from openindustry.kit.types import PathId

router = APIRouter(tags=["checkin"])

MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def get_checkin(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> CheckinService:
    return CheckinService(session, settings)


Checkin = Annotated[CheckinService, Depends(get_checkin)]


@router.post("/checkin", summary="Host: validate a ticket and mark attendance (idempotent)")
async def checkin(body: CheckinRequest, service: Checkin, host: Host) -> CheckinResult:
    return await service.checkin(host, body)


@router.post("/checkin/sync", summary="Host: apply scans made offline; double entries reported")
async def sync(body: SyncRequest, service: Checkin, host: Host) -> SyncResult:
    return await service.sync(host, body.scans)


@router.get("/admin/slots/{slot_id}/guests", summary="Host: a slot's guest list (ID data masked)")
async def guests(slot_id: PathId, service: Checkin, host: Host) -> GuestList:
    return await service.guests(host, slot_id)


async def _export(service: CheckinService, host: Host, slot_id: int, kind: str) -> Response:
    filename, body = await service.export(host, slot_id, kind)
    return Response(
        body,
        media_type=MEDIA[kind],
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/admin/slots/{slot_id}/guests.csv",
    response_class=Response,
    summary="Host: the guest list for the security desk, CSV (UTF-8 with BOM, `;`)",
)
async def guests_csv(slot_id: PathId, service: Checkin, host: Host) -> Response:
    return await _export(service, host, slot_id, "csv")


@router.get(
    "/admin/slots/{slot_id}/guests.xlsx",
    response_class=Response,
    summary="Host: the guest list for the security desk, XLSX",
)
async def guests_xlsx(slot_id: PathId, service: Checkin, host: Host) -> Response:
    return await _export(service, host, slot_id, "xlsx")


@router.get(
    "/admin/slots/{slot_id}/checkin-kit",
    summary="Host: public key, guests and revoked registrations for offline check-in",
)
async def checkin_kit(slot_id: PathId, service: Checkin, host: Host) -> CheckinKit:
    return await service.kit(host, slot_id)
