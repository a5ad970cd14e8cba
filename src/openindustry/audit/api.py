"""Audit JSON routes: the organizers' view of the log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.audit.schemas import AuditFilter, AuditPage
from openindustry.audit.service import AuditService
from openindustry.config import Settings
from openindustry.kit.auth import Organizer
from openindustry.kit.deps import get_session, get_settings

router = APIRouter(tags=["audit"])


def get_audit(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> AuditService:
    return AuditService(session, settings.tz)


@router.get("/admin/audit", summary="Organizer: the audit log of staff changes, newest first")
async def audit_log(
    audit: Annotated[AuditService, Depends(get_audit)],
    _organizer: Organizer,
    filters: Annotated[AuditFilter, Query()],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AuditPage:
    return await audit.entries(filters, limit=limit, offset=offset)
