"""Mounts each domain's JSON router under /api/v1, documenting its errors and bearer auth."""

from fastapi import APIRouter, Depends

from openindustry.accounts.api import router as accounts_router
from openindustry.api.openapi import bearer, document
from openindustry.audit.api import router as audit_router
from openindustry.catalog.api import router as catalog_router
from openindustry.checkin.api import router as checkin_router
from openindustry.draws.api import router as draws_router
from openindustry.notifications.api import router as notifications_router
from openindustry.privacy.api import router as privacy_router
from openindustry.quests.api import router as quests_router
from openindustry.registration.api import router as registration_router
from openindustry.rewards.api import router as rewards_router
from openindustry.stats.api import router as stats_router

# The bearer scheme is declared for every route; api.openapi makes it optional where no caller is
# needed.
api_router = APIRouter(prefix="/api/v1", dependencies=[Depends(bearer)])
api_router.include_router(document(accounts_router))
api_router.include_router(document(catalog_router))
api_router.include_router(document(registration_router))
api_router.include_router(document(draws_router))
api_router.include_router(document(notifications_router))
api_router.include_router(document(rewards_router))
api_router.include_router(document(quests_router))
api_router.include_router(document(stats_router))
api_router.include_router(document(checkin_router))
api_router.include_router(document(audit_router))
api_router.include_router(document(privacy_router))
