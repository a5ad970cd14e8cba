"""The outbox for organizers: messages by status, filtered by a GET form; a dead letter's reason and
a button that puts it back in the queue (audited). Hosts do not see it: messages concern every
enterprise's guests and carry personal data.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import ValidationError

from openindustry.accounts.api import Accounts
from openindustry.kit.types import PathId
from openindustry.notifications.api import Notifications
from openindustry.notifications.models import NotificationStatus
from openindustry.notifications.schemas import NotificationFilter
from openindustry.web.backoffice.staff import OrganizerPage
from openindustry.web.backoffice.stats import field_codes, raw_query
from openindustry.web.csrf import CheckedForm
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import redirect

router = APIRouter(include_in_schema=False)

PAGE = "/backoffice/notifications"
FIELDS = ("status", "kind", "channel", "user_id")
PAGE_SIZE = 50


def _number(raw: str | None, *, limit: int = 1_000_000) -> int | None:
    return int(raw) if raw and raw.isdigit() and int(raw) <= limit else None


@router.get(PAGE, response_class=HTMLResponse)
async def outbox_page(
    request: Request,
    outbox: Notifications,
    accounts: Accounts,
    pages: Pages,
    user: OrganizerPage,
) -> Response:
    raw = raw_query(request, FIELDS)
    offset = _number(request.query_params.get("offset")) or 0
    context: dict[str, Any] = {
        "form": raw,
        "errors": {},
        "page": None,
        "names": {},
        "offset": offset,
        "page_size": PAGE_SIZE,
        "statuses": [s.value for s in NotificationStatus],
        "retried": _number(request.query_params.get("retried"), limit=2**31 - 1),
        "staff_role": user.role,
    }
    try:
        filters = NotificationFilter.model_validate(raw)
    except ValidationError as exc:
        context["errors"] = field_codes(exc)
        return pages.render(request, "backoffice/notifications.html", context, status=422)
    page = await outbox.page(filters, limit=PAGE_SIZE, offset=offset)
    context["page"] = page
    context["names"] = await accounts.names([i.user_id for i in page.items if i.user_id])
    return pages.render(request, "backoffice/notifications.html", context)


@router.post(PAGE + "/{notification_id}/retry", response_class=HTMLResponse)
async def retry(
    notification_id: PathId,
    request: Request,
    outbox: Notifications,
    form: CheckedForm,
    user: OrganizerPage,
) -> Response:
    # A refusal (not dead, a one-off sign-in code) is shown by the app's error page.
    await outbox.retry(notification_id, actor_id=user.user_id)
    return redirect(f"{PAGE}?status=pending&retried={notification_id}")
