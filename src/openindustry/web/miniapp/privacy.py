"""The participant's own data on the pages: download it, delete the account.

Part of the profile pages (profile.py includes this router). Deleting asks for the typed word
«УДАЛИТЬ» in a form with its CSRF token, then ends the session.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from openindustry.kit.auth import MaybeUser, Principal
from openindustry.kit.errors import AppError
from openindustry.privacy.api import EXPORTS_PER_PERSON, Limiter, Privacy, export_filename
from openindustry.privacy.rules import CONFIRMATION_WORD, CONFIRMATION_WORD_EN
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import status_of
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import end_session, flash, login_url, redirect

router = APIRouter(include_in_schema=False)


@router.get("/profile/export")
async def export(privacy: Privacy, user: MaybeUser, limiter: Limiter) -> Response:
    if user is None:
        return redirect(login_url("/profile"))
    await limiter.hit(EXPORTS_PER_PERSON, "data-export", str(user.user_id))
    data = await privacy.export(user.user_id)
    return Response(
        data.model_dump_json(indent=2),
        media_type="application/json; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{export_filename()}"',
            "Cache-Control": "no-store",
        },
    )


async def _render_delete(
    request: Request,
    pages: Pages,
    privacy: Privacy,
    user: Principal,
    error: AppError | None = None,
) -> HTMLResponse:
    context = {
        "preview": await privacy.deletion_preview(user.user_id),
        "words": {"ru": CONFIRMATION_WORD, "en": CONFIRMATION_WORD_EN},
        "errors": {"confirmation": error.code} if error else {},
    }
    status = status_of(error) if error else 200
    return pages.render(request, "miniapp/account_delete.html", context, status=status)


@router.get("/profile/delete", response_class=HTMLResponse)
async def delete_page(
    request: Request, pages: Pages, privacy: Privacy, user: MaybeUser
) -> Response:
    if user is None:
        return redirect(login_url("/profile/delete"))
    return await _render_delete(request, pages, privacy, user)


@router.post("/profile/delete", response_class=HTMLResponse)
async def delete_account(
    request: Request, pages: Pages, privacy: Privacy, user: MaybeUser, form: CheckedForm
) -> Response:
    if user is None:
        return redirect(login_url("/profile/delete"))
    try:
        await privacy.delete_account(user.user_id, form.text("confirmation")[:64])
    except AppError as exc:
        return await _render_delete(request, pages, privacy, user, exc)
    done: RedirectResponse = flash(redirect("/"), request, "account_deleted")
    return end_session(done, request)
