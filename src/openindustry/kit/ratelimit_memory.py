"""The in-memory moving-window storage of `limits`, made cheap for thousands of keys.

limits' own `MemoryStorage` starts a sweep of every key after every hit, and for moving windows
the sweep hops to a worker thread once per key. In a registration rush every participant is a
key: with 5,000 of them the sweeps took most of the app's CPU and a few registrations a second
were left (measured; docs/benchmarks.md). Here a key's expired entries are dropped when that key
is hit, and the keys nobody hits any more are forgotten by a sweep at most once a minute, on the
event loop, without threads. The moving-window arithmetic is the library's own.
"""

from __future__ import annotations

import bisect
import time

from limits.aio.storage import MemoryStorage
from limits.aio.storage.memory import Entry

SWEEP_SECONDS = 60.0


class PrunedMemoryStorage(MemoryStorage):
    def __init__(self) -> None:
        super().__init__()
        self._next_sweep = 0.0

    async def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        if amount > limit:
            return False
        now = time.time()
        self._sweep(now)
        events = self._pruned(key, now)
        # Newest first: the entry `limit - amount` back decides, as in limits' own storage.
        if len(events) > limit - amount and events[limit - amount].atime >= now - expiry:
            return False
        events[:0] = [Entry(expiry)] * amount
        return True

    def _pruned(self, key: str, now: float) -> list[Entry]:
        events = self.events.setdefault(key, [])
        # Entries are newest first, so their expiry times descend: cut where they lapse.
        del events[bisect.bisect_left(events, -now, key=lambda event: -event.expiry) :]
        return events

    def _sweep(self, now: float) -> None:
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS
        for key in list(self.events):
            if not self._pruned(key, now):
                del self.events[key]
                self.locks.pop(key, None)
