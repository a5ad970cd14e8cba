"""`openindustry serve | migrate | demo`."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Annotated, TypeVar

import typer
import uvicorn
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.catalog.service import CatalogService
from openindustry.config import Settings
from openindustry.db import migrate as migrations
from openindustry.demo import load_demo
from openindustry.kit import clock, db

app = typer.Typer(
    help="Открытая промышленность: the «Открой#Моспром» platform.", no_args_is_help=True
)
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
        summary = await load_demo(
            CatalogService(session, settings.tz), now=clock.now(), tz=settings.tz
        )
        if not summary.created:
            return "The catalog already has data; the demo was not loaded again."
        return (
            f"Demo loaded: {summary.enterprises} enterprises, {summary.programs} programs, "
            f"{summary.slots} slots."
        )

    typer.echo(_run_with_session(settings, load))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
) -> None:
    """Serve the app (and, on the default SQLite database, apply pending migrations first)."""
    settings = Settings()
    if settings.is_sqlite:
        migrations.upgrade(settings.database_url)
    typer.echo(f"Serving Открытая промышленность on http://{host}:{port}")
    uvicorn.run(
        "openindustry.app:create_app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        log_level="info",
    )


if __name__ == "__main__":
    app()
