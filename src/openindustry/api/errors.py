"""Error mapping for the JSON API: `{"error": {"code", "message"}}` with a fitting status."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from fastapi import Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Match

from openindustry.kit.errors import AppError, ErrorKind, RateLimited

STATUS_BY_KIND = {
    ErrorKind.NOT_FOUND: status.HTTP_404_NOT_FOUND,
    ErrorKind.CONFLICT: status.HTTP_409_CONFLICT,
    ErrorKind.FORBIDDEN: status.HTTP_403_FORBIDDEN,
    ErrorKind.UNAUTHORIZED: status.HTTP_401_UNAUTHORIZED,
    ErrorKind.INVALID: status.HTTP_422_UNPROCESSABLE_CONTENT,
    ErrorKind.BAD_REQUEST: status.HTTP_400_BAD_REQUEST,
    ErrorKind.RATE_LIMITED: status.HTTP_429_TOO_MANY_REQUESTS,
    ErrorKind.UNAVAILABLE: status.HTTP_503_SERVICE_UNAVAILABLE,
}

CODE_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "payload_too_large",
    415: "unsupported_media_type",
    429: "too_many_requests",
    503: "service_unavailable",
}


def error_response(
    status_code: int,
    code: str,
    message: str,
    *,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = jsonable_encoder(details)
    return JSONResponse({"error": body}, status_code=status_code, headers=headers)


def app_error(exc: AppError) -> JSONResponse:
    headers = None
    if isinstance(exc, RateLimited):
        headers = {"Retry-After": str(exc.retry_after)}
    elif exc.kind is ErrorKind.UNAVAILABLE:
        headers = {"Retry-After": "5"}
    elif exc.kind is ErrorKind.UNAUTHORIZED:
        headers = {"WWW-Authenticate": "Bearer"}
    return error_response(
        STATUS_BY_KIND[exc.kind], exc.code, exc.message, details=exc.details, headers=headers
    )


def validation_error(exc: RequestValidationError) -> JSONResponse:
    details = [
        {"loc": list(e.get("loc", ())), "type": e.get("type"), "msg": e.get("msg")}
        for e in exc.errors()
    ]
    fields = ", ".join(".".join(str(p) for p in d["loc"][1:]) or str(d["loc"][0]) for d in details)
    return error_response(
        status.HTTP_422_UNPROCESSABLE_CONTENT,
        "validation_error",
        f"Проверьте параметры запроса: {fields}.",
        details=details,
    )


MESSAGE_BY_STATUS = {
    400: "Тело запроса не удалось прочитать: нужен JSON в UTF-8.",
    404: "Такого адреса нет.",
    405: "Этот метод здесь не поддерживается.",
    413: "Слишком большой запрос.",
    415: "Неподдерживаемый формат данных.",
    429: "Слишком много запросов, повторите позже.",
}


def http_error(exc: HTTPException, request: Request | None = None) -> JSONResponse:
    code = CODE_BY_STATUS.get(exc.status_code, "http_error")
    message = MESSAGE_BY_STATUS.get(exc.status_code) or str(exc.detail)
    headers = dict(exc.headers or {})
    if exc.status_code == status.HTTP_405_METHOD_NOT_ALLOWED and request is not None:
        headers["Allow"] = allowed_methods(request)
    return error_response(exc.status_code, code, message, headers=headers)


def allowed_methods(request: Request) -> str:
    """Every method served at the path (RFC 9110), not only those of the first route matched."""
    methods: set[str] = set()
    for route in _endpoints(request.app.router.routes):
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods |= getattr(route, "methods", None) or set()
    return ", ".join(sorted(methods))


def _endpoints(routes: Iterable[Any]) -> Iterator[Any]:
    # Recent FastAPI keeps an included router as a branch whose routes it resolves lazily.
    for route in routes:
        branch = getattr(route, "effective_candidates", None)
        if branch is not None:
            yield from _endpoints(branch())
        elif hasattr(route, "matches"):
            yield route
