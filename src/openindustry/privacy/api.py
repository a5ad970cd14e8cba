"""Personal-data JSON routes: download one's data, delete one's account."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.config import Settings
from openindustry.kit import clock
from openindustry.kit.auth import CurrentUser
from openindustry.kit.deps import get_session, get_settings
from openindustry.kit.ratelimit import RateLimiter, get_rate_limiter
from openindustry.privacy.schemas import AccountDeletion, DeletionReport, PersonalData
from openindustry.privacy.service import PrivacyService

router = APIRouter(tags=["personal data"])

# A download reads every domain: a few a day is what a person needs, a loop is not.
EXPORTS_PER_PERSON = "10/hour"


def get_privacy(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> PrivacyService:
    return PrivacyService(session, settings)


Privacy = Annotated[PrivacyService, Depends(get_privacy)]
Limiter = Annotated[RateLimiter, Depends(get_rate_limiter)]


def export_filename() -> str:
    return f"openindustry-my-data-{clock.now():%Y%m%d}.json"


@router.get(
    "/me/export",
    summary="Download all of one's data as JSON (no secrets; the ID number masked)",
)
async def export_me(
    response: Response, privacy: Privacy, caller: CurrentUser, limiter: Limiter
) -> PersonalData:
    await limiter.hit(EXPORTS_PER_PERSON, "data-export", str(caller.user_id))
    response.headers["Content-Disposition"] = f'attachment; filename="{export_filename()}"'
    response.headers["Cache-Control"] = "no-store"
    return await privacy.export(caller.user_id)


@router.delete(
    "/me",
    summary="Delete one's account for good: personal data erased, registrations anonymised",
    description=(
        'The body must carry the word typed by the person: `{"confirmation": "УДАЛИТЬ"}`; '
        "anything else is refused with 422 `confirmation_required`. Upcoming registrations are "
        "cancelled first (their seats go to the waitlist); every token is revoked."
    ),
)
async def delete_me(body: AccountDeletion, privacy: Privacy, caller: CurrentUser) -> DeletionReport:
    return await privacy.delete_account(caller.user_id, body.confirmation)
