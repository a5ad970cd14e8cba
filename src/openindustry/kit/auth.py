"""Who is calling: the principal behind a request, and the role checks every protected route uses.

The kit defines the shape; the composition root (app.py) plugs in how a token becomes a principal
(the accounts service), so domains depend on this module and not on accounts' internals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request

from openindustry.kit.errors import Forbidden, Unauthorized

SESSION_COOKIE = "oi_session"

# Ranked: each role can do what the ones below it can.
ROLE_RANK = {"participant": 0, "host": 1, "organizer": 2, "admin": 3}


@dataclass(frozen=True)
class Principal:
    user_id: int
    role: str
    enterprise_ids: frozenset[int] = field(default_factory=frozenset)
    via_cookie: bool = False

    def at_least(self, role: str) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    def can_host(self, enterprise_id: int) -> bool:
        """Hosts act for their own enterprises only; organizers and admins for all."""
        return self.at_least("organizer") or (
            self.role == "host" and enterprise_id in self.enterprise_ids
        )


Resolver = Callable[[str], Awaitable[Principal | None]]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def optional_principal(request: Request) -> Principal | None:
    """The caller, if any. The JSON API reads only the bearer token; pages only the cookie."""
    if hasattr(request.state, "principal"):
        cached: Principal | None = request.state.principal
        return cached
    resolve: Resolver = request.app.state.resolve_token
    principal: Principal | None = None
    if request.url.path.startswith("/api/"):
        token = bearer_token(request)
        if token is not None:
            principal = await resolve(token)
            if principal is None:
                raise Unauthorized("Токен недействителен или истёк.", code="invalid_token")
    else:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            found = await resolve(token)
            principal = (
                Principal(found.user_id, found.role, found.enterprise_ids, via_cookie=True)
                if found
                else None
            )
    request.state.principal = principal
    return principal


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("Войдите, чтобы продолжить.", code="auth_required")
    return principal


def require_role(role: str) -> Callable[[Principal], Awaitable[Principal]]:
    """A dependency admitting `role` and the roles above it."""

    async def check(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.at_least(role):
            raise Forbidden("Недостаточно прав.", code="forbidden")
        return principal

    return check


CurrentUser = Annotated[Principal, Depends(current_principal)]
MaybeUser = Annotated[Principal | None, Depends(optional_principal)]
Host = Annotated[Principal, Depends(require_role("host"))]
Organizer = Annotated[Principal, Depends(require_role("organizer"))]
Admin = Annotated[Principal, Depends(require_role("admin"))]
