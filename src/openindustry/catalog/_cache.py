"""The catalog's static parts, kept per process: what a slot shows of its program, enterprise,
industry and series, and a program's and an enterprise's own answers.

Every slot read (the catalog list, the slot page, every registration) needs them, and they
change only when an organizer edits the catalog; loading them as ORM objects was most of a
catalog request's CPU. The slot's own row (times, window, capacity, seats taken, status) is
always read fresh, so seats, state and anything an organizer changes on a slot are never stale.

An edit of a program, enterprise, industry or series empties this process's cache once its
transaction commits, and a session holding such an uncommitted edit bypasses the cache (it sees
its own change); other processes see an edit within CATALOG_CACHE_SECONDS (docs/deployment.md).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import time as clock_time

from pydantic import BaseModel
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from openindustry.catalog.models import AllocationMode, ProgramFormat

CATALOG_CACHE_SECONDS = 10.0
CATALOG_CACHE_SIZE = 50_000


@dataclass(frozen=True)
class ProgramFacts:
    """A program as slots show it, with its enterprise and industry."""

    program_id: int
    title: str
    format: ProgramFormat
    age_rating: int
    enterprise_id: int
    enterprise_name: str
    enterprise_slug: str
    address: str
    requires_id_document: bool
    min_age: int | None
    industry: str


@dataclass(frozen=True)
class SeriesFacts:
    """A series' registration policy, as its slots apply it."""

    series_id: int
    opens_days_before: int
    opens_at_time: clock_time
    closes_hours_before: int
    allocation_mode: AllocationMode
    max_active_registrations: int | None
    waitlist_confirms_directly: bool
    required_tasks: tuple[int, ...]


class CatalogCache:
    def __init__(self, seconds: float = CATALOG_CACHE_SECONDS) -> None:
        self.seconds = seconds
        # Keyed by (database, id): each database (the tests make many) has its own ids.
        self.programs: dict[tuple[str, int], tuple[float, ProgramFacts]] = {}
        self.series: dict[tuple[str, int], tuple[float, SeriesFacts]] = {}
        # Whole answers that hold nothing that changes without an edit: a program, an enterprise.
        self.reads: dict[tuple[str, str, int], tuple[float, BaseModel]] = {}
        # Bumped by every clear: facts read before an edit committed are not stored after it.
        self.generation = 0

    def program(self, database: str, program_id: int) -> ProgramFacts | None:
        found = self.programs.get((database, program_id))
        return found[1] if found and found[0] > time.monotonic() else None

    def one_series(self, database: str, series_id: int) -> SeriesFacts | None:
        found = self.series.get((database, series_id))
        return found[1] if found and found[0] > time.monotonic() else None

    def read(self, database: str, kind: str, key: int) -> BaseModel | None:
        found = self.reads.get((database, kind, key))
        # A copy: callers may change what they get.
        return found[1].model_copy() if found and found[0] > time.monotonic() else None

    def keep_read(
        self, generation: int, database: str, kind: str, key: int, read: BaseModel
    ) -> None:
        if generation != self.generation:
            return
        if len(self.reads) > CATALOG_CACHE_SIZE:
            self.reads.clear()
        self.reads[database, kind, key] = (time.monotonic() + self.seconds, read.model_copy())

    def keep(
        self,
        generation: int,
        database: str,
        programs: list[ProgramFacts],
        series: list[SeriesFacts],
    ) -> None:
        if generation != self.generation:
            return
        if len(self.programs) + len(self.series) > CATALOG_CACHE_SIZE:
            self.programs.clear()
            self.series.clear()
        until = time.monotonic() + self.seconds
        for program in programs:
            self.programs[database, program.program_id] = (until, program)
        for one in series:
            self.series[database, one.series_id] = (until, one)

    def clear(self) -> None:
        self.generation += 1
        self.programs.clear()
        self.series.clear()
        self.reads.clear()


# One per process, like kit.auth's token cache.
catalog_cache = CatalogCache()

_STATIC_TABLES = frozenset({"industry", "enterprise", "program", "series"})
CHANGED = "openindustry.catalog_changed"


def has_uncommitted_edit(session: Session) -> bool:
    return bool(session.info.get(CHANGED))


@event.listens_for(Session, "do_orm_execute")
def _watch_statements(state: ORMExecuteState) -> None:
    if state.is_update or state.is_delete or state.is_insert:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _STATIC_TABLES:
            state.session.info[CHANGED] = True


@event.listens_for(Session, "before_flush")
def _watch_flush(session: Session, _context: object, _instances: object) -> None:
    for objects in (session.new, session.dirty, session.deleted):
        if any(getattr(o, "__tablename__", "") in _STATIC_TABLES for o in objects):
            session.info[CHANGED] = True
            return


@event.listens_for(Session, "after_commit")
def _forget_after_commit(session: Session) -> None:
    if session.info.pop(CHANGED, False):
        catalog_cache.clear()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop(CHANGED, None)
