"""«Задания»: the list with progress, a task's page, the quiz one question per screen, its result,
code words, feedback and invites.

The quiz is played without JavaScript: each question is a GET page, and the answers chosen so far
travel in a hidden field (they are the person's own answers; the service checks them on submit).
Only «Завершить» is a POST (CSRF-checked); it redirects to a result page whose figures ride in a
signed token, so a refresh never submits twice and nobody can forge a result.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request, Response
from fastapi.responses import HTMLResponse, RedirectResponse

from openindustry.kit.auth import MaybeUser, Principal
from openindustry.kit.crypto import keyed_hash
from openindustry.kit.errors import AppError, ErrorKind
from openindustry.kit.ratelimit import Limiter, Scope, client_ip, with_retry_after
from openindustry.kit.types import PathId
from openindustry.quests.api import Quests
from openindustry.quests.models import TaskKind
from openindustry.quests.schemas import AttemptStarted, TaskRead
from openindustry.registration.api import Registrations
from openindustry.registration.models import RegistrationStatus
from openindustry.web.csrf import CheckedForm
from openindustry.web.errors import status_of
from openindustry.web.forms import Form
from openindustry.web.miniapp.deps import Pages
from openindustry.web.session import flash, login_url, redirect, safe_next, settings_of

router = APIRouter(include_in_schema=False)

MAX_ANSWERS_TEXT = 5000
_ANSWER = re.compile(r"^(\d{1,12}):(\d{1,12}(?:\.\d{1,12}){0,19})$")
Answers = dict[int, list[int]]


class _BadAnswers(AppError):
    kind = ErrorKind.INVALID
    code = "invalid_answers"


class _StaleAttempt(AppError):
    kind = ErrorKind.CONFLICT
    code = "no_open_attempt"


# Helpers ---------------------------------------------------------------------------------------


def _next(request: Request, form: Form | None = None) -> str | None:
    raw = form.get("next") if form is not None else request.query_params.get("next")
    found = safe_next(raw, "")
    return found or None


def _with_next(path: str, next_path: str | None, **params: Any) -> str:
    query = {k: v for k, v in params.items() if v is not None}
    if next_path:
        query["next"] = next_path
    return f"{path}?{urlencode(query)}" if query else path


def _to_login(request: Request) -> RedirectResponse:
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return redirect(login_url(here))


def parse_answers(text: str, *, strict: bool) -> Answers:
    """«12:5;13:7.8» → {12: [5], 13: [7, 8]}; junk is an error when strict, skipped otherwise."""
    answers: Answers = {}
    if len(text) > MAX_ANSWERS_TEXT:
        if strict:
            raise _BadAnswers("Ответы не подходят к вопросам попытки.")
        return answers
    for part in filter(None, text.split(";")):
        found = _ANSWER.match(part)
        if not found:
            if strict:
                raise _BadAnswers("Ответы не подходят к вопросам попытки.")
            continue
        options = [int(o) for o in found.group(2).split(".")]
        answers[int(found.group(1))] = list(dict.fromkeys(options))
    return answers


def format_answers(answers: Answers) -> str:
    return ";".join(
        f"{q}:{'.'.join(str(o) for o in opts)}" for q, opts in sorted(answers.items()) if opts
    )


def _merge_current(answers: Answers, at: str, chosen: list[str], *, strict: bool) -> Answers:
    """The current question's choice (`at` its id, `chosen` the ticked options) over the rest."""
    if not at:
        return answers
    if not at.isdigit() or len(at) > 12 or any(not c.isdigit() or len(c) > 12 for c in chosen):
        if strict:
            raise _BadAnswers("Ответы не подходят к вопросам попытки.")
        return answers
    merged = dict(answers)
    options = list(dict.fromkeys(int(c) for c in chosen))
    if options:
        merged[int(at)] = options
    else:
        merged.pop(int(at), None)
    return merged


def _fit(answers: Answers, started: AttemptStarted) -> Answers:
    """Only what belongs to this attempt's questions (for showing; the service checks submits)."""
    known = {q.id: {o.id for o in q.options} for q in started.questions}
    return {
        q: [o for o in opts if o in known[q]]
        for q, opts in answers.items()
        if q in known and any(o in known[q] for o in opts)
    }


def _sign(request: Request, payload: dict[str, Any]) -> str:
    body = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode()
    secret = settings_of(request).secret_key.get_secret_value()
    return f"{body.rstrip('=')}.{keyed_hash(secret, 'quiz-result:' + body.rstrip('='))[:32]}"


def _unsign(request: Request, token: str) -> dict[str, Any] | None:
    if len(token) > 4000 or token.count(".") != 1:
        return None
    body, mac = token.split(".")
    secret = settings_of(request).secret_key.get_secret_value()
    if not hmac.compare_digest(mac, keyed_hash(secret, "quiz-result:" + body)[:32]):
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


# The list --------------------------------------------------------------------------------------


def _group(task: TaskRead) -> str:
    if task.progress and task.progress.done:
        return "done"
    if task.availability == "not_open":
        return "soon"
    if task.availability == "closed":
        return "closed"
    return "now"


@router.get("/tasks", response_class=HTMLResponse)
async def tasks_page(request: Request, quests: Quests, pages: Pages, user: MaybeUser) -> Response:
    found = await quests.tasks(user.user_id if user else None, limit=200)
    groups: dict[str, list[TaskRead]] = {"now": [], "done": [], "soon": [], "closed": []}
    for task in found.items:
        groups[_group(task)].append(task)
    return pages.render(request, "miniapp/tasks.html", {"groups": groups, "user": user})


# A task's page ---------------------------------------------------------------------------------


async def _feedback_slots(registrations: Registrations, user: Principal) -> list[Any]:
    slots = []
    for registration in await registrations.mine(user.user_id):
        slot = registration.slot
        if registration.status is not RegistrationStatus.CONFIRMED or slot is None:
            continue
        if await registrations.has_attended(user.user_id, slot.id):
            slots.append(slot)
    return slots


async def _task_context(
    request: Request,
    task_id: int,
    quests: Quests,
    registrations: Registrations,
    user: Principal | None,
    next_path: str | None,
) -> dict[str, Any]:
    task = await quests.task(task_id, user.user_id if user else None)
    context: dict[str, Any] = {
        "task": task,
        "user": user,
        "next": next_path,
        "refusal": None,
        "referral": None,
        "slots": [],
        "form": {},
        "here": _with_next(f"/tasks/{task.id}", next_path),
    }
    if user is not None and task.kind is TaskKind.REFERRAL:
        context["referral"] = await quests.referral(user.user_id)
    if user is not None and task.kind is TaskKind.FEEDBACK:
        context["slots"] = await _feedback_slots(registrations, user)
    return context


def _refused(exc: AppError) -> dict[str, Any]:
    return {"code": exc.code, "message": exc.message, "details": dict(exc.details)}


async def _task_error(
    request: Request,
    task_id: int,
    quests: Quests,
    registrations: Registrations,
    pages: Pages,
    user: Principal,
    exc: AppError,
    form: dict[str, str] | None = None,
) -> Response:
    if exc.kind is ErrorKind.NOT_FOUND:
        raise exc
    context = await _task_context(request, task_id, quests, registrations, user, _next(request))
    context.update(refusal=_refused(exc), form=form or {})
    page = pages.render(request, "miniapp/task.html", context, status=status_of(exc))
    return with_retry_after(page, exc)


@router.get("/tasks/{task_id}", response_class=HTMLResponse)
async def task_page(
    task_id: PathId,
    request: Request,
    quests: Quests,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
) -> Response:
    context = await _task_context(request, task_id, quests, registrations, user, _next(request))
    invite = request.query_params.get("code", "")[:40]
    if invite:
        context["form"] = {**context["form"], "code": invite}
    return pages.render(request, "miniapp/task.html", context)


@router.get("/invite/{code}", response_class=HTMLResponse)
async def invite_link(code: str, quests: Quests, user: MaybeUser) -> Response:
    """A friend's invite link: to the invite task with the code filled in (after sign-in)."""
    found = await quests.tasks(kind=TaskKind.REFERRAL, limit=1)
    if not found.items:
        return redirect("/tasks")
    target = f"/tasks/{found.items[0].id}?{urlencode({'code': code.strip()[:40]})}"
    return redirect(target if user else login_url(target))


# The quiz --------------------------------------------------------------------------------------


@router.post("/tasks/{task_id}/start", response_class=HTMLResponse)
async def start_quiz(
    task_id: PathId,
    request: Request,
    quests: Quests,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
    form: CheckedForm,
    limiter: Limiter,
) -> Response:
    next_path = _next(request, form)
    if user is None:
        return redirect(login_url(_with_next(f"/tasks/{task_id}", next_path)))
    try:
        await limiter.check(Scope.ATTEMPT, participant=user.user_id, ip=client_ip(request))
        task = await quests.task(task_id, user.user_id)
        if task.kind is not TaskKind.QUIZ:
            raise _StaleAttempt("Это задание — не викторина.")
        await quests.start_attempt(user.user_id, task_id)
    except AppError as exc:
        return await _task_error(request, task_id, quests, registrations, pages, user, exc)
    return redirect(_with_next(f"/tasks/{task_id}/play", next_path, q=1))


async def _open_attempt(quests: Quests, task_id: int, user: Principal) -> AttemptStarted | None:
    """The open attempt, if there is one; read only, so showing a page never uses up a try."""
    task = await quests.task(task_id, user.user_id)
    if task.kind is not TaskKind.QUIZ:
        return None
    return await quests.open_attempt(user.user_id, task_id)


def _position(raw: str | None, count: int) -> int:
    if raw is None or not raw.isdigit() or len(raw) > 4:
        return 1
    return min(max(int(raw), 1), count)


@router.get("/tasks/{task_id}/play", response_class=HTMLResponse)
async def play(
    task_id: PathId,
    request: Request,
    quests: Quests,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
) -> Response:
    if user is None:
        return _to_login(request)
    next_path = _next(request)
    try:
        started = await _open_attempt(quests, task_id, user)
    except AppError as exc:
        return await _task_error(request, task_id, quests, registrations, pages, user, exc)
    if started is None or not started.questions:
        return redirect(_with_next(f"/tasks/{task_id}", next_path))
    params = request.query_params
    answers = parse_answers(params.get("answers", ""), strict=False)
    answers = _merge_current(answers, params.get("at", ""), params.getlist("c"), strict=False)
    answers = _fit(answers, started)
    count = len(started.questions)
    position = _position(params.get("q"), count)
    question = started.questions[position - 1]
    task = await quests.task(task_id, user.user_id)
    context = {
        "task": task,
        "attempt": started,
        "question": question,
        "position": position,
        "count": count,
        "answered": len(answers),
        "chosen": answers.get(question.id, []),
        "answers_text": format_answers({q: o for q, o in answers.items() if q != question.id}),
        "all_answers_text": format_answers(answers),
        "next": next_path,
        "back_url": (
            _with_next(
                f"/tasks/{task_id}/play", next_path, q=position - 1, answers=format_answers(answers)
            )
            if position > 1
            else None
        ),
    }
    return pages.render(request, "miniapp/quiz.html", context)


@router.post("/tasks/{task_id}/submit", response_class=HTMLResponse)
async def submit_quiz(
    task_id: PathId,
    request: Request,
    quests: Quests,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
    form: CheckedForm,
    limiter: Limiter,
) -> Response:
    if user is None:
        return _to_login(request)
    next_path = _next(request, form)
    try:
        await limiter.check(Scope.ATTEMPT, participant=user.user_id, ip=client_ip(request))
        answers = parse_answers(form.get("answers"), strict=True)
        answers = _merge_current(answers, form.get("at"), form.getlist("c"), strict=True)
        attempt_id = form.get("attempt")
        started = await _open_attempt(quests, task_id, user)
        if started is None or str(started.attempt_id) != attempt_id:
            raise _StaleAttempt("Эта попытка уже отправлена.")
        result = await quests.submit_attempt(user.user_id, task_id, answers)
    except AppError as exc:
        return await _task_error(request, task_id, quests, registrations, pages, user, exc)
    order = {q.id: n for n, q in enumerate(started.questions, 1)}
    token = _sign(
        request,
        {
            "u": user.user_id,
            "t": task_id,
            "s": result.score,
            "m": result.max_score,
            "p": result.passed,
            "pt": result.points,
            "l": result.attempts_left,
            "w": sorted(order.get(q, 0) for q in result.wrong),
            "r": result.right_options,
            "o": [q.id for q in started.questions] if result.right_options else None,
        },
    )
    return redirect(_with_next(f"/tasks/{task_id}/result", next_path, r=token))


@router.get("/tasks/{task_id}/result", response_class=HTMLResponse)
async def quiz_result(
    task_id: PathId, request: Request, quests: Quests, pages: Pages, user: MaybeUser
) -> Response:
    if user is None:
        return _to_login(request)
    data = _unsign(request, request.query_params.get("r", ""))
    if data is None or data.get("u") != user.user_id or data.get("t") != task_id:
        return redirect(f"/tasks/{task_id}")
    task = await quests.task(task_id, user.user_id)
    revealed: list[dict[str, Any]] = []
    right = data.get("r")
    if isinstance(right, dict) and isinstance(data.get("o"), list):
        # The service released the right answers (the quiz is over for this person): show them
        # in the order the person saw the questions.
        full = await quests.admin_task(task_id)
        by_id = {q.id: q for q in full.questions}
        for number, question_id in enumerate(data["o"], 1):
            question = by_id.get(question_id)
            if question is None:
                continue
            ids = set(right.get(str(question_id), []))
            revealed.append(
                {
                    "number": number,
                    "text": question.text,
                    "wrong": number in data.get("w", []),
                    "right": [o.text for o in question.options if o.id in ids],
                }
            )
    context = {
        "task": task,
        "r": data,
        "wrong": [n for n in data.get("w", []) if n],
        "revealed": revealed,
        "next": _next(request),
    }
    return pages.render(request, "miniapp/quiz_result.html", context)


# Code words, feedback, invites -----------------------------------------------------------------


@router.post("/tasks/{task_id}/code", response_class=HTMLResponse)
async def code_word(
    task_id: PathId,
    request: Request,
    quests: Quests,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
    form: CheckedForm,
    limiter: Limiter,
) -> Response:
    if user is None:
        return redirect(login_url(f"/tasks/{task_id}"))
    word = form.text("code_word")
    try:
        await limiter.check(Scope.ATTEMPT, participant=user.user_id, ip=client_ip(request))
        if not word or len(word) > 200:
            raise _BadAnswers("Введите кодовое слово.", code="code_word_empty")
        result = await quests.submit_code_word(user.user_id, task_id, word)
    except AppError as exc:
        return await _task_error(
            request, task_id, quests, registrations, pages, user, exc, {"code_word": word[:200]}
        )
    key = "code_word_right" if result.passed else "code_word_wrong"
    return flash(redirect(_with_next(f"/tasks/{task_id}", _next(request, form))), request, key)


@router.post("/tasks/{task_id}/feedback", response_class=HTMLResponse)
async def feedback(
    task_id: PathId,
    request: Request,
    quests: Quests,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
    form: CheckedForm,
    limiter: Limiter,
) -> Response:
    if user is None:
        return redirect(login_url(f"/tasks/{task_id}"))
    slot, rating, comment = form.get("slot_id"), form.get("rating"), form.get("comment").strip()
    kept = {"slot_id": slot, "rating": rating, "comment": comment[:4000]}
    try:
        await limiter.check(Scope.ATTEMPT, participant=user.user_id, ip=client_ip(request))
        if not slot.isdigit() or len(slot) > 12:
            raise _BadAnswers("Выберите экскурсию.", code="feedback_slot")
        if rating not in {"1", "2", "3", "4", "5"}:
            raise _BadAnswers("Поставьте оценку от 1 до 5.", code="feedback_rating")
        if len(comment) > 4000:
            raise _BadAnswers("Отзыв — не больше 4000 символов.", code="feedback_comment")
        await quests.leave_feedback(
            user.user_id, task_id, slot_id=int(slot), rating=int(rating), comment=comment
        )
    except AppError as exc:
        return await _task_error(request, task_id, quests, registrations, pages, user, exc, kept)
    return flash(redirect(f"/tasks/{task_id}"), request, "feedback_sent")


@router.post("/tasks/{task_id}/referral", response_class=HTMLResponse)
async def accept_invite(
    task_id: PathId,
    request: Request,
    quests: Quests,
    registrations: Registrations,
    pages: Pages,
    user: MaybeUser,
    form: CheckedForm,
) -> Response:
    if user is None:
        return redirect(login_url(f"/tasks/{task_id}"))
    code = form.text("code")
    try:
        if not code or len(code) > 40:
            raise _BadAnswers("Такого кода приглашения нет.", code="invalid_referral_code")
        await quests.accept_referral(user.user_id, code)
    except AppError as exc:
        return await _task_error(
            request, task_id, quests, registrations, pages, user, exc, {"code": code[:40]}
        )
    return flash(redirect(f"/tasks/{task_id}"), request, "referral_accepted")
