"""The migrations build exactly the schema the models describe, on both backends, both ways."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from openindustry.db import migrate
from openindustry.db.registry import metadata
from openindustry.kit import db
from tests.conftest import POSTGRES_ENV, create_postgres_database, drop_postgres_database


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'nested' / 'fresh.db'}"
        return
    admin = os.environ.get(POSTGRES_ENV)
    if not admin:
        pytest.skip(f"PostgreSQL tests need {POSTGRES_ENV}")
    admin = admin.replace("postgresql://", "postgresql+asyncpg://", 1)
    name, url = create_postgres_database(admin)
    yield url
    drop_postgres_database(admin, name)


def _diff_and_tables(url: str) -> tuple[list[object], set[str]]:
    def inspect_sync(connection: Connection) -> tuple[list[object], set[str]]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, metadata), set(inspect(connection).get_table_names())

    async def run() -> tuple[list[object], set[str]]:
        engine = db.create_engine(url)
        try:
            async with engine.connect() as connection:
                return await connection.run_sync(inspect_sync)
        finally:
            await engine.dispose()

    return asyncio.run(run())


def test_upgrade_matches_the_models_and_downgrade_undoes_it(fresh_url: str) -> None:
    migrate.upgrade(fresh_url)
    diff, tables = _diff_and_tables(fresh_url)
    assert diff == [], "models and migrations disagree: write a migration"
    assert set(metadata.tables) <= tables

    command.downgrade(migrate.alembic_config(fresh_url), "base")
    _, tables = _diff_and_tables(fresh_url)
    assert tables <= {"alembic_version"}

    migrate.upgrade(fresh_url)  # and up again: downgrade left nothing behind that blocks it
    assert _diff_and_tables(fresh_url)[0] == []
