"""The audit log: every staff change is recorded in the transaction that makes it."""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from pydantic_core import to_jsonable_python
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.audit import repository as repo
from openindustry.audit.models import AuditEntry
from openindustry.audit.schemas import AuditEntryRead, AuditFilter, AuditPage
from openindustry.kit import clock
from openindustry.kit.tx import transaction

MOSCOW = ZoneInfo("Europe/Moscow")

# Never logged, whatever a caller passes: ID data and secrets have no place in a log that many
# organizers can read.
_SECRET_KEYS = frozenset(
    {"id_document", "number", "document", "ticket_code", "token", "pickup_code", "code_word"}
)


def jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """A JSON-safe copy (datetimes and dates as ISO strings, enums as values), secrets dropped."""
    if values is None:
        return None
    safe: dict[str, Any] = to_jsonable_python(
        {k: v for k, v in values.items() if k not in _SECRET_KEYS}
    )
    return safe


def changed(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields whose values differ, as (before, after)."""
    b, a = jsonable(before) or {}, jsonable(after) or {}
    keys = [k for k in a if b.get(k) != a.get(k)]
    return {k: b.get(k) for k in keys}, {k: a[k] for k in keys}


class AuditService:
    def __init__(self, session: AsyncSession, tz: tzinfo = MOSCOW) -> None:
        self.session = session
        self.tz = tz

    async def record(
        self,
        actor_id: int | None,
        action: str,
        *,
        subject_type: str,
        subject_id: int,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
    ) -> None:
        """Stage one entry in the caller's transaction: it commits, or vanishes, with the change."""
        async with transaction(self.session):
            self.session.add(
                AuditEntry(
                    actor_id=actor_id,
                    action=action,
                    subject_type=subject_type,
                    subject_id=subject_id,
                    before=jsonable(before),
                    after=jsonable(after),
                    created_at=clock.now(),
                )
            )
            await self.session.flush()

    async def entries(self, filters: AuditFilter, *, limit: int = 50, offset: int = 0) -> AuditPage:
        """Entries newest first; the date range covers whole days on the Moscow calendar."""
        since = (
            datetime.combine(filters.date_from, time(0), tzinfo=self.tz)
            if filters.date_from
            else None
        )
        until = (
            datetime.combine(filters.date_to + timedelta(days=1), time(0), tzinfo=self.tz)
            if filters.date_to
            else None
        )
        async with transaction(self.session):
            rows, total = await repo.entries(
                self.session,
                actor_id=filters.actor_id,
                action=filters.action,
                subject_type=filters.subject_type,
                subject_id=filters.subject_id,
                since=since,
                until=until,
                limit=limit,
                offset=offset,
            )
            return AuditPage(
                items=[AuditEntryRead.model_validate(r) for r in rows],
                total=total,
                limit=limit,
                offset=offset,
            )
