"""Random interleavings of everything that moves seats, checked after every step.

A hypothesis state machine drives RegistrationService directly (no HTTP) against a real database
— SQLite always, PostgreSQL when OPENINDUSTRY_TEST_POSTGRES_URL is set — with one or two slots
(first come or lottery) and a handful of participants with companions. Rules: register (sometimes
retrying an Idempotency-Key), cancel, accept an offer, change capacity, let offers expire (the
clock moves past a deadline), close a lottery (the clock moves past the window's close), cancel a
whole slot. Every refusal must be one the service documents and must be justified by the state
before the step. After every step the database is read directly and checked:

- confirmed + offered people never exceed the capacity and equal the slot's seats_taken;
- no party is split: party_size is 1 + companions, and the companions are the ones asked for;
- at most one active registration per person and slot;
- the waitlist is fair: no waiting party fits into free seats, and a party promoted in a step
  never jumped over a waiting party ahead of it unless that one was larger (it did not fit);
- offers carry a deadline no later than the window's close; confirmed rows a confirmation time;
- every registration the service reported as created still exists (no lost success), and a
  retried Idempotency-Key returns the first registration.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import ClassVar, TypeVar

import pytest
import time_machine
from hypothesis import HealthCheck, Phase, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import delete, select

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.schemas import CompanionInput, UserUpdate
from openindustry.accounts.service import AccountsService
from openindustry.catalog.errors import CapacityBelowTaken
from openindustry.catalog.models import AllocationMode, Slot, SlotStatus
from openindustry.catalog.schemas import RegistrationWindowInput, SlotUpdate
from openindustry.config import Settings
from openindustry.db.registry import metadata
from openindustry.kit import db
from openindustry.kit.errors import AppError
from openindustry.registration.errors import (
    AlreadyRegistered,
    NoOffer,
    NotCancellable,
    OfferExpired,
    RegistrationBlocked,
    RegistrationClosed,
    RegistrationNotFound,
    SoldOut,
)
from openindustry.registration.models import ACTIVE, HOLDING_SEATS, Registration
from openindustry.registration.models import RegistrationStatus as S
from openindustry.registration.schemas import RegistrationCreate, RegistrationRead
from openindustry.registration.service import RegistrationService
from openindustry.registration.staff import StaffRegistrations
from tests import factories

T = TypeVar("T")
PEOPLE = 6
# Hypothesis leans to the simplest value (0, False); a uniform pick from eight keeps this rare.
RARELY = st.sampled_from([False, False, False, True, False, False, False, False])
SETTINGS = settings(
    max_examples=int(os.environ.get("STATEFUL_EXAMPLES", "30")),
    # STATEFUL_NO_SHRINK=1 while exploring: report the first failure as found, unshrunk.
    phases=[Phase.generate] if os.environ.get("STATEFUL_NO_SHRINK") else list(Phase),
    stateful_step_count=int(os.environ.get("STATEFUL_STEPS", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


OUTCOMES: Counter[str] = Counter()  # what the runs exercised; printed by the test (-s)


def seen(outcome: str) -> None:
    event(outcome)
    OUTCOMES[outcome] += 1


@dataclass
class Person:
    user_id: int
    companions: list[int]
    keys: dict[str, int | None] = field(default_factory=dict)  # key → registration it created


@dataclass
class SlotModel:
    id: int
    mode: AllocationMode
    capacity: int
    opens_at: datetime
    closes_at: datetime
    starts_at: datetime
    cancelled: bool = False


@dataclass(frozen=True)
class Row:
    id: int
    user_id: int
    slot_id: int
    status: S
    party_size: int
    companions: tuple[int, ...]
    queue_rank: int | None
    offer_expires_at: datetime | None
    confirmed_at: datetime | None
    late_cancellation: bool

    @property
    def queue_key(self) -> tuple[bool, int, int]:
        return (self.queue_rank is None, self.queue_rank or 0, self.id)


@dataclass(frozen=True)
class Snapshot:
    slots: dict[int, tuple[int, int, SlotStatus]]  # id → capacity, seats_taken, status
    rows: dict[int, Row]


@dataclass(frozen=True)
class Created:
    user_id: int
    slot_id: int
    companions: tuple[int, ...]


class RegistrationMachine(RuleBasedStateMachine):
    db_url: ClassVar[str]

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.settings = Settings(database_url=self.db_url, environment="test")
        self.engine = db.create_engine(self.db_url)
        self.sessions = db.create_sessionmaker(self.engine)
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.people: list[Person] = []
        self.slots: list[SlotModel] = []
        self.created: dict[int, Created] = {}
        self.last: Snapshot | None = None
        self.keys = itertools.count(1)
        self.loop.run_until_complete(self._empty())

    def teardown(self) -> None:
        # Leave the shared test database empty, as every other test does.
        try:
            self.loop.run_until_complete(self._empty())
            self.loop.run_until_complete(self.engine.dispose())
        finally:
            self.loop.close()

    # Plumbing ----------------------------------------------------------------------------------

    async def _empty(self) -> None:
        async with self.engine.begin() as connection:
            for table in reversed(metadata.sorted_tables):
                await connection.execute(delete(table))

    def at_now(self, work: Callable[[], Awaitable[T]]) -> T:
        with time_machine.travel(self.now, tick=False):
            return self.loop.run_until_complete(work())

    def service(self, call: Callable[[RegistrationService], Awaitable[T]]) -> T:
        """One service call in its own session, as one request would make it."""

        async def work() -> T:
            async with self.sessions() as session:
                return await call(RegistrationService(session, self.settings))

        return self.at_now(work)

    def snapshot(self) -> Snapshot:
        async def read() -> Snapshot:
            async with self.sessions() as session:
                slots = {
                    s.id: (s.capacity, s.seats_taken, s.status)
                    for s in (await session.scalars(select(Slot))).all()
                }
                rows = {
                    r.id: Row(
                        id=r.id,
                        user_id=r.user_id,
                        slot_id=r.slot_id,
                        status=r.status,
                        party_size=r.party_size,
                        companions=tuple(c["companion_id"] for c in r.companions),
                        queue_rank=r.queue_rank,
                        offer_expires_at=r.offer_expires_at,
                        confirmed_at=r.confirmed_at,
                        late_cancellation=r.late_cancellation,
                    )
                    for r in (await session.scalars(select(Registration))).all()
                }
            return Snapshot(slots, rows)

        return self.loop.run_until_complete(read())

    @property
    def before(self) -> Snapshot:
        assert self.last is not None
        return self.last

    def slot(self, slot_id: int) -> SlotModel:
        return next(s for s in self.slots if s.id == slot_id)

    def window_open(self, slot: SlotModel) -> bool:
        return not slot.cancelled and slot.opens_at <= self.now < slot.closes_at

    # Set-up ------------------------------------------------------------------------------------

    @initialize(
        slots=st.lists(
            st.tuples(st.integers(0, 6), st.sampled_from(list(AllocationMode))),
            min_size=1,
            max_size=2,
        ),
        companions=st.lists(st.integers(0, 2), min_size=PEOPLE, max_size=PEOPLE),
        birth_known=st.lists(st.booleans(), min_size=PEOPLE, max_size=PEOPLE),
    )
    def set_up(
        self,
        slots: list[tuple[int, AllocationMode]],
        companions: list[int],
        birth_known: list[bool],
    ) -> None:
        async def work() -> None:
            async with self.sessions() as session:
                program = await factories.program(session)
                # Lotteries first: drawing one moves the clock past its close, not past others'.
                ordered = sorted(slots, key=lambda s: s[1] is not AllocationMode.LOTTERY)
                for i, (capacity, mode) in enumerate(ordered):
                    # Different days, so no two slots overlap (no time conflicts by design).
                    starts_at = self.now + timedelta(days=5 + 2 * i, hours=3)
                    opens_at = self.now - timedelta(hours=1)
                    closes_at = starts_at - timedelta(hours=2)
                    slot = await factories.slot(
                        session,
                        program_id=program.id,
                        capacity=capacity,
                        starts_at=starts_at,
                        registration=RegistrationWindowInput(
                            mode=mode, opens_at=opens_at, closes_at=closes_at
                        ),
                    )
                    self.slots.append(
                        SlotModel(slot.id, mode, capacity, opens_at, closes_at, starts_at)
                    )
                accounts = AccountsService(session, self.settings)
                for i in range(PEOPLE):
                    identity = VerifiedIdentity(
                        Provider.TELEGRAM, str(700_000 + i), first_name=f"Гость {i}"
                    )
                    user_id = (await accounts.sign_in(identity)).user.id
                    await accounts.give_consent(user_id, CONSENT_VERSION)
                    profile = await accounts.update_me(
                        user_id,
                        UserUpdate(
                            birth_date=date(1980 + i, 3, 1) if birth_known[i] else None,
                            companions=[
                                CompanionInput(name=f"Спутник {i}.{k}", birth_date=date(1975, 1, 1))
                                for k in range(companions[i])
                            ],
                        ),
                    )
                    self.people.append(Person(user_id, [c.id for c in profile.companions]))

        self.at_now(work)

    # Rules -------------------------------------------------------------------------------------

    def offered(self) -> list[int]:
        return sorted(i for i, r in self.before.rows.items() if r.status is S.OFFERED)

    def undrawn_lotteries(self) -> list[SlotModel]:
        applied = {r.slot_id for r in self.before.rows.values() if r.status is S.APPLIED}
        return [s for s in self.slots if s.id in applied and self.now < s.closes_at]

    # Registering is most of the traffic: two rules (of eight) book.
    @rule(data=st.data())
    def register(self, data: st.DataObject) -> None:
        self._register(data)

    @rule(data=st.data())
    def register_more(self, data: st.DataObject) -> None:
        self._register(data)

    def _register(self, data: st.DataObject) -> None:
        slot = data.draw(st.sampled_from(self.slots), label="slot")
        booked = {
            r.user_id
            for r in self.before.rows.values()
            if r.slot_id == slot.id and r.status in ACTIVE
        }
        # Mostly someone not yet booked here; sometimes anyone (already_registered).
        fresh = [p for p in self.people if p.user_id not in booked]
        anyone = data.draw(RARELY, label="anyone")
        person = data.draw(st.sampled_from(fresh if fresh and not anyone else self.people))
        chosen = (
            data.draw(st.lists(st.sampled_from(person.companions), unique=True))
            if person.companions
            else []
        )
        waitlist_ok = data.draw(st.sampled_from([True, False, True, True]), label="waitlist_ok")
        key_kind = data.draw(st.sampled_from(["none", "new", "reuse"]), label="key")
        key: str | None = None
        if key_kind == "new" or (key_kind == "reuse" and not person.keys):
            key = f"key-{next(self.keys)}"
        elif key_kind == "reuse":
            key = data.draw(st.sampled_from(sorted(person.keys)), label="reused key")
        first = person.keys.get(key) if key else None

        request = RegistrationCreate(companions=chosen, waitlist_ok=waitlist_ok)
        outcome: tuple[RegistrationRead, bool] | None = None
        refusal: AppError | None = None
        try:
            outcome = self.service(
                lambda s: s.register(person.user_id, slot.id, request, idempotency_key=key)
            )
        except AppError as error:
            refusal = error
        seen(f"register: {refusal.code if refusal else outcome[0].status.value if outcome else ''}")
        if outcome is None:
            assert refusal is not None
            assert first is None, f"key {key} booked #{first}, the retry was refused: {refusal!r}"
            self.justify_register_refusal(refusal, person, slot, 1 + len(chosen), waitlist_ok)
            if key:
                person.keys.setdefault(key, None)
            return

        read, new = outcome
        if first is not None:
            assert (read.id, new) == (first, False), "a retried key must return the first booking"
            return
        assert new, f"a fresh request was answered with an old registration #{read.id}"
        self.check_answer(read)
        assert read.party_size == 1 + len(chosen)
        assert [m.companion_id for m in read.companions] == chosen
        if slot.mode is AllocationMode.LOTTERY:
            assert read.status is S.APPLIED
        else:
            assert read.status in (S.CONFIRMED, S.WAITLISTED)
            if read.status is S.WAITLISTED:
                assert waitlist_ok, "waitlisted without asking for it"
                free = self.free_seats(slot.id)
                assert free < read.party_size, f"waitlisted with {free} seats free"
        self.created[read.id] = Created(person.user_id, slot.id, tuple(chosen))
        if key:
            person.keys[key] = read.id

    def justify_register_refusal(
        self, error: AppError, person: Person, slot: SlotModel, size: int, waitlist_ok: bool
    ) -> None:
        before = self.before
        active_here = any(
            r.user_id == person.user_id and r.slot_id == slot.id and r.status in ACTIVE
            for r in before.rows.values()
        )
        if isinstance(error, RegistrationClosed):
            assert not self.window_open(slot), "refused as closed while the window is open"
        elif isinstance(error, AlreadyRegistered):
            assert active_here, "refused as already registered without an active registration"
        elif isinstance(error, SoldOut):
            assert slot.mode is AllocationMode.FCFS
            assert not waitlist_ok
            assert self.free_seats(slot.id) < size, "refused as sold out with enough seats free"
        elif isinstance(error, RegistrationBlocked):
            strikes = [
                r
                for r in before.rows.values()
                if r.user_id == person.user_id and r.late_cancellation
            ]
            assert len(strikes) >= self.settings.no_show_threshold
        else:
            raise AssertionError(f"unexpected refusal {error.code}: {error.message}")

    def free_seats(self, slot_id: int) -> int:
        capacity, taken, _ = self.before.slots[slot_id]
        return capacity - taken

    def check_answer(self, read: RegistrationRead) -> None:
        if read.status is S.CONFIRMED:
            assert read.ticket_code, "confirmed without a ticket code"
        if read.status is S.OFFERED:
            assert read.offer_expires_at is not None

    @precondition(lambda self: self.created)
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        registration_id = data.draw(st.sampled_from(sorted(self.created)), label="registration")
        owner = self.created[registration_id].user_id
        if data.draw(RARELY, label="stranger"):
            stranger = next(p.user_id for p in self.people if p.user_id != owner)
            try:
                self.service(lambda s: s.cancel(stranger, registration_id))
            except RegistrationNotFound:
                return
            raise AssertionError("someone else's registration was cancelled")
        row = self.before.rows[registration_id]
        try:
            read = self.service(lambda s: s.cancel(owner, registration_id))
        except NotCancellable:
            starts_at = self.slot(row.slot_id).starts_at
            assert row.status not in ACTIVE or self.now >= starts_at
            return
        assert row.status in ACTIVE
        assert read.status is S.CANCELLED
        assert read.ticket_code is None

    @precondition(lambda self: self.offered())
    @rule(data=st.data(), any_registration=RARELY)
    def accept_offer(self, data: st.DataObject, any_registration: bool) -> None:
        offered = self.offered()
        pool = offered if offered and not any_registration else sorted(self.created)
        registration_id = data.draw(st.sampled_from(pool), label="registration")
        row = self.before.rows[registration_id]
        try:
            read = self.service(lambda s: s.accept_offer(row.user_id, registration_id))
        except NoOffer:
            seen("accept_offer: no_offer")
            assert row.status is not S.OFFERED
            return
        except OfferExpired:
            seen("accept_offer: offer_expired")
            assert row.status is S.OFFERED
            assert row.offer_expires_at is not None
            assert row.offer_expires_at <= self.now
            return
        seen("accept_offer: confirmed")
        assert row.status is S.OFFERED
        assert read.status is S.CONFIRMED
        self.check_answer(read)

    @rule(data=st.data(), capacity=st.integers(0, 8))
    def change_capacity(self, data: st.DataObject, capacity: int) -> None:
        slot = data.draw(st.sampled_from(self.slots), label="slot")
        _, taken, _ = self.before.slots[slot.id]
        try:
            read = self.service(
                lambda s: StaffRegistrations(s.session, s.settings, s).change_slot(
                    slot.id, SlotUpdate(capacity=capacity)
                )
            )
        except CapacityBelowTaken:
            seen("change_capacity: capacity_below_taken")
            assert capacity < taken, f"capacity {capacity} refused with {taken} seats taken"
            return
        assert capacity >= taken, f"capacity {capacity} accepted with {taken} seats taken"
        assert read.capacity == capacity
        slot.capacity = capacity

    @precondition(lambda self: self.offered())
    @rule(data=st.data())
    def expire_offers(self, data: st.DataObject) -> None:
        """Move the clock past an offer's deadline (before its window closes), then sweep."""
        lapsing = sorted(
            r.offer_expires_at
            for r in self.before.rows.values()
            if r.status is S.OFFERED
            and r.offer_expires_at is not None
            and r.offer_expires_at + timedelta(minutes=1) < self.slot(r.slot_id).closes_at
        )
        if lapsing:
            deadline = data.draw(st.sampled_from(lapsing), label="past deadline")
            self.now = max(self.now, deadline + timedelta(minutes=1))
        seen(f"expire_offers: {self.service(lambda s: s.expire_offers())} lapsed")
        lapsed = [
            r.id
            for r in self.snapshot().rows.values()
            if r.status is S.OFFERED and r.offer_expires_at and r.offer_expires_at <= self.now
        ]
        assert not lapsed, f"offers past their deadline survived the sweep: {lapsed}"

    @precondition(lambda self: self.undrawn_lotteries())
    @rule(data=st.data())
    def close_lottery(self, data: st.DataObject) -> None:
        """Move the clock past a lottery window's close, then draw whatever has closed."""
        slot = data.draw(st.sampled_from(self.undrawn_lotteries()), label="lottery")
        self.now = max(self.now, slot.closes_at + timedelta(minutes=1))
        applied_before = {r.slot_id for r in self.before.rows.values() if r.status is S.APPLIED}
        drawn = self.service(lambda s: s.draw_closed_lotteries())
        seen(f"close_lottery: {len(drawn)} drawn")
        closed = {s.id for s in self.slots if self.now >= s.closes_at}
        assert set(drawn) == applied_before & closed
        left = [
            r.id
            for r in self.snapshot().rows.values()
            if r.status is S.APPLIED and r.slot_id in closed
        ]
        assert not left, f"applications left undrawn after the close: {left}"

    @rule(data=st.data(), now=RARELY)
    def cancel_slot(self, data: st.DataObject, now: bool) -> None:
        if not now:  # rarely: a cancelled slot ends most of the story
            return
        slot = data.draw(st.sampled_from(self.slots), label="slot")
        read = self.service(
            lambda s: StaffRegistrations(s.session, s.settings, s).change_slot(
                slot.id, SlotUpdate(status=SlotStatus.CANCELLED)
            )
        )
        assert read.status is SlotStatus.CANCELLED
        slot.cancelled = True
        after = self.snapshot()
        assert after.slots[slot.id][1] == 0
        assert not [
            r.id for r in after.rows.values() if r.slot_id == slot.id and r.status in ACTIVE
        ]

    # Invariants --------------------------------------------------------------------------------

    @invariant()
    def consistent(self) -> None:
        if not self.slots:
            return
        now = self.snapshot()
        rows = list(now.rows.values())

        for slot in self.slots:
            capacity, taken, status = now.slots[slot.id]
            mine = [r for r in rows if r.slot_id == slot.id]
            held = sum(r.party_size for r in mine if r.status in HOLDING_SEATS)
            assert capacity == slot.capacity, f"slot {slot.id}: capacity moved by itself"
            assert held == taken, f"slot {slot.id}: seats_taken {taken}, rows hold {held}"
            assert held <= capacity, f"slot {slot.id}: {held} people for {capacity} seats"
            assert (status is SlotStatus.CANCELLED) == slot.cancelled
            free = capacity - taken
            waiting = [r for r in mine if r.status is S.WAITLISTED]
            if status is SlotStatus.SCHEDULED and free > 0:
                fits = [r.id for r in waiting if r.party_size <= free]
                assert not fits, f"slot {slot.id}: {free} seats free while {fits} wait"
            if slot.mode is AllocationMode.FCFS:
                assert not [r for r in mine if r.status is S.APPLIED]

        active: set[tuple[int, int]] = set()
        for r in rows:
            assert r.party_size == 1 + len(r.companions), f"#{r.id}: party split"
            if r.status in ACTIVE:
                assert (r.user_id, r.slot_id) not in active, f"#{r.id}: two active registrations"
                active.add((r.user_id, r.slot_id))
            if r.status is S.OFFERED:
                assert r.offer_expires_at is not None, f"#{r.id}: an offer without a deadline"
                assert r.offer_expires_at <= self.slot(r.slot_id).closes_at
            if r.status is S.CONFIRMED:
                assert r.confirmed_at is not None

        for registration_id, created in self.created.items():
            row = now.rows.get(registration_id)
            assert row is not None, f"#{registration_id} was answered as created and is gone"
            assert (row.user_id, row.slot_id, row.companions) == (
                created.user_id,
                created.slot_id,
                created.companions,
            )
        assert set(now.rows) == set(self.created), "a registration nobody was told about"

        if self.last is not None:
            self.check_queue_order(self.last, now)
        self.last = now

    def check_queue_order(self, before: Snapshot, after: Snapshot) -> None:
        """Whoever left the queue for seats in this step did not jump a party ahead that fit:
        every party still waiting ahead of a promoted one is larger than it."""
        queued = (S.WAITLISTED, S.APPLIED)
        promoted = [
            r
            for r in after.rows.values()
            if r.id in before.rows
            and before.rows[r.id].status in queued
            and r.status in HOLDING_SEATS
        ]
        still = [
            r
            for r in after.rows.values()
            if r.id in before.rows
            and before.rows[r.id].status in queued
            and r.status is S.WAITLISTED
        ]
        if promoted:
            seen(f"promoted from the queue to {sorted({p.status.value for p in promoted})}")
        for p in promoted:
            for w in still:
                if w.slot_id == p.slot_id and w.queue_key < p.queue_key:
                    assert w.party_size > p.party_size, (
                        f"#{p.id} (party of {p.party_size}) was seated before #{w.id} "
                        f"(party of {w.party_size}) ahead of it in the queue"
                    )


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
def test_registration_state_machine(backend: str, migrated_databases: dict[str, str]) -> None:
    if backend not in migrated_databases:
        pytest.skip("PostgreSQL tests need OPENINDUSTRY_TEST_POSTGRES_URL")
    machine = type(
        f"RegistrationMachine_{backend}",
        (RegistrationMachine,),
        {"db_url": migrated_databases[backend]},
    )
    OUTCOMES.clear()
    run_state_machine_as_test(machine, settings=SETTINGS)
    print(f"\n{backend}: " + ", ".join(f"{k} ×{v}" for k, v in sorted(OUTCOMES.items())))
