"""The participant's own pages: profile, companions, consent, ID document, sign-out.

Signed-in only: an anonymous visitor is sent to the sign-in page and brought back afterwards.
Every successful POST redirects (303) to a page that shows a short flash message.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError

from openindustry.accounts.api import Accounts
from openindustry.accounts.rules import age_on
from openindustry.accounts.schemas import (
    Channel,
    CompanionInput,
    CompanionRead,
    DocumentType,
    IdDocumentInput,
    UserRead,
    UserUpdate,
)
from openindustry.kit import clock
from openindustry.kit.auth import SESSION_COOKIE, MaybeUser, Principal
from openindustry.kit.errors import AppError
from openindustry.kit.types import PathId
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import status_of
from openindustry.web.forms import Form, field_errors
from openindustry.web.miniapp.deps import Pages
from openindustry.web.miniapp.privacy import router as privacy_router
from openindustry.web.session import end_session, flash, login_url, redirect, safe_next

router = APIRouter(include_in_schema=False)

ADULT_AGE = 18


def _to_login(next_path: str) -> RedirectResponse:
    return redirect(login_url(next_path))


def _done(request: Request, target: str, key: str) -> RedirectResponse:
    return flash(redirect(target), request, key)


# Profile ---------------------------------------------------------------------------------------


def _profile_form(me: UserRead) -> dict[str, Any]:
    return {
        "name": me.name,
        "phone": me.phone or "",
        "birth_date": me.birth_date.isoformat() if me.birth_date else "",
        "notification_channels": [c.value for c in me.notification_channels],
    }


def _render_profile(
    request: Request,
    pages: Pages,
    me: UserRead,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> HTMLResponse:
    context = {
        "me": me,
        "form": form or _profile_form(me),
        "errors": errors or {},
        "channels": list(Channel),
    }
    return pages.render(request, "miniapp/profile.html", context, status=status)


@router.get("/profile", response_class=HTMLResponse)
async def profile(request: Request, accounts: Accounts, pages: Pages, user: MaybeUser) -> Response:
    if user is None:
        return _to_login("/profile")
    return _render_profile(request, pages, await accounts.me(user.user_id))


@router.post("/profile", response_class=HTMLResponse)
async def profile_save(
    request: Request, accounts: Accounts, pages: Pages, user: MaybeUser, form: CheckedForm
) -> Response:
    if user is None:
        return _to_login("/profile")
    entered = {
        "name": form.text("name"),
        "phone": form.text("phone"),
        "birth_date": form.text("birth_date"),
        # Unique, in the order of the form; an unknown value is refused by the schema.
        "notification_channels": list(dict.fromkeys(form.getlist("notification_channels"))),
    }
    try:
        update = UserUpdate.model_validate(
            {
                **entered,
                "phone": entered["phone"] or None,
                "birth_date": entered["birth_date"] or None,
            }
        )
        await accounts.update_me(user.user_id, update)
    except ValidationError as exc:
        me = await accounts.me(user.user_id)
        return _render_profile(request, pages, me, entered, field_errors(exc), status=422)
    except AppError as exc:
        me = await accounts.me(user.user_id)
        errors = {"form": exc.code}
        return _render_profile(request, pages, me, entered, errors, status=status_of(exc))
    return _done(request, "/profile", "saved")


# Companions ------------------------------------------------------------------------------------


def _kept(companions: list[CompanionRead]) -> list[dict[str, Any]]:
    return [{"id": c.id, "name": c.name, "birth_date": c.birth_date} for c in companions]


def _companion_entry(form: Form) -> dict[str, Any]:
    return {"name": form.text("name"), "birth_date": form.text("birth_date") or None}


async def _render_companions(
    request: Request,
    pages: Pages,
    accounts: Accounts,
    user: Principal,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    target: str | None = None,
) -> HTMLResponse:
    today = clock.now().astimezone(accounts.settings.tz).date()
    companions = await accounts.companions(user.user_id)
    context = {
        "companions": [{"companion": c, "age": age_on(c.birth_date, today)} for c in companions],
        "adult_age": ADULT_AGE,
        "form": form or {},
        "errors": errors or {},
        "today": today.isoformat(),
        "next": target,
    }
    return pages.render(request, "miniapp/companions.html", context, status=status)


async def _replace_companions(
    request: Request,
    pages: Pages,
    accounts: Accounts,
    user: Principal,
    companions: list[dict[str, Any]],
    *,
    prefix: str,
    entered: dict[str, Any],
    done: str,
    target: str | None = None,
) -> Response:
    """Validate and save the whole new list (the service replaces it in full)."""
    try:
        update = UserUpdate(companions=[CompanionInput.model_validate(c) for c in companions])
        await accounts.update_me(user.user_id, update)
    except ValidationError as exc:
        errors = field_errors(exc, prefix)
        return await _render_companions(
            request,
            pages,
            accounts,
            user,
            form={prefix: entered},
            errors=errors,
            status=422,
            target=target,
        )
    except AppError as exc:
        return await _render_companions(
            request,
            pages,
            accounts,
            user,
            form={prefix: entered},
            errors={"form": exc.code},
            status=status_of(exc),
            target=target,
        )
    # Added on the way to a registration: straight back to it.
    return _done(request, target or "/profile/companions", done)


def _next_of(value: str | None) -> str | None:
    target = safe_next(value, "")
    return target or None


@router.get("/profile/companions", response_class=HTMLResponse)
async def companions(
    request: Request, accounts: Accounts, pages: Pages, user: MaybeUser
) -> Response:
    target = _next_of(request.query_params.get("next"))
    if user is None:
        return _to_login(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return await _render_companions(request, pages, accounts, user, target=target)


@router.post("/profile/companions", response_class=HTMLResponse)
async def companion_add(
    request: Request, accounts: Accounts, pages: Pages, user: MaybeUser, form: CheckedForm
) -> Response:
    if user is None:
        return _to_login("/profile/companions")
    entered = _companion_entry(form)
    current = _kept(await accounts.companions(user.user_id))
    return await _replace_companions(
        request,
        pages,
        accounts,
        user,
        # A new companion is checked on its own first, so its errors point at its own fields.
        [*current, entered] if _valid_companion(entered) else [entered],
        prefix="new-",
        entered=entered,
        done="companion_added",
        target=_next_of(form.get("next")),
    )


def _valid_companion(entered: dict[str, Any]) -> bool:
    try:
        CompanionInput.model_validate(entered)
    except ValidationError:
        return False
    return True


@router.post("/profile/companions/{companion_id}", response_class=HTMLResponse)
async def companion_edit(
    companion_id: PathId,
    request: Request,
    accounts: Accounts,
    pages: Pages,
    user: MaybeUser,
    form: CheckedForm,
) -> Response:
    if user is None:
        return _to_login("/profile/companions")
    entered = _companion_entry(form)
    current = _kept(await accounts.companions(user.user_id))
    if not any(c["id"] == companion_id for c in current):
        # Let the service refuse an id that is not this person's companion.
        current.append({"id": companion_id})
    changed = [{**c, **entered} if c["id"] == companion_id else c for c in current]
    return await _replace_companions(
        request,
        pages,
        accounts,
        user,
        changed,
        prefix=f"c{companion_id}-",
        entered=entered,
        done="companion_saved",
    )


@router.post("/profile/companions/{companion_id}/delete", response_class=HTMLResponse)
async def companion_remove(
    companion_id: PathId,
    request: Request,
    accounts: Accounts,
    user: MaybeUser,
    _form: CheckedForm,
) -> RedirectResponse:
    if user is None:
        return _to_login("/profile/companions")
    current = await accounts.companions(user.user_id)
    kept = [CompanionInput(id=c.id, name=c.name, birth_date=c.birth_date) for c in current]
    # Removing one that is already gone is not an error: the wish is fulfilled.
    await accounts.update_me(
        user.user_id, UserUpdate(companions=[c for c in kept if c.id != companion_id])
    )
    return _done(request, "/profile/companions", "companion_removed")


# Consent ---------------------------------------------------------------------------------------


async def _render_consent(
    request: Request,
    pages: Pages,
    accounts: Accounts,
    user: Principal,
    target: str,
    error: AppError | None = None,
) -> HTMLResponse:
    context = {
        "consent": accounts.consent(),
        "me": await accounts.me(user.user_id),
        "next": target,
        "errors": {"form": error.code} if error else {},
    }
    return pages.render(
        request, "miniapp/consent.html", context, status=status_of(error) if error else 200
    )


@router.get("/profile/consent", response_class=HTMLResponse)
async def consent(request: Request, accounts: Accounts, pages: Pages, user: MaybeUser) -> Response:
    target = safe_next(request.query_params.get("next"), "/profile")
    if user is None:
        return _to_login(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    return await _render_consent(request, pages, accounts, user, target)


@router.post("/profile/consent", response_class=HTMLResponse)
async def consent_give(
    request: Request, accounts: Accounts, pages: Pages, user: MaybeUser, form: CheckedForm
) -> Response:
    target = safe_next(form.get("next"), "/profile")
    if user is None:
        return _to_login("/profile/consent")
    try:
        await accounts.give_consent(user.user_id, form.text("version")[:32])
    except AppError as exc:
        return await _render_consent(request, pages, accounts, user, target, exc)
    return _done(request, target, "consent_given")


# ID document -----------------------------------------------------------------------------------


async def _render_id_document(
    request: Request,
    pages: Pages,
    accounts: Accounts,
    user: Principal,
    *,
    form: dict[str, Any] | None = None,
    errors: dict[str, str] | None = None,
    status: int = 200,
    target: str | None = None,
) -> HTMLResponse:
    context = {
        "me": await accounts.me(user.user_id),
        "document_types": list(DocumentType),
        "retention_days": accounts.settings.id_data_retention_days,
        "form": form or {},
        "errors": errors or {},
        "next": target,
    }
    return pages.render(request, "miniapp/id_document.html", context, status=status)


@router.get("/profile/id-document", response_class=HTMLResponse)
async def id_document(
    request: Request, accounts: Accounts, pages: Pages, user: MaybeUser
) -> Response:
    if user is None:
        return _to_login(request.url.path + (f"?{request.url.query}" if request.url.query else ""))
    target = _next_of(request.query_params.get("next"))
    return await _render_id_document(request, pages, accounts, user, target=target)


@router.post("/profile/id-document", response_class=HTMLResponse)
async def id_document_save(
    request: Request, accounts: Accounts, pages: Pages, user: MaybeUser, form: CheckedForm
) -> Response:
    if user is None:
        return _to_login("/profile/id-document")
    target = _next_of(form.get("next"))
    entered = {
        "document_type": form.text("document_type"),
        "number": form.text("number"),
        "full_name": form.text("full_name"),
    }
    try:
        await accounts.save_id_document(user.user_id, IdDocumentInput.model_validate(entered))
    except ValidationError as exc:
        # The number is never sent back into the page, not even after a mistake.
        shown = {**entered, "number": ""}
        return await _render_id_document(
            request,
            pages,
            accounts,
            user,
            form=shown,
            errors=field_errors(exc),
            status=422,
            target=target,
        )
    return _done(request, target or "/profile/id-document", "id_saved")


@router.post("/profile/id-document/delete", response_class=HTMLResponse)
async def id_document_delete(
    request: Request, accounts: Accounts, user: MaybeUser, _form: CheckedForm
) -> RedirectResponse:
    if user is None:
        return _to_login("/profile/id-document")
    await accounts.delete_id_document(user.user_id)
    return _done(request, "/profile/id-document", "id_deleted")


# Sign-out --------------------------------------------------------------------------------------


@router.post("/logout", response_class=HTMLResponse)
async def logout(request: Request, accounts: Accounts, _form: CheckedForm) -> RedirectResponse:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await accounts.sign_out(token)
    return end_session(_done(request, "/", "signed_out"), request)


# Downloading one's data and deleting the account live in privacy.py.
router.include_router(privacy_router)
