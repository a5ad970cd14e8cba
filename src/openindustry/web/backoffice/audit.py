"""The organizers' audit log as a page: entries newest first, filtered by a GET form."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from openindustry.audit.api import get_audit
from openindustry.audit.schemas import AuditFilter
from openindustry.audit.service import AuditService
from openindustry.web.backoffice.stats import DashboardPage, field_codes, raw_query
from openindustry.web.miniapp.deps import Pages

router = APIRouter(include_in_schema=False)

AUDIT_FIELDS = ("action", "actor_id", "subject_type", "subject_id", "date_from", "date_to")
AUDIT_PAGE = 50
Audit = Annotated[AuditService, Depends(get_audit)]


@router.get("/backoffice/audit", response_class=HTMLResponse)
async def audit_log(request: Request, audit: Audit, pages: Pages, user: DashboardPage) -> Response:
    raw = raw_query(request, AUDIT_FIELDS)
    offset_raw = request.query_params.get("offset", "0")
    offset = int(offset_raw) if offset_raw.isdigit() and len(offset_raw) < 8 else 0
    context: dict[str, Any] = {
        "form": raw,
        "errors": {},
        "page": None,
        "offset": offset,
        "page_size": AUDIT_PAGE,
        "staff_role": user.role,
    }
    try:
        filters = AuditFilter.model_validate(raw)
    except ValidationError as exc:
        context["errors"] = field_codes(exc)
        return pages.render(request, "backoffice/audit.html", context, status=422)
    context["page"] = await audit.entries(filters, limit=AUDIT_PAGE, offset=offset)
    return pages.render(request, "backoffice/audit.html", context)
