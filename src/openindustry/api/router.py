"""Mounts each domain's JSON router under /api/v1."""

from fastapi import APIRouter

from openindustry.accounts.api import router as accounts_router
from openindustry.audit.api import router as audit_router
from openindustry.catalog.api import router as catalog_router
from openindustry.checkin.api import router as checkin_router
from openindustry.draws.api import router as draws_router
from openindustry.notifications.api import router as notifications_router
from openindustry.quests.api import router as quests_router
from openindustry.registration.api import router as registration_router
from openindustry.rewards.api import router as rewards_router
from openindustry.stats.api import router as stats_router

api_router = APIRouter(prefix="/api/v1")
api_router.include_router(accounts_router)
api_router.include_router(catalog_router)
api_router.include_router(registration_router)
api_router.include_router(draws_router)
api_router.include_router(notifications_router)
api_router.include_router(rewards_router)
api_router.include_router(quests_router)
api_router.include_router(stats_router)
api_router.include_router(checkin_router)
api_router.include_router(audit_router)
