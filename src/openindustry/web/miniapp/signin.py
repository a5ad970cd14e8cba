"""Signing in on the pages: the mini-app entry (VK, Telegram, MAX) and the e-mail code.

The same e-mail handlers serve `/login` (participants) and `/backoffice/login` (staff); only the
wording and the landing page differ.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from openindustry.accounts.api import Accounts
from openindustry.accounts.models import TokenKind
from openindustry.accounts.providers.base import InvalidSignature, Provider
from openindustry.accounts.schemas import AuthResult
from openindustry.accounts.service import AccountsService
from openindustry.kit.auth import MaybeUser
from openindustry.kit.errors import AppError
from openindustry.kit.ratelimit import Limiter, RateLimiter, Scope, client_ip, with_retry_after
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import status_of
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import (
    LOGIN_EMAIL_COOKIE,
    LOGIN_EMAIL_MAX_AGE,
    cookie_options,
    flash,
    redirect,
    safe_next,
    settings_of,
    start_session,
)

router = APIRouter(include_in_schema=False)

ENTRY_PROVIDERS = {"vk": Provider.VK, "telegram": Provider.TELEGRAM, "max": Provider.MAX}
MAX_LAUNCH_DATA = 8192
CODE = re.compile(r"[0-9]{6}")
VK_MARK = "#oi-platform=vk"


def _signed_in(request: Request, result: AuthResult, target: str) -> RedirectResponse:
    return start_session(redirect(target), request, result.token)


# Mini-app entry ------------------------------------------------------------------------------


def _entry_page(
    request: Request, pages: Pages, target: str, error: AppError | None = None
) -> HTMLResponse:
    context = {"next": target, "error": error.code if error else None}
    page = pages.render(
        request, "miniapp/entry.html", context, status=status_of(error) if error else 200
    )
    return with_retry_after(page, error) if error else page


async def _launch(
    request: Request, accounts: AccountsService, limiter: RateLimiter, provider: Provider, raw: str
) -> AuthResult:
    """The same limits as the API: per address, then per messenger identity once verified."""
    await limiter.check(Scope.SIGN_IN, ip=client_ip(request))
    identity = accounts.verify_launch_data(provider, raw)
    await limiter.check(Scope.SIGN_IN, participant=f"{provider.value}:{identity.subject}")
    return await accounts.sign_in(identity, kind=TokenKind.SESSION)


@router.get("/entry", response_class=HTMLResponse)
async def entry(request: Request, accounts: Accounts, limiter: Limiter, pages: Pages) -> Response:
    target = safe_next(request.query_params.get("next"))
    if "sign" not in request.query_params:
        # Telegram and MAX keep their data in the fragment: entry.js posts it (or, without
        # JavaScript or outside a messenger, the page offers the e-mail sign-in).
        return _entry_page(request, pages, target)
    # VK: the launch parameters, exactly as received, are what VK signed.
    raw = request.scope["query_string"].decode("utf-8", errors="replace")
    try:
        result = await _launch(request, accounts, limiter, Provider.VK, raw)
    except AppError as exc:
        return _entry_page(request, pages, target, exc)
    # The redirect drops the parameters (and their signature) from the address bar. The fragment
    # tells app.js that VK shows the page, so it loads VK Bridge and sends VKWebAppInit, without
    # which VK does not show the mini-app (it takes the place of any fragment `next` had).
    return _signed_in(request, result, target.split("#", 1)[0] + VK_MARK)


@router.post("/entry", response_class=HTMLResponse)
async def entry_post(
    request: Request, form: CheckedForm, accounts: Accounts, limiter: Limiter, pages: Pages
) -> Response:
    target = safe_next(form.get("next"))
    provider = ENTRY_PROVIDERS.get(form.get("provider"))
    data = form.get("data")
    try:
        if provider is None or not data or len(data) > MAX_LAUNCH_DATA:
            raise InvalidSignature("Данные запуска повреждены или неполны.")
        result = await _launch(request, accounts, limiter, provider, data)
    except AppError as exc:
        return _entry_page(request, pages, target, exc)
    return _signed_in(request, result, target)


# E-mail code -----------------------------------------------------------------------------------


def _staff(request: Request) -> bool:
    return request.url.path.startswith("/backoffice")


def _login_context(request: Request, target: str | None, link: str) -> dict[str, Any]:
    staff = _staff(request)
    base = "/backoffice/login" if staff else "/login"
    return {
        "staff": staff,
        "base": base,
        "next": safe_next(target, "/backoffice" if staff else "/"),
        "link": "1" if link == "1" and not staff else "",
        "errors": {},
    }


@router.get("/login", response_class=HTMLResponse)
@router.get("/backoffice/login", response_class=HTMLResponse)
async def login(request: Request, pages: Pages) -> HTMLResponse:
    query = request.query_params
    context = _login_context(request, query.get("next"), query.get("link", ""))
    context["email"] = ""
    return pages.render(request, "miniapp/login.html", context)


@router.post("/login", response_class=HTMLResponse)
@router.post("/backoffice/login", response_class=HTMLResponse)
async def login_start(
    request: Request, form: CheckedForm, accounts: Accounts, limiter: Limiter, pages: Pages
) -> Response:
    context = _login_context(request, form.get("next"), form.get("link"))
    email = form.text("email")[:320]
    context["email"] = email
    try:
        await limiter.check(Scope.SIGN_IN, ip=client_ip(request))
        await limiter.check(Scope.EMAIL_START, participant=email.lower())
        started = await accounts.start_email_sign_in(email)
    except AppError as exc:
        context["errors"] = {"email": exc.code}
        page = pages.render(request, "miniapp/login.html", context, status=status_of(exc))
        return with_retry_after(page, exc)
    query = {"next": context["next"], **({"link": "1"} if context["link"] else {})}
    response = redirect(f"{context['base']}/code?{urlencode(query)}")
    response.set_cookie(
        LOGIN_EMAIL_COOKIE,
        email,
        max_age=LOGIN_EMAIL_MAX_AGE,
        **cookie_options(settings_of(request)),
    )
    if started.dev_code:
        return flash(response, request, f"dev_code:{started.dev_code}")
    return flash(response, request, "code_sent")


@router.get("/login/code", response_class=HTMLResponse)
@router.get("/backoffice/login/code", response_class=HTMLResponse)
async def login_code(request: Request, pages: Pages) -> Response:
    query = request.query_params
    context = _login_context(request, query.get("next"), query.get("link", ""))
    email = request.cookies.get(LOGIN_EMAIL_COOKIE, "")[:320]
    if not email:
        return redirect(f"{context['base']}?{urlencode({'next': context['next']})}")
    context["email"] = email
    return pages.render(request, "miniapp/login_code.html", context)


@router.post("/login/code", response_class=HTMLResponse)
@router.post("/backoffice/login/code", response_class=HTMLResponse)
async def login_verify(
    request: Request,
    form: CheckedForm,
    accounts: Accounts,
    limiter: Limiter,
    pages: Pages,
    caller: MaybeUser,
) -> Response:
    context = _login_context(request, form.get("next"), form.get("link"))
    email = (form.text("email") or request.cookies.get(LOGIN_EMAIL_COOKIE, ""))[:320]
    if not email:
        return redirect(f"{context['base']}?{urlencode({'next': context['next']})}")
    context["email"] = email
    code = "".join(form.get("code").split())
    if not CODE.fullmatch(code):
        context["errors"] = {"code": "code_format"}
        return pages.render(request, "miniapp/login_code.html", context, status=400)
    # Linking is only ever explicit (from the profile), never a side effect of signing in.
    link_to = caller.user_id if caller and context["link"] else None
    try:
        await limiter.check(Scope.SIGN_IN, ip=client_ip(request))
        await limiter.check(Scope.EMAIL_VERIFY, participant=email.lower())
        result = await accounts.verify_email_code(
            email, code, link_to=link_to, kind=TokenKind.SESSION
        )
    except AppError as exc:
        context["errors"] = {"code": exc.code}
        page = pages.render(request, "miniapp/login_code.html", context, status=status_of(exc))
        return with_retry_after(page, exc)
    response = _signed_in(request, result, context["next"])
    return flash(response, request, "linked" if link_to else "signed_in")
