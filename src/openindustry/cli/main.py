"""The `openindustry` command: serve, worker, migrate, demo, purge, backup, restore, draw verify,
admin."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Annotated, TypeVar

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.accounts.schemas import StaffCreate, UserRead
from openindustry.accounts.service import AccountsService
from openindustry.config import Settings
from openindustry.db import backup as backups
from openindustry.db import migrate as migrations
from openindustry.demo import load_demo
from openindustry.draws.rules import PublishedDraw
from openindustry.draws.service import DrawsService
from openindustry.draws.verify import VerifyReport, verify
from openindustry.kit import clock, db
from openindustry.kit.errors import AppError
from openindustry.kit.metrics import MULTIPROCESS_ENV
from openindustry.privacy.schemas import DeletionReport
from openindustry.privacy.service import PrivacyService
from openindustry.worker.jobs import sweep_forever

app = typer.Typer(
    help="Открытая промышленность: the «Открой#Моспром» platform.", no_args_is_help=True
)
admin = typer.Typer(help="Staff accounts and tokens.", no_args_is_help=True)
app.add_typer(admin, name="admin")
draw = typer.Typer(help="Fair draws.", no_args_is_help=True)
app.add_typer(draw, name="draw")
T = TypeVar("T")


def _run_with_session(settings: Settings, use: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async def main() -> T:
        engine = db.create_engine(settings.database_url)
        try:
            async with db.create_sessionmaker(engine)() as session:
                return await use(session)
        finally:
            await engine.dispose()

    return asyncio.run(main())


@app.command()
def migrate() -> None:
    """Apply pending database migrations."""
    settings = Settings()
    migrations.upgrade(settings.database_url)
    typer.echo("Migrations applied.")


@app.command()
def demo() -> None:
    """Load the demo program (the December series) into an empty database; safe to repeat."""
    settings = Settings()
    migrations.upgrade(settings.database_url)

    async def load(session: AsyncSession) -> str:
        summary = await load_demo(session, settings, now=clock.now())
        if not summary.created:
            return "The catalog already has data; the demo was not loaded again."
        return (
            f"Demo loaded: {summary.enterprises} enterprises, {summary.programs} programs, "
            f"{summary.slots} slots, the December quiz and prizes."
        )

    typer.echo(_run_with_session(settings, load))


@app.command()
def purge() -> None:
    """Delete personal data that is due (ID documents), expired tokens and old sign-in codes.

    The worker's sweep does the same once a day; this runs it now."""
    settings = Settings()

    async def run(session: AsyncSession) -> dict[str, int]:
        return await PrivacyService(session, settings).purge()

    counts = _run_with_session(settings, run)
    typer.echo(", ".join(f"{name}: {count}" for name, count in counts.items()))


@app.command("backup")
def backup_command(
    path: Annotated[Path, typer.Argument(help="The backup file to write.")],
    force: Annotated[bool, typer.Option(help="Overwrite PATH if it exists.")] = False,
) -> None:
    """Back up the database while the app runs (SQLite: online backup API; PostgreSQL: pg_dump).

    The copy is checked (a sound database at the current revision) before it is kept."""
    settings = Settings()
    try:
        info = backups.backup(settings.database_url, path, force=force)
    except backups.BackupError as exc:
        typer.echo(f"Backup failed: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"Backup written to {info.path}: {info.size_bytes} bytes, revision {info.revision}.")


@app.command("restore")
def restore_command(
    path: Annotated[Path, typer.Argument(help="A backup made by `openindustry backup`.")],
    force: Annotated[
        bool, typer.Option(help="Replace a database that already holds data (stop the app first).")
    ] = False,
) -> None:
    """Restore a backup into the configured database, once it is checked: a sound database at
    the revision this version of the app expects. A database holding data needs --force."""
    settings = Settings()
    try:
        info = backups.restore(settings.database_url, path, force=force)
    except backups.BackupError as exc:
        typer.echo(f"Restore refused: {exc}", err=True)
        raise typer.Exit(code=1) from exc
    typer.echo(f"Restored {info.path} (revision {info.revision}).")


@admin.command("create-user")
def create_user(
    email: Annotated[str, typer.Option(help="The staff member's e-mail (signs in with a code).")],
    role: Annotated[Role, typer.Option(help="participant, host, organizer or admin.")],
    enterprise: Annotated[
        list[int] | None, typer.Option(help="Enterprise id a host serves; repeatable.")
    ] = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
) -> None:
    """Create a staff account, or change an existing one's role and enterprises."""
    settings = Settings()
    data = StaffCreate(email=email, role=role, name=name, enterprise_ids=enterprise or [])

    async def run(session: AsyncSession) -> UserRead:
        return await AccountsService(session, settings).create_staff(data)

    user = _run_or_exit(settings, run)
    enterprises = ", ".join(map(str, user.enterprise_ids)) or "—"
    typer.echo(f"User {user.id} <{user.email}>: {user.role.value}; enterprises: {enterprises}")


@admin.command("delete-user")
def delete_user(
    user_id: Annotated[int, typer.Option("--id", help="The account's id.")],
    confirm: Annotated[
        str, typer.Option(help="The word УДАЛИТЬ (or DELETE): the deletion cannot be undone.")
    ],
) -> None:
    """Delete an account as its owner would (personal data erased, registrations anonymised,
    statistics kept): for a request made by letter, for staff accounts, or again after a restore."""
    settings = Settings()

    async def run(session: AsyncSession) -> DeletionReport:
        return await PrivacyService(session, settings).delete_account(
            user_id, confirm, by_admin=True
        )

    report = _run_or_exit(settings, run)
    typer.echo(
        f"Account {report.user_id} deleted: {report.registrations_cancelled} upcoming "
        f"registrations cancelled, {report.registrations_anonymised} anonymised."
    )


@admin.command("token")
def token(email: Annotated[str, typer.Option(help="E-mail of an existing account.")]) -> None:
    """Print a bearer token for scripts (keep it secret; it expires like any token)."""
    settings = Settings()

    async def run(session: AsyncSession) -> str:
        return (await AccountsService(session, settings).issue_token(email)).token

    typer.echo(_run_or_exit(settings, run))


def _run_or_exit(settings: Settings, use: Callable[[AsyncSession], Awaitable[T]]) -> T:
    try:
        return _run_with_session(settings, use)
    except AppError as exc:
        typer.echo(f"Error ({exc.code}): {exc.message}", err=True)
        raise typer.Exit(code=1) from exc


@draw.command("verify")
def draw_verify(
    draw_id: Annotated[int, typer.Argument(help="The draw's id (as on its public page).")],
    file: Annotated[
        Path | None,
        typer.Option(help="Verify this published JSON instead of the one in the database."),
    ] = None,
) -> None:
    """Recompute a draw from its published data alone; exit 1 if anything does not match."""
    if file is not None:
        try:
            published = PublishedDraw.from_json(json.loads(file.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            typer.echo(f"Cannot read {file}: {exc}", err=True)
            raise typer.Exit(code=2) from exc
        report = verify(published)
    else:
        settings = Settings()

        async def run(session: AsyncSession) -> VerifyReport:
            return await DrawsService(session, settings).verify(draw_id)

        report = _run_or_exit(settings, run)
    for name, passed, explanation in report.checks:
        typer.echo(f"{'ok  ' if passed else 'FAIL'} {name}: {explanation}")
    typer.echo(f"Draw {draw_id}: {'verified' if report.ok else 'NOT verified'}")
    if not report.ok:
        raise typer.Exit(code=1)


@app.command()
def worker() -> None:
    """Run the time-driven work (offer expiry, lottery draws) in this process, forever."""
    settings = Settings()
    engine = db.create_engine(settings.database_url)
    typer.echo("Worker started.")
    try:
        asyncio.run(sweep_forever(db.create_sessionmaker(engine), settings))
    except KeyboardInterrupt:
        typer.echo("Worker stopped.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Worker processes (one per core on PostgreSQL).")
    ] = 1,
    access_log: Annotated[
        bool, typer.Option(help="Log every request (the load balancer usually does).")
    ] = True,
) -> None:
    """Serve the app (and, on the default SQLite database, apply pending migrations first)."""
    settings = Settings()
    if settings.is_sqlite:
        migrations.upgrade(settings.database_url)
    typer.echo(f"Serving Открытая промышленность on http://{host}:{port}")
    with _metrics_shared_by(workers):
        _serve(host, port, workers, access_log)


@contextlib.contextmanager
def _metrics_shared_by(workers: int) -> Iterator[None]:
    """Several workers keep their metrics in files of one fresh directory, so that a scrape of
    any of them counts every worker's requests (prometheus-client's multiprocess mode)."""
    if workers == 1 or os.environ.get(MULTIPROCESS_ENV):
        yield
        return
    directory = tempfile.mkdtemp(prefix="openindustry-metrics-")
    os.environ[MULTIPROCESS_ENV] = directory
    try:
        yield
    finally:
        del os.environ[MULTIPROCESS_ENV]
        shutil.rmtree(directory, ignore_errors=True)


def _serve(host: str, port: int, workers: int, access_log: bool) -> None:
    uvicorn.run(
        "openindustry.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        # The fast event loop and HTTP parser (uvicorn[standard]); named so that a missing one
        # fails loudly instead of falling back to the slow pure-Python ones.
        loop="uvloop",
        http="httptools",
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_level="info",
        access_log=access_log,
        # A worker that is still importing on a busy machine is not a hung one: uvicorn's 5 s
        # default kills and respawns such workers in a loop.
        timeout_worker_healthcheck=30,
    )


if __name__ == "__main__":
    app()
