"""Two app processes on different ports share one PostgreSQL and one Redis (issue 8, item 3),
and one of them is killed in the middle of a rush (issue 9, item 2).

A rush split across both processes confirms exactly the seats and loses no answer; a rate limit
counts requests to both as one; when a process dies with requests in flight, the clients retry
with the same Idempotency-Key against the survivor and get the first outcome or a fresh one,
never two bookings.
"""

from __future__ import annotations

from tests.faults.conftest import SIGN_IN_PER_IP, Apps, FaultDb
from tests.faults.limits import an_address, sign_ins_until_refused
from tests.faults.rush import DIED, Answer, Booking, Outcome, clients, problems, rush, slot_state
from tests.faults.rush import statuses as count_statuses

SEATS = 25


async def check_slots(fault_db: FaultDb, slot_ids: list[int], outcome: Outcome, apps: Apps) -> None:
    found: list[str] = []
    async with fault_db.session() as session:
        for slot_id in slot_ids:
            state = await slot_state(session, slot_id)
            final = [a for a in outcome.final if a.booking.slot_id == slot_id]
            every = [a for a in outcome.every if a.booking.slot_id == slot_id]
            found += problems(state, final, every)
            if state.confirmed_people != SEATS:
                found.append(f"slot {slot_id}: {state.confirmed_people} of {SEATS} confirmed")
    assert not found, f"{found[:20]}\n{count_statuses(outcome.final)}\n{apps.logs()}"


def bookings_for(fault_db: FaultDb, slot_ids: list[int], label: str, people: int) -> list[Booking]:
    return [
        Booking(person, slot_ids[n % len(slot_ids)], f"{label}-{n}", waitlist_ok=n % 10 == 3)
        for n, person in enumerate(fault_db.people[:people])
    ]


async def test_a_rush_split_across_two_processes_confirms_exactly_the_seats(
    fault_db: FaultDb, apps: Apps
) -> None:
    slot_ids = await fault_db.open_slots(SEATS, SEATS, SEATS)
    async with clients(*(p.base_url for p in apps.both)) as targets:
        outcome = await rush(targets, bookings_for(fault_db, slot_ids, "scale", 300))

    await check_slots(fault_db, slot_ids, outcome, apps)
    # Both processes confirmed seats, and nothing but 201s and sold_out refusals came back.
    assert {a.via for a in outcome.final if a.status == 201} == {p.base_url for p in apps.both}
    assert set(count_statuses(outcome.final)) <= {"201 confirmed", "201 waitlisted", "409 sold_out"}
    assert all(p.alive for p in apps.both)
    retried = count_statuses([a for a in outcome.every if a.status in (DIED, 503)])
    print(f"\nscale-out rush: {count_statuses(outcome.final)}; retried after: {retried}")


async def test_a_rate_limit_counts_requests_to_both_processes_as_one(apps: Apps) -> None:
    async with clients(*(p.base_url for p in apps.both)) as (a, b):
        first, second = an_address(), an_address()
        alone = await sign_ins_until_refused([a], first)
        alternating = await sign_ins_until_refused([a, b], second)
        # Spent at one process, spent at the other.
        other = await b.post(
            "/api/v1/auth/telegram",
            json={"init_data": "hash=0"},
            headers={"X-Forwarded-For": first},
        )
    assert alone == alternating == SIGN_IN_PER_IP
    assert other.status_code == 429


async def test_a_process_killed_mid_rush_loses_nothing_and_retries_book_once(
    fault_db: FaultDb, apps: Apps
) -> None:
    survivor, victim = apps.both
    slot_ids = await fault_db.open_slots(SEATS, SEATS, SEATS)
    answered_by_victim: list[Answer] = []

    def kill_after_some_answers(answer: Answer) -> None:
        if answer.via == victim.base_url and answer.status != DIED:
            answered_by_victim.append(answer)
            if len(answered_by_victim) == 30:
                victim.kill()  # SIGKILL, with dozens of its requests in flight or queued

    async with clients(survivor.base_url, victim.base_url) as (a, b):
        outcome = await rush(
            [a, b],
            bookings_for(fault_db, slot_ids, "kill", 150),
            on_answer=kill_after_some_answers,
            failover=a,
        )

    assert not victim.alive
    died = [x for x in outcome.every if x.status == DIED]
    retried = [x for x in outcome.final if any(d.booking is x.booking for d in died)]
    assert died, "the process was killed after the rush had ended"
    await check_slots(fault_db, slot_ids, outcome, apps)
    # A retry finds the first booking if it had committed (200), else is decided afresh.
    assert set(count_statuses(retried)) <= {
        "200 confirmed",
        "200 waitlisted",
        "201 confirmed",
        "201 waitlisted",
        "409 sold_out",
    }
    print(
        f"\nkilled mid-rush: {len(died)} requests died, retried at the survivor: "
        f"{count_statuses(retried)}; all: {count_statuses(outcome.final)}"
    )
