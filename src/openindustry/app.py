"""The composition root: settings, database, routers, pages, middleware and error handling."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError, OperationalError
from starlette.exceptions import HTTPException

from openindustry import __version__
from openindustry.accounts.service import AccountsService
from openindustry.api import errors as api_errors
from openindustry.api.router import api_router
from openindustry.config import Settings
from openindustry.kit import db, logs
from openindustry.kit.auth import Principal
from openindustry.kit.errors import AppError, Unavailable
from openindustry.kit.guard import InputGuard
from openindustry.kit.ratelimit import RateLimiter
from openindustry.quests.service import QuestsService
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
    app.state.rate_limiter = RateLimiter(settings.redis_url, enabled=settings.rate_limit_enabled)

    async def resolve_token(token: str) -> Principal | None:
        async with app.state.sessionmaker() as session:
            return await AccountsService(session, settings).resolve_token(token)

    app.state.resolve_token = resolve_token
    # Registration's gating asks quests which required tasks a person has done.
    app.state.task_progress = lambda session: QuestsService(session, settings)

    _install_error_handlers(app)
    _install_headers(app)

    @app.get("/healthz", tags=["operations"], summary="Liveness and database reachability")
    async def healthz() -> JSONResponse:
        try:
            await db.ping(engine)
        except (OSError, DBAPIError):
            return api_errors.error_response(503, "database_unavailable", "База данных недоступна.")
        return JSONResponse({"status": "ok", "version": __version__})

    app.add_middleware(InputGuard)
    app.include_router(api_router)
    app.include_router(miniapp_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _install_error_handlers(app: FastAPI) -> None:
    async def on_app_error(request: Request, exc: AppError) -> Response:
        if _wants_json(request):
            return api_errors.app_error(exc)
        return error_page(request, api_errors.STATUS_BY_KIND[exc.kind], exc.code, exc.message)

    async def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
        if _wants_json(request):
            return api_errors.validation_error(exc)
        return error_page(request, 422, "validation_error", "Проверьте введённые данные.")

    async def on_http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return api_errors.http_error(exc)
        code = api_errors.CODE_BY_STATUS.get(exc.status_code, "http_error")
        return error_page(request, exc.status_code, code, str(exc.detail))

    async def on_database_down(request: Request, exc: Exception) -> Response:
        # Connection loss, lock timeouts: the client may retry; never a 500 with a trace.
        log.warning("database unavailable: %s", type(exc).__name__)
        return await on_app_error(
            request,
            Unavailable(
                "Сервис временно перегружен, повторите через несколько секунд.",
                code="database_unavailable",
            ),
        )

    async def on_unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if _wants_json(request):
            return api_errors.error_response(500, "internal_error", "Внутренняя ошибка сервера.")
        return error_page(request, 500, "internal_error", "Внутренняя ошибка сервера.")

    app.add_exception_handler(AppError, on_app_error)  # type: ignore[arg-type]
    app.add_exception_handler(RequestValidationError, on_validation_error)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, on_http_error)  # type: ignore[arg-type]
    app.add_exception_handler(OperationalError, on_database_down)
    app.add_exception_handler(ConnectionError, on_database_down)
    app.add_exception_handler(Exception, on_unexpected)


def _install_headers(app: FastAPI) -> None:
    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response


def create_app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory`: each worker process builds its app from the environment."""
    return create_app(Settings())
