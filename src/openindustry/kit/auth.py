"""Who is calling: the principal behind a request, and the role checks every protected route uses.

The kit defines the shape; the composition root (app.py) plugs in how a token becomes a principal
(the accounts service), so domains depend on this module and not on accounts' internals.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from openindustry.kit import clock
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

# How long a resolved token is trusted without asking the database again. A token revoked, a role
# changed or an account erased by another process is noticed within this time; by this process,
# at once (the session events below empty the cache).
TOKEN_CACHE_SECONDS = 15.0
TOKEN_CACHE_SIZE = 100_000


class TokenCache:
    """Principals of recently seen tokens, keyed by the token's SHA-256, for a short while.

    A participant's mini-app makes several API calls in a row; each would otherwise cost a
    database round trip before any work. Time is read from `kit.clock`, so an expiry in the
    tests' travelled time is seen too.
    """

    def __init__(self, seconds: float = TOKEN_CACHE_SECONDS, size: int = TOKEN_CACHE_SIZE) -> None:
        self.seconds = seconds
        self.size = size
        self._entries: dict[str, tuple[float, Principal]] = {}

    def get(self, token: str) -> Principal | None:
        key = _digest(token)
        found = self._entries.get(key)
        if found is None:
            return None
        until, principal = found
        if clock.now().timestamp() >= until:
            del self._entries[key]
            return None
        return principal

    def put(self, token: str, principal: Principal) -> None:
        if len(self._entries) >= self.size:
            # Oldest first (dicts keep insertion order): a full cache drops its first tenth.
            for key in list(itertools.islice(self._entries, self.size // 10 or 1)):
                del self._entries[key]
        self._entries[_digest(token)] = (clock.now().timestamp() + self.seconds, principal)

    def clear(self) -> None:
        self._entries.clear()


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# One per process: every app in it resolves tokens of its own database, and tokens are random.
token_cache = TokenCache()

# Writes that can change what a token stands for: revocations and deletions of tokens, a role or
# an account changed or erased, a host's enterprises. Rare next to reads, so any of them empties
# this process's cache once its transaction commits; other processes see it within the TTL.
_PRINCIPAL_TABLES = frozenset({"access_token", "user_account", "host_assignment"})
_CHANGED = "openindustry.principals_changed"


@event.listens_for(Session, "do_orm_execute")
def _watch_statements(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _PRINCIPAL_TABLES:
            state.session.info[_CHANGED] = True


@event.listens_for(Session, "before_flush")
def _watch_flush(session: Session, _context: object, _instances: object) -> None:
    assigned = [o for o in session.new if getattr(o, "__tablename__", "") == "host_assignment"]
    changed = [*session.dirty, *session.deleted, *assigned]
    if any(getattr(o, "__tablename__", "") in _PRINCIPAL_TABLES for o in changed):
        session.info[_CHANGED] = True


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.info.pop(_CHANGED, False):
        token_cache.clear()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop(_CHANGED, None)


async def _resolve(resolve: Resolver, token: str) -> Principal | None:
    principal = token_cache.get(token)
    if principal is None:
        principal = await resolve(token)
        if principal is not None:
            token_cache.put(token, principal)
    return principal


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
            principal = await _resolve(resolve, token)
            if principal is None:
                raise Unauthorized("Токен недействителен или истёк.", code="invalid_token")
    else:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            found = await _resolve(resolve, token)
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
