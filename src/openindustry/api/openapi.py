"""What the OpenAPI document says about errors and callers, declared once for every JSON route.

Domain routers declare their success answers; this module adds, from each route's dependencies,
the errors the app's one error mapping (api/errors.py) can give it, all in the documented shape
`{"error": {"code", "message"}}`, and whether the route needs a bearer token. FastAPI's own 422
schema is replaced: a refused request carries our shape, with `details` listing each problem.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from openindustry.kit.auth import current_principal, optional_principal

SNAKE_CASE = r"^[a-z][a-z0-9_]*$"

# Documents the scheme only (auto_error off): kit.auth resolves the caller and gives the refusals
# in the documented shape.
bearer = HTTPBearer(
    scheme_name="bearer",
    description="`Authorization: Bearer <token>` from a sign-in (`/auth/...`) or "
    "`openindustry admin token`.",
    auto_error=False,
)


class ValidationIssue(BaseModel):
    loc: list[str | int] = Field(
        description="Where: `body`, `query`, `path` or `header`, then names"
    )
    type: str = Field(description="Pydantic's error type, e.g. `missing`, `int_parsing`")
    msg: str


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=SNAKE_CASE, description="Stable machine code", examples=["sold_out"])
    message: str = Field(min_length=1, description="Human text (Russian), may change")
    details: list[ValidationIssue] | dict[str, Any] | SkipJsonSchema[None] = Field(
        default=None,
        description="`validation_error`: one item per problem; other codes: facts for the client",
    )


class ErrorBody(BaseModel):
    """Every refusal of the JSON API, whatever its status."""

    model_config = ConfigDict(extra="forbid")

    error: ErrorDetail


def _retry_after(required: bool) -> dict[str, Any]:
    return {
        "Retry-After": {
            "description": "Seconds to wait before retrying",
            "required": required,
            "schema": {"type": "integer", "minimum": 1},
        }
    }


WHY = {
    400: "The body is not UTF-8 (`bad_request`) or a one-time code does not match (`invalid_code`)",
    401: "No valid bearer token: `auth_required` (none given) or `invalid_token`",
    403: "The caller's role or enterprises do not allow this (`forbidden`)",
    404: "No such object, or not the caller's (e.g. `slot_not_found`)",
    409: "Refused in the current state (e.g. `sold_out`, `already_registered`)",
    413: "The request body is over the size limit (`payload_too_large`)",
    422: "Malformed input (`validation_error`, with `details`) or a value the rules refuse",
    429: "Too many requests (`too_many_requests` or a narrower code)",
    503: "The database or a provider is unavailable for a moment (`database_unavailable`)",
}
HEADERS = {
    401: {
        "WWW-Authenticate": {
            "description": "`Bearer`",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: _retry_after(True),
    503: _retry_after(True),
}
ALWAYS = (404, 409, 422, 429, 503)
# Files are served at paths ending in their extension; the success answer says what comes back.
FILES = {
    ".svg": ("image/svg+xml", {"type": "string"}),
    ".ics": ("text/calendar", {"type": "string"}),
    ".csv": ("text/csv", {"type": "string", "description": "UTF-8 with a BOM"}),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        {"type": "string", "format": "binary"},
    ),
}


def _calls(dependant: Dependant) -> Iterator[object]:
    for sub in dependant.dependencies:
        yield sub.call
        yield from _calls(sub)


def error_statuses(route: APIRoute) -> list[int]:
    """The errors a route can answer with, from what it depends on and what it takes."""
    calls = set(_calls(route.dependant))
    statuses = set(ALWAYS)
    if optional_principal in calls:
        statuses.add(401)  # an invalid token is refused even where signing in is optional
    if current_principal in calls:
        statuses.add(403)
    if route.body_field is not None:
        statuses.update((400, 413))  # a body that is not UTF-8; a body over the size limit
    statuses.update(
        code for code in (int(key) for key in route.responses if str(key).isdigit()) if code >= 400
    )
    return sorted(statuses)


def _error_response(status: int, declared: dict[str, Any]) -> dict[str, Any]:
    response: dict[str, Any] = {"model": ErrorBody, "description": WHY.get(status, "Refused")}
    response |= declared
    if status in HEADERS:
        response["headers"] = HEADERS[status] | response.get("headers", {})
    return response


def _file_response(route: APIRoute) -> None:
    suffix = next((s for s in FILES if route.path.endswith(s)), None)
    if suffix is None:
        return
    media_type, schema = FILES[suffix]
    success = route.status_code or 200
    declared = route.responses.pop(str(success), None) or route.responses.get(success, {})
    route.responses[success] = declared | {"content": {media_type: {"schema": schema}}}


def document(router: APIRouter) -> APIRouter:
    """Declare errors and the bearer scheme on every route of a domain router (before inclusion)."""
    for route in router.routes:
        if not isinstance(route, APIRoute):
            continue
        route.responses = dict(route.responses)  # a dict may be shared by several routes
        _file_response(route)
        for status in error_statuses(route):
            declared = route.responses.pop(str(status), None) or route.responses.get(status, {})
            route.responses[status] = _error_response(status, declared)
        if current_principal not in set(_calls(route.dependant)):
            # The router-wide scheme is required by default; `{}` makes the token optional here.
            route.openapi_extra = {**(route.openapi_extra or {}), "security": [{}]}
    return router
