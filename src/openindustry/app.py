"""The composition root: settings, database, routers, pages, middleware and error handling."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException

from openindustry import __version__
from openindustry.accounts.service import AccountsService
from openindustry.api import errors as api_errors
from openindustry.api.metrics import router as metrics_router
from openindustry.api.router import api_router
from openindustry.config import Settings
from openindustry.kit import db, logs, metrics
from openindustry.kit.auth import Principal
from openindustry.kit.errors import AppError, Unavailable
from openindustry.kit.guard import InputGuard
from openindustry.kit.headers import SecurityHeaders
from openindustry.kit.ratelimit import RateLimiter, with_retry_after
from openindustry.quests.service import QuestsService
from openindustry.web.backoffice.staff import PageRefused, refused_page
from openindustry.web.errors import error_page
from openindustry.web.miniapp.pages import router as miniapp_router
from openindustry.web.render import Renderer
from openindustry.worker.jobs import sweep_forever

log = logging.getLogger("openindustry")

STATIC_DIR = Path(__file__).resolve().parent / "web" / "static"


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in {"/healthz", "/metrics", "/openapi.json"}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    logs.install()
    engine = db.create_engine(settings.database_url, echo=settings.database_echo)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Everything made at start-up (modules, routes, mappers, templates) lives as long as the
        # process: moved out of the collector's generations, a full collection no longer walks
        # it. The collector was 8 % of a worker's CPU in the rush (docs/benchmarks.md).
        gc.collect()
        gc.freeze()
        # Offer expiry and lottery draws run inside `serve` unless a separate worker does them.
        sweeper = (
            asyncio.create_task(sweep_forever(app.state.sessionmaker, settings))
            if settings.run_sweeper
            else None
        )
        yield
        if sweeper is not None:
            sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper
        await engine.dispose()

    app = FastAPI(
        title="Открытая промышленность API",
        version=__version__,
        description="JSON API v1 of the «Открой#Моспром» industrial-tourism platform.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessionmaker = db.create_sessionmaker(engine)
    app.state.renderer = Renderer(settings)
    app.state.rate_limiter = RateLimiter.from_settings(settings)

    # A token look-up reads one row: outside a transaction that is one round trip, not three
    # (BEGIN, SELECT, COMMIT); kit/auth.py keeps the answer for a few seconds.
    token_reader = db.create_sessionmaker(engine.execution_options(isolation_level="AUTOCOMMIT"))

    async def resolve_token(token: str) -> Principal | None:
        async with token_reader() as session:
            return await AccountsService(session, settings).resolve_token(token)

    app.state.resolve_token = resolve_token
    # Registration's gating asks quests which required tasks a person has done.
    app.state.task_progress = lambda session: QuestsService(session, settings)

    _install_error_handlers(app)

    @app.get("/healthz", tags=["operations"], summary="Liveness and database reachability")
    async def healthz() -> JSONResponse:
        try:
            await db.ping(engine)
        except (OSError, SQLAlchemyError):
            return api_errors.app_error(
                Unavailable("База данных недоступна.", code="database_unavailable")
            )
        return JSONResponse({"status": "ok", "version": __version__})

    app.add_middleware(InputGuard)
    # Outside the guard, so its refusals carry the headers too.
    app.add_middleware(
        SecurityHeaders, frame_ancestors=settings.frame_ancestors, hsts=settings.secure_cookies
    )
    # Outermost: it times everything below and sees the status the client really gets.
    app.add_middleware(metrics.RequestMetrics)
    app.include_router(api_router)
    app.include_router(metrics_router)
    app.include_router(miniapp_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _install_error_handlers(app: FastAPI) -> None:
    async def on_app_error(request: Request, exc: AppError) -> Response:
        metrics.count_refusal(exc.code)
        if _wants_json(request):
            return api_errors.app_error(exc)
        page = error_page(request, api_errors.STATUS_BY_KIND[exc.kind], exc.code, exc.message)
        return with_retry_after(page, exc)

    async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
        metrics.count_refusal("validation_error")
        if _wants_json(request):
            return api_errors.validation_error(exc)
        return error_page(request, 422, "validation_error", "Проверьте введённые данные.")

    async def on_http_error(request: Request, exc: HTTPException) -> Response:
        code = api_errors.CODE_BY_STATUS.get(exc.status_code, "http_error")
        metrics.count_refusal(code)
        if _wants_json(request):
            return api_errors.http_error(exc, request)
        return error_page(request, exc.status_code, code, str(exc.detail))

    async def on_unavailable(request: Request, exc: Exception) -> Response:
        # The database (or another service) is down, cut off or out of connections, a lock or
        # pool timed out: a 503 with Retry-After that the client may retry; never a 500 with a
        # trace. Only the exceptions' names are logged: their text can carry query parameters.
        if db.is_unavailable(exc):
            code, what = "database_unavailable", "database"
        elif isinstance(exc, SQLAlchemyError):
            return await on_unexpected(request, exc)
        else:
            code, what = "service_unavailable", "service"
        log.warning("%s unavailable on %s: %s", what, request.url.path, _exception_chain(exc))
        message = "Сервис временно недоступен, повторите через несколько секунд."
        return await on_app_error(request, Unavailable(message, code=code))

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        metrics.count_refusal("internal_error")
        if _wants_json(request):
            return api_errors.error_response(500, "internal_error", "Внутренняя ошибка сервера.")
        return error_page(request, 500, "internal_error", "Внутренняя ошибка сервера.")

    app.add_exception_handler(AppError, on_app_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, on_http_error)  # type: ignore[arg-type]
    app.add_exception_handler(PageRefused, refused_page)  # type: ignore[arg-type]
    app.add_exception_handler(SQLAlchemyError, on_unavailable)
    app.add_exception_handler(ConnectionError, on_unavailable)
    app.add_exception_handler(TimeoutError, on_unavailable)
    app.add_exception_handler(Exception, on_unexpected)


def _exception_chain(exc: BaseException) -> str:
    """`DBAPIError <- Error <- ConnectionDoesNotExistError`: what failed, without any data."""
    names: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(names) < 5:
        names.append(type(current).__name__)
        current = current.__cause__
    return " <- ".join(names)


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory`: each worker process builds its app from the environment."""
    return create_app(Settings())
