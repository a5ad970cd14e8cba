"""Accounts JSON routes: sign-in through every door, the profile, consent, ID data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.providers.base import Provider
from openindustry.accounts.schemas import (
    AuthResult,
    ConsentGive,
    ConsentRead,
    EmailStart,
    EmailStarted,
    EmailVerify,
    IdDocumentInput,
    MaxAuth,
    StaffCreate,
    TelegramAuth,
    UserRead,
    UserUpdate,
    VkAuth,
)
from openindustry.accounts.service import AccountsService
from openindustry.config import Settings
from openindustry.kit.auth import Admin, CurrentUser, MaybeUser, Principal, bearer_token
from openindustry.kit.deps import get_session, get_settings
from openindustry.kit.ratelimit import Limiter, RateLimiter, Scope, client_ip

router = APIRouter(tags=["accounts"])


async def get_accounts(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> AccountsService:
    return AccountsService(session, settings)


Accounts = Annotated[AccountsService, Depends(get_accounts)]


async def auth_rate_limit(request: Request, limiter: Limiter) -> None:
    # Per network address across all sign-in doors; per identity or e-mail address in the route.
    await limiter.check(Scope.SIGN_IN, ip=client_ip(request))


AUTH_LIMITED = [Depends(auth_rate_limit)]


async def _launch(
    accounts: AccountsService,
    limiter: RateLimiter,
    provider: Provider,
    raw: str,
    caller: Principal | None,
) -> AuthResult:
    identity = accounts.verify_launch_data(provider, raw)
    await limiter.check(Scope.SIGN_IN, participant=f"{provider.value}:{identity.subject}")
    # A signed-in caller who signs in through another door links it to the same account.
    return await accounts.sign_in(identity, link_to=caller.user_id if caller else None)


@router.post("/auth/vk", dependencies=AUTH_LIMITED, summary="Sign in with VK launch params")
async def auth_vk(
    body: VkAuth, accounts: Accounts, limiter: Limiter, caller: MaybeUser
) -> AuthResult:
    return await _launch(accounts, limiter, Provider.VK, body.launch_params, caller)


@router.post("/auth/telegram", dependencies=AUTH_LIMITED, summary="Sign in with Telegram initData")
async def auth_telegram(
    body: TelegramAuth, accounts: Accounts, limiter: Limiter, caller: MaybeUser
) -> AuthResult:
    return await _launch(accounts, limiter, Provider.TELEGRAM, body.init_data, caller)


@router.post("/auth/max", dependencies=AUTH_LIMITED, summary="Sign in with MAX WebAppData")
async def auth_max(
    body: MaxAuth, accounts: Accounts, limiter: Limiter, caller: MaybeUser
) -> AuthResult:
    return await _launch(accounts, limiter, Provider.MAX, body.web_app_data, caller)


@router.post(
    "/auth/email/start", dependencies=AUTH_LIMITED, summary="Send a sign-in code by e-mail"
)
async def auth_email_start(body: EmailStart, accounts: Accounts, limiter: Limiter) -> EmailStarted:
    await limiter.check(Scope.EMAIL_START, participant=body.email.strip().lower())
    return await accounts.start_email_sign_in(body.email)


@router.post(
    "/auth/email/verify", dependencies=AUTH_LIMITED, summary="Sign in with the e-mail code"
)
async def auth_email_verify(
    body: EmailVerify, accounts: Accounts, limiter: Limiter, caller: MaybeUser
) -> AuthResult:
    await limiter.check(Scope.EMAIL_VERIFY, participant=body.email.strip().lower())
    link_to = caller.user_id if caller else None
    return await accounts.verify_email_code(body.email, body.code, link_to=link_to)


@router.post(
    "/auth/logout", status_code=status.HTTP_204_NO_CONTENT, summary="Revoke the bearer token"
)
async def auth_logout(request: Request, accounts: Accounts, _caller: CurrentUser) -> Response:
    token = bearer_token(request)
    if token:
        await accounts.sign_out(token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/me", summary="The caller's profile")
async def get_me(accounts: Accounts, caller: CurrentUser) -> UserRead:
    return await accounts.me(caller.user_id)


@router.patch("/me", summary="Change the profile (companions: the whole new list)")
async def patch_me(body: UserUpdate, accounts: Accounts, caller: CurrentUser) -> UserRead:
    return await accounts.update_me(caller.user_id, body)


@router.get("/consent", summary="The current consent text and version")
async def get_consent(accounts: Accounts) -> ConsentRead:
    return accounts.consent()


@router.post("/me/consent", summary="Give consent to the current version")
async def give_consent(body: ConsentGive, accounts: Accounts, caller: CurrentUser) -> UserRead:
    return await accounts.give_consent(caller.user_id, body.version)


@router.put("/me/id-document", summary="Save ID document data (kept encrypted, shown masked)")
async def put_id_document(
    body: IdDocumentInput, accounts: Accounts, caller: CurrentUser
) -> UserRead:
    return await accounts.save_id_document(caller.user_id, body)


@router.delete(
    "/me/id-document", status_code=status.HTTP_204_NO_CONTENT, summary="Delete ID document data"
)
async def delete_id_document(accounts: Accounts, caller: CurrentUser) -> Response:
    await accounts.delete_id_document(caller.user_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/admin/users", status_code=status.HTTP_201_CREATED, summary="Admin: create or update staff"
)
async def create_staff(body: StaffCreate, accounts: Accounts, _admin: Admin) -> UserRead:
    return await accounts.create_staff(body, actor_id=_admin.user_id)
