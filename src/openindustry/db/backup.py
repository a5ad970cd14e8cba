"""Backups and restores: SQLite through its online backup API, PostgreSQL through pg_dump.

Both are safe while the app runs. SQLite's backup API copies the database in one step inside a
read transaction, so the copy is one consistent snapshot (in WAL mode writers go on meanwhile);
pg_dump reads one snapshot too. A backup is checked before it is kept, and a file is checked
before it is restored: a sound database at the migrations' current revision, nothing else.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import URL, make_url

from openindustry.db.migrate import alembic_config
from openindustry.kit import db

PG_TIMEOUT_SECONDS = 3600


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why, in plain words."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str
    size_bytes: int


def head_revision(database_url: str) -> str:
    """The revision the code expects: the newest migration."""
    head = ScriptDirectory.from_config(alembic_config(database_url)).get_current_head()
    if head is None:
        raise BackupError("no migrations found")
    return head


def backup(database_url: str, target: Path, *, force: bool = False) -> BackupInfo:
    """Write a checked backup of the database to `target` (never over a file, unless forced)."""
    if target.exists() and not force:
        raise BackupError(f"{target} already exists; choose another name or pass --force")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _backup_sqlite(_sqlite_file(url), target, head_revision(database_url))
    if url.get_backend_name() == "postgresql":
        return _backup_postgres(url, target, head_revision(database_url))
    raise BackupError(f"backups of {url.get_backend_name()} are not supported")


def restore(database_url: str, source: Path, *, force: bool = False) -> BackupInfo:
    """Replace the database's content with a checked backup; a database that already holds
    tables (a live one) is replaced only when forced."""
    if not source.is_file():
        raise BackupError(f"{source} is not a file")
    url = make_url(database_url)
    expected = head_revision(database_url)
    if url.get_backend_name() == "sqlite":
        return _restore_sqlite(source, _sqlite_file(url), expected, force=force)
    if url.get_backend_name() == "postgresql":
        return _restore_postgres(source, url, expected, force=force)
    raise BackupError(f"restores into {url.get_backend_name()} are not supported")


# SQLite --------------------------------------------------------------------------------------


def _sqlite_file(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError("an in-memory database has nothing to back up")
    return Path(url.database)


def _check_sqlite(path: Path, expected: str) -> str:
    """The file's revision, once it has proved a sound database at the expected revision."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} cannot be opened: {exc}") from exc
    try:
        verdict = connection.execute("PRAGMA integrity_check").fetchone()
        if verdict is None or verdict[0] != "ok":
            raise BackupError(f"{path} is damaged: {verdict[0] if verdict else 'no answer'}")
        row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not an openindustry database: {exc}") from exc
    finally:
        connection.close()
    revision = row[0] if row else "none"
    if revision != expected:
        raise BackupError(
            f"{path} is at revision {revision}, this version of the app expects {expected}"
        )
    return str(revision)


def _backup_sqlite(source: Path, target: Path, expected: str) -> BackupInfo:
    if not source.is_file():
        raise BackupError(f"there is no database at {source}")
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    live = sqlite3.connect(source, timeout=15)
    copy = sqlite3.connect(partial)
    try:
        # pages=-1: the whole database in one step, inside one read transaction.
        live.backup(copy, pages=-1)
        # A self-contained file: no -wal beside it to forget when the file is moved.
        copy.execute("PRAGMA journal_mode=DELETE")
    finally:
        copy.close()
        live.close()
    try:
        revision = _check_sqlite(partial, expected)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return BackupInfo(target, revision, target.stat().st_size)


def _has_tables_sqlite(path: Path) -> bool:
    if not path.is_file() or path.stat().st_size == 0:
        return False
    connection = sqlite3.connect(path, timeout=15)
    try:
        found = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()
    finally:
        connection.close()
    return bool(found and found[0])


def _restore_sqlite(source: Path, target: Path, expected: str, *, force: bool) -> BackupInfo:
    revision = _check_sqlite(source, expected)
    if _has_tables_sqlite(target) and not force:
        raise BackupError(
            f"{target} holds a database; stop the app and pass --force to replace its content"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    backup_file = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    live = sqlite3.connect(target, timeout=15)
    try:
        # Through the backup API, not a file copy: it takes the database's locks, so open
        # connections (and the -wal file) see the restored content, never half of it.
        backup_file.backup(live, pages=-1)
    finally:
        live.close()
        backup_file.close()
    _check_sqlite(target, expected)
    return BackupInfo(target, revision, target.stat().st_size)


# PostgreSQL ----------------------------------------------------------------------------------


def _pg_env(url: URL) -> dict[str, str]:
    """libpq's environment for the URL: the password never appears on a command line."""
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", str(url.port) if url.port else None),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value:
            env[name] = str(value)
    sslmode = url.query.get("sslmode") or url.query.get("ssl")
    if isinstance(sslmode, str):
        env["PGSSLMODE"] = sslmode
    return env


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not on the PATH; install the PostgreSQL client tools")
    return found


def _run(command: list[str], env: dict[str, str]) -> str:
    try:
        done = subprocess.run(  # noqa: S603 — fixed tools, arguments are paths
            command,
            env=env,
            capture_output=True,
            text=True,
            timeout=PG_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{Path(command[0]).name} timed out") from exc
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def _dump_revision(path: Path, env: dict[str, str]) -> str:
    """The alembic revision stored in a custom-format dump (its alembic_version data)."""
    restore_tool = _pg_tool("pg_restore")
    # Fails on anything that is not a readable pg_dump archive.
    data = _run(
        [restore_tool, "--data-only", "--table=alembic_version", "--file=-", str(path)], env
    )
    lines = data.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and index + 1 < len(lines):
            return lines[index + 1].strip()
    return "none"


def _check_dump(path: Path, env: dict[str, str], expected: str) -> str:
    revision = _dump_revision(path, env)
    if revision != expected:
        raise BackupError(
            f"{path} is at revision {revision}, this version of the app expects {expected}"
        )
    return revision


def _backup_postgres(url: URL, target: Path, expected: str) -> BackupInfo:
    env = _pg_env(url)
    partial = target.with_name(target.name + ".part")
    partial.unlink(missing_ok=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={partial}"], env)
    try:
        revision = _check_dump(partial, env, expected)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    partial.replace(target)
    return BackupInfo(target, revision, target.stat().st_size)


def _has_tables_postgres(url: URL) -> bool:
    async def count() -> int:
        engine = db.create_engine(url.render_as_string(hide_password=False))
        try:
            async with engine.connect() as connection:
                found = await connection.scalar(
                    text(
                        "SELECT count(*) FROM information_schema.tables "
                        "WHERE table_schema = current_schema()"
                    )
                )
                return int(found or 0)
        finally:
            await engine.dispose()

    return asyncio.run(count()) > 0


def _restore_postgres(source: Path, url: URL, expected: str, *, force: bool) -> BackupInfo:
    env = _pg_env(url)
    revision = _check_dump(source, env, expected)
    if _has_tables_postgres(url) and not force:
        raise BackupError(
            f"database {url.database} holds tables; stop the app and pass --force to replace them"
        )
    # One transaction: the database is the backup's, or unchanged if anything fails.
    _run(
        [
            _pg_tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            f"--dbname={url.database}",
            str(source),
        ],
        env,
    )
    return BackupInfo(source, revision, source.stat().st_size)
