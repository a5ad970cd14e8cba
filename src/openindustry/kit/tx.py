"""The transaction boundary: the only code that commits.

A service method wraps its work in `async with transaction(session):`. A nested call from another
service joins the outer transaction, so a whole use case commits once. Callbacks registered with
`after_commit` run only once the outermost transaction has committed (they are dropped on rollback),
so nothing leaves the process for a change that did not happen.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from sqlalchemy.ext.asyncio import AsyncSession

_DEPTH = "openindustry.tx_depth"
_HOOKS = "openindustry.after_commit"

AfterCommit = Callable[[], Awaitable[None]]


@asynccontextmanager
async def transaction(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    depth: int = session.info.get(_DEPTH, 0)
    session.info[_DEPTH] = depth + 1
    if depth:
        try:
            yield session
        finally:
            session.info[_DEPTH] = depth
        return
    try:
        yield session
        await session.commit()
    except BaseException:
        session.info.pop(_HOOKS, None)
        await session.rollback()
        raise
    finally:
        session.info[_DEPTH] = 0
    hooks: list[AfterCommit] = session.info.pop(_HOOKS, [])
    for hook in hooks:
        await hook()


def after_commit(session: AsyncSession, hook: AfterCommit) -> None:
    """Run `hook` after the outermost transaction commits; forget it if it rolls back."""
    session.info.setdefault(_HOOKS, []).append(hook)
