"""Database plumbing shared by every domain: the declarative base, portable types, the engine."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Enum, MetaData, event, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SATimeoutError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored as UTC on every backend.

    SQLite keeps no offset, so values are normalised to UTC on the way in and marked UTC on the way
    out; PostgreSQL gets `timestamp with time zone`.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def string_enum(cls: type[StrEnum]) -> Enum:
    """An enum stored as its string values with a CHECK: portable, and cheap to extend."""
    return Enum(
        cls,
        native_enum=False,
        create_constraint=True,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        name=cls.__name__.lower(),
    )


# JSON documents: JSONB on PostgreSQL, JSON (text) elsewhere.
JSONDocument = JSON().with_variant(JSONB(), "postgresql")


def _sqlite_pragmas(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # WAL lets readers run while one writer commits; busy_timeout makes concurrent writers queue
    # instead of failing at once with "database is locked".
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


CONNECT_TIMEOUT_SECONDS = 5.0
# Per app process, at most POOL_SIZE connections: with N workers and M hosts, PostgreSQL's
# max_connections (100 by default) must cover M × N × POOL_SIZE plus the workers'. No overflow:
# an overflow connection is closed as soon as it is returned while the pool is full, so under a
# rush every request beyond the pool opened and closed its own connection (a PostgreSQL backend
# forked, TLS tried, the codecs set up) — more CPU than the booking. Requests beyond the pool
# wait for a connection instead; more than a few per core buy nothing, the seat row is one.
POOL_SIZE = 10
MAX_OVERFLOW = 0


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An async engine for SQLite (aiosqlite) or PostgreSQL (asyncpg), configured for either."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, echo=echo, connect_args={"timeout": 15})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    # A check on checkout replaces connections the server has dropped (restart,
    # pg_terminate_backend) before a request uses them, so the app recovers by itself once the
    # database is back; a connect timeout keeps an unreachable host from holding requests for
    # asyncpg's 60 s.
    engine = create_async_engine(
        url,
        echo=echo,
        pool_size=POOL_SIZE,
        max_overflow=MAX_OVERFLOW,
        pool_recycle=1800,
        connect_args={"timeout": CONNECT_TIMEOUT_SECONDS},
    )
    event.listen(engine.sync_engine, "do_connect", _connect_or_unreachable)
    event.listen(engine.sync_engine, "checkout", _ping_on_checkout)
    return engine


def _ping_on_checkout(dbapi_connection: Any, _record: ConnectionPoolEntry, _proxy: Any) -> None:
    # What pool_pre_ping is for, without a round trip: a connection the server closed (restart,
    # pg_terminate_backend, a proxy gone) has had its end of the socket read by the event loop
    # while it sat in the pool, and asyncpg marks it closed. The pool then replaces it and tries
    # again. (A `SELECT 1` here cost a round trip and ~0.3 ms of CPU on every checkout, twice per
    # registration; a connection cut in the instant between this check and its use fails its
    # request with the same 503 as a cut in the middle of a request.)
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("connection closed by the server")


# SQLSTATEs that say "not now" rather than "wrong": the classes connection exception, insufficient
# resources (too many connections) and operator intervention (shutdown, cannot connect now, query
# cancelled); lock not available, serialization failure, deadlock.
_TRANSIENT_SQLSTATE_CLASSES = ("08", "53", "57")
_TRANSIENT_SQLSTATES = ("55P03", "40001", "40P01")


class DatabaseUnreachable(ConnectionError):
    """The database did not accept a connection: refused, unreachable or timed out."""


def _connect_or_unreachable(
    dialect: Dialect, _record: ConnectionPoolEntry, cargs: Any, cparams: Any
) -> Any:
    # A refused connect comes out of asyncpg as a bare OSError; named here, it cannot be
    # mistaken for another service's network failure.
    try:
        return dialect.connect(*cargs, **cparams)
    except (OSError, TimeoutError) as exc:
        raise DatabaseUnreachable(f"{type(exc).__name__}: {exc}") from exc


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` means the database cannot serve right now, so a retry later may succeed.

    True for a refused or lost connection, a pool or connect timeout, a server shutting down or
    out of connections, a lock or statement timeout, a deadlock; false for errors in the request
    itself (constraint violations, bad SQL), which are bugs or handled elsewhere.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, DatabaseUnreachable | OperationalError | InterfaceError):
            return True
        if isinstance(current, SATimeoutError):  # no connection free in the pool in time
            return True
        if isinstance(current, DBAPIError) and current.connection_invalidated:
            return True
        state = str(getattr(current, "sqlstate", None) or "")
        if state[:2] in _TRANSIENT_SQLSTATE_CLASSES or state in _TRANSIENT_SQLSTATES:
            return True
        following = current.orig if isinstance(current, DBAPIError) else None
        current = following or current.__cause__
    return False


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


async def ping(engine: AsyncEngine) -> None:
    """Raise if the database cannot answer a trivial query."""
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
