"""The back office's front door: staff sign in with the e-mail code and land here.

Only a placeholder for now: who you are and which enterprises you act for. The back office itself
comes later.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse

from openindustry.accounts.api import Accounts
from openindustry.catalog.api import Catalog
from openindustry.web.backoffice.staff import HostPage
from openindustry.web.miniapp.deps import Pages

router = APIRouter(include_in_schema=False)


@router.get("/backoffice", response_class=HTMLResponse)
async def backoffice(
    request: Request, accounts: Accounts, catalog: Catalog, pages: Pages, user: HostPage
) -> Response:
    me = await accounts.me(user.user_id)
    enterprises = [await catalog.enterprise(i) for i in me.enterprise_ids]
    return pages.render(
        request,
        "backoffice/home.html",
        {"me": me, "enterprises": enterprises, "staff_role": user.role},
    )


from openindustry.web.backoffice.gate import router as gate_router  # noqa: E402

router.include_router(gate_router)

from openindustry.web.backoffice.stats import router as stats_router  # noqa: E402

router.include_router(stats_router)

from openindustry.web.backoffice.schedule import router as schedule_router  # noqa: E402

router.include_router(schedule_router)

from openindustry.web.backoffice.catalog import router as catalog_router  # noqa: E402

router.include_router(catalog_router)

from openindustry.web.backoffice.audit import router as audit_router  # noqa: E402

router.include_router(audit_router)

from openindustry.web.backoffice.slots import router as slots_router  # noqa: E402

router.include_router(slots_router)

from openindustry.web.backoffice.users import router as users_router  # noqa: E402

router.include_router(users_router)

from openindustry.web.backoffice.notifications import router as notifications_router  # noqa: E402

router.include_router(notifications_router)

from openindustry.web.backoffice.tasks import router as tasks_router  # noqa: E402

router.include_router(tasks_router)

from openindustry.web.backoffice.prizes import router as prizes_router  # noqa: E402

router.include_router(prizes_router)

from openindustry.web.backoffice.draws import router as draws_router  # noqa: E402

router.include_router(draws_router)
