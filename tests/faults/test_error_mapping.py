"""Which failures count as "the database is unavailable" (503 `database_unavailable`), in process.

These need no PostgreSQL server: an app pointed at a closed port or an unopenable SQLite file
meets the same errors as one whose database went away.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from openindustry.app import create_app
from openindustry.config import Settings
from openindustry.kit.db import DatabaseUnreachable, is_unavailable


class _PostgresError(Exception):
    def __init__(self, sqlstate: str) -> None:
        super().__init__(sqlstate)
        self.sqlstate = sqlstate


def _wrapped(sqlstate: str, *, invalidated: bool = False) -> DBAPIError:
    """A driver error as SQLAlchemy hands it over: DBAPIError ← adapted error ← driver error."""
    driver = _PostgresError(sqlstate)
    adapted = Exception("adapted")
    adapted.__cause__ = driver
    return DBAPIError("SELECT 1", {}, adapted, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (_wrapped("08003"), True),  # connection does not exist
        (_wrapped("57P01"), True),  # terminated by an administrator
        (_wrapped("57P03"), True),  # cannot connect now (starting up)
        (_wrapped("53300"), True),  # too many connections
        (_wrapped("55P03"), True),  # lock not available
        (_wrapped("40P01"), True),  # deadlock detected
        (_wrapped("XX000", invalidated=True), True),  # any error that lost the connection
        (OperationalError("SELECT 1", {}, Exception("database is locked")), True),
        (PoolTimeout("QueuePool limit reached"), True),
        (DatabaseUnreachable("ConnectionRefusedError"), True),
        (_wrapped("23505"), False),  # a unique violation is the request's own doing
        (IntegrityError("INSERT", {}, Exception("duplicate")), False),
        (_wrapped("42P01"), False),  # undefined table: a bug, not an outage
        (ValueError("no"), False),
    ],
)
def test_which_errors_mean_the_database_is_unavailable(
    error: BaseException, unavailable: bool
) -> None:
    assert is_unavailable(error) is unavailable


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port  # nothing listens here once the socket closes


@pytest.fixture(params=["postgres-refused", "sqlite-unopenable"])
async def client(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    if request.param == "postgres-refused":
        url = f"postgresql+asyncpg://nobody@127.0.0.1:{_closed_port()}/nothing"
    else:
        url = f"sqlite+aiosqlite:///{tmp_path / 'no-such-directory' / 'app.db'}"
    app = create_app(Settings(database_url=url, environment="test", run_sweeper=False))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client
    await app.state.engine.dispose()


async def test_an_unreachable_database_is_a_503_with_a_code_never_a_500(
    client: httpx.AsyncClient,
) -> None:
    for path in ("/healthz", "/api/v1/slots", "/api/v1/enterprises"):
        response = await client.get(path)
        assert response.status_code == 503, (path, response.text)
        assert response.json() == {
            "error": {
                "code": "database_unavailable",
                "message": response.json()["error"]["message"],
            }
        }
        assert int(response.headers["Retry-After"]) >= 1
    page = await client.get("/catalog")
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "Сервис временно недоступен" in page.text
