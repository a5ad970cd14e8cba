"""The retention purge: ID data past its period, dead tokens and old sign-in codes go, once a
day from the worker's sweep however many workers run, and on demand from the command line."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import time_machine
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from typer.testing import CliRunner

from openindustry.accounts.models import AccessToken, EmailCode, IdDocument
from openindustry.accounts.schemas import IdDocumentInput
from openindustry.accounts.service import AccountsService
from openindustry.cli.main import app as cli
from openindustry.config import Settings
from openindustry.kit import db
from openindustry.privacy.models import PurgeRun
from openindustry.privacy.service import PrivacyService
from openindustry.worker.jobs import sweep
from tests.conftest import TokenFor
from tests.privacy.conftest import DOCUMENT, rows, user_id_of
from tests.registration.conftest import MakeParticipant


async def _due_data(session: AsyncSession, settings: Settings, person_id: int) -> None:
    """ID data, a token and a sign-in code, all of which are due a month from now."""
    accounts = AccountsService(session, settings)
    await accounts.save_id_document(person_id, IdDocumentInput.model_validate(DOCUMENT))
    await accounts.start_email_sign_in("someone@example.org")


async def test_purge_runs_once_a_day_whoever_sweeps(
    session: AsyncSession,
    engine: AsyncEngine,
    settings: Settings,
    participant: MakeParticipant,
) -> None:
    person = await participant()
    person_id = await user_id_of(person.client, person.token)
    await _due_data(session, settings, person_id)
    later = datetime.now(UTC) + timedelta(days=settings.id_data_retention_days + 1)
    sessions = db.create_sessionmaker(engine)

    with time_machine.travel(later, tick=False):
        # Two workers sweep at the same moment: one of them purges.
        async def purge_in_own_session() -> dict[str, int] | None:
            async with sessions() as own:
                return await PrivacyService(own, settings).purge_daily()

        outcomes = await asyncio.gather(purge_in_own_session(), purge_in_own_session())
        [counts] = [o for o in outcomes if o is not None]
        assert outcomes.count(None) == 1
        assert counts["id_documents"] == 1
        assert counts["email_codes"] == 1
        assert counts["tokens"] >= 1  # the participant's token has expired meanwhile
        assert await rows(session, IdDocument, user_id=person_id) == []
        assert await rows(session, EmailCode) == []
        assert await rows(session, AccessToken, user_id=person_id) == []
        assert (await sweep(sessions, settings)).purged is None  # already done today
        [run] = await rows(session, PurgeRun)
        assert run.counts == counts

    with time_machine.travel(later + timedelta(days=1), tick=False):
        report = await sweep(sessions, settings)
        assert report.purged == {"id_documents": 0, "tokens": 0, "email_codes": 0}
        assert len(await rows(session, PurgeRun)) == 2


async def test_the_command_purges_now(
    session: AsyncSession, settings: Settings, token_for: TokenFor
) -> None:
    await token_for()
    [token] = await rows(session, AccessToken)
    token.revoked_at = datetime.now(UTC)
    await session.commit()
    runner = CliRunner()
    result = await asyncio.to_thread(
        runner.invoke, cli, ["purge"], env={"OPENINDUSTRY_DATABASE_URL": settings.database_url}
    )
    assert result.exit_code == 0, result.output
    assert "tokens: 1" in result.output
    assert await rows(session, AccessToken) == []
