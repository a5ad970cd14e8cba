"""`openindustry backup` and `restore`: a backup taken while registrations are being written is
one consistent snapshot, and restoring it into a fresh database finds every registration that
was committed before the backup began — on SQLite (online backup API) and PostgreSQL (pg_dump).
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import Result
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.service import AccountsService
from openindustry.catalog.schemas import RegistrationWindowInput
from openindustry.cli.main import app as cli
from openindustry.config import Settings
from openindustry.db import migrate
from openindustry.kit import db
from openindustry.registration.schemas import RegistrationCreate
from openindustry.registration.service import RegistrationService
from tests import factories
from tests.conftest import (
    POSTGRES_ENV,
    create_postgres_database,
    drop_postgres_database,
    in_own_thread,
)

PEOPLE = 12
SLOTS = 3


def run_cli(database_url: str, *args: str) -> Result:
    env = {"OPENINDUSTRY_DATABASE_URL": database_url}
    return CliRunner().invoke(cli, list(args), env=env)


@dataclass
class World:
    url: str
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    settings: Settings
    pairs: list[tuple[int, int]] = field(default_factory=list)  # (user, slot) still to book
    committed: list[int] = field(default_factory=list)  # registration ids, in commit order


@pytest.fixture(scope="module")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test starts from a copy (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("template") / "migrated.db"
    in_own_thread(lambda: migrate.upgrade(f"sqlite+aiosqlite:///{path}"))
    return path


async def _world(url: str, template: Path | None = None) -> World:
    if template is not None:
        shutil.copyfile(template, make_url(url).database or "")
    else:
        await asyncio.to_thread(in_own_thread, lambda: migrate.upgrade(url))
    engine = db.create_engine(url)
    world = World(url, engine, db.create_sessionmaker(engine), Settings(database_url=url))
    now = datetime.now(UTC)
    async with world.sessions() as session:
        accounts = AccountsService(session, world.settings)
        slots = [
            await factories.slot(
                session,
                starts_at=now + timedelta(days=5 + n),
                capacity=PEOPLE * 2,
                registration=RegistrationWindowInput(
                    opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=4)
                ),
            )
            for n in range(SLOTS)
        ]
        for n in range(PEOPLE):
            person = VerifiedIdentity(Provider.TELEGRAM, f"backup-{n}", first_name=f"Гость {n}")
            user = (await accounts.sign_in(person)).user
            await accounts.give_consent(user.id, CONSENT_VERSION)
            world.pairs += [(user.id, s.id) for s in slots]
    return world


async def _book(world: World, count: int | None = None) -> None:
    """Register people one request at a time, each in its own transaction, like the app."""
    async with world.sessions() as session:
        service = RegistrationService(session, world.settings)
        while world.pairs and (count is None or count > 0):
            user_id, slot_id = world.pairs.pop(0)
            registration, _ = await service.register(user_id, slot_id, RegistrationCreate())
            world.committed.append(registration.id)
            count = None if count is None else count - 1
            await asyncio.sleep(0)  # let the backup's thread and the loop interleave


async def _backup_while_writing(world: World, target: Path) -> set[int]:
    """Back up while a writer commits registrations; returns those committed before it began."""
    await _book(world, PEOPLE)
    before = set(world.committed)
    writer = asyncio.create_task(_book(world))
    result = await asyncio.to_thread(run_cli, world.url, "backup", str(target))
    writer.cancel()
    await asyncio.gather(writer, return_exceptions=True)
    assert result.exit_code == 0, result.output
    assert "Backup written" in result.output
    return before


async def _consistent(url: str, before: set[int], committed: list[int]) -> None:
    """Every registration committed before the backup is there, nothing that never was, and the
    seat counters agree with the registrations (a torn copy would not)."""
    engine = db.create_engine(url)
    try:
        async with engine.connect() as connection:
            found = set((await connection.scalars(text("SELECT id FROM registration"))).all())
            taken = (
                await connection.execute(
                    text(
                        "SELECT s.id, s.seats_taken, COALESCE(SUM(r.party_size), 0) FROM slot s "
                        "LEFT JOIN registration r ON r.slot_id = s.id "
                        "AND r.status IN ('confirmed', 'offered') GROUP BY s.id, s.seats_taken"
                    )
                )
            ).all()
    finally:
        await engine.dispose()
    assert before <= found
    assert found <= set(committed)
    assert len(found) >= PEOPLE
    assert [(slot, seats) for slot, seats, _ in taken] == [(slot, held) for slot, _, held in taken]


async def test_sqlite_backup_under_writes_restores_every_registration(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    live = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    world = await _world(live, migrated_sqlite)
    try:
        backup_file = tmp_path / "backups" / "copy.db"
        before = await _backup_while_writing(world, backup_file)
        with sqlite3.connect(backup_file) as copy:  # one self-contained file
            assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)

        fresh = f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'restored.db'}"
        restored = await asyncio.to_thread(run_cli, fresh, "restore", str(backup_file))
        assert restored.exit_code == 0, restored.output
        await _consistent(fresh, before, world.committed)

        # Over the live database: refused without --force, then done in place, and the app's
        # open engine reads the backup's content.
        refused = await asyncio.to_thread(run_cli, live, "restore", str(backup_file))
        assert refused.exit_code == 1
        assert "--force" in refused.output
        forced = await asyncio.to_thread(run_cli, live, "restore", str(backup_file), "--force")
        assert forced.exit_code == 0, forced.output
        async with world.engine.connect() as connection:
            count = await connection.scalar(text("SELECT count(*) FROM registration"))
        with sqlite3.connect(backup_file) as copy:
            assert count == copy.execute("SELECT count(*) FROM registration").fetchone()[0]
    finally:
        await world.engine.dispose()


async def test_restore_refuses_what_is_not_a_sound_backup(
    tmp_path: Path, migrated_sqlite: Path
) -> None:
    live = f"sqlite+aiosqlite:///{tmp_path / 'live.db'}"
    shutil.copyfile(migrated_sqlite, tmp_path / "live.db")
    fresh = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"

    garbage = tmp_path / "notes.txt"
    garbage.write_text("not a database", encoding="utf-8")
    result = await asyncio.to_thread(run_cli, fresh, "restore", str(garbage))
    assert result.exit_code == 1
    assert "not an openindustry database" in result.output

    old = tmp_path / "old.db"
    assert (await asyncio.to_thread(run_cli, live, "backup", str(old))).exit_code == 0
    with sqlite3.connect(old) as connection:
        connection.execute("UPDATE alembic_version SET version_num = '0005a_rewards'")
    result = await asyncio.to_thread(run_cli, fresh, "restore", str(old))
    assert result.exit_code == 1
    assert "revision 0005a_rewards" in result.output
    assert not (tmp_path / "fresh.db").exists()

    again = await asyncio.to_thread(run_cli, live, "backup", str(old))
    assert again.exit_code == 1  # never over an existing file unless forced
    assert (await asyncio.to_thread(run_cli, live, "backup", str(old), "--force")).exit_code == 0


@pytest.fixture
def postgres_pair() -> Iterator[tuple[str, str]]:
    admin = os.environ.get(POSTGRES_ENV)
    if not admin or shutil.which("pg_dump") is None:
        pytest.skip(f"PostgreSQL backups need {POSTGRES_ENV} and pg_dump on the PATH")
    admin = admin.replace("postgresql://", "postgresql+asyncpg://", 1)
    source_name, source = create_postgres_database(admin)
    target_name, target = create_postgres_database(admin)
    yield source, target
    drop_postgres_database(admin, source_name)
    drop_postgres_database(admin, target_name)


async def test_postgres_backup_under_writes_restores_every_registration(
    tmp_path: Path, postgres_pair: tuple[str, str]
) -> None:
    source, target = postgres_pair
    world = await _world(source)
    try:
        dump = tmp_path / "copy.dump"
        before = await _backup_while_writing(world, dump)
        restored = await asyncio.to_thread(run_cli, target, "restore", str(dump))
        assert restored.exit_code == 0, restored.output
        await _consistent(target, before, world.committed)
        refused = await asyncio.to_thread(run_cli, source, "restore", str(dump))
        assert refused.exit_code == 1
        assert "--force" in refused.output
        await world.engine.dispose()  # pg_restore --clean drops tables: no one may hold them
        forced = await asyncio.to_thread(run_cli, source, "restore", str(dump), "--force")
        assert forced.exit_code == 0, forced.output
        await _consistent(source, before, world.committed)
    finally:
        await world.engine.dispose()
