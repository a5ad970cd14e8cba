"""Rewards use cases: the points ledger with its cached balance and leaderboards.

Prizes and claims live in `_prizes.py`, the organizers' prize desk in `_desk.py`; both are part
of the same `RewardsService`.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.service import AccountsService
from openindustry.config import Settings
from openindustry.draws.service import DrawsService
from openindustry.kit import clock
from openindustry.kit.tx import transaction
from openindustry.notifications.service import NotificationsService
from openindustry.rewards import repository as repo
from openindustry.rewards import rules
from openindustry.rewards._desk import DeskMixin
from openindustry.rewards.errors import InsufficientPoints, InvalidPoints
from openindustry.rewards.models import ALL_TIME, PointsEntry, PointsReason
from openindustry.rewards.schemas import (
    ClaimRecord,
    LeaderboardItem,
    LeaderboardMe,
    LeaderboardRead,
    PointsEntryRead,
    PointsRead,
    RewardsExport,
)

MAX_LEADERBOARD = 100


def _reason(reason: str) -> PointsReason:
    try:
        return PointsReason(reason)
    except ValueError:
        raise InvalidPoints(f"Unknown points reason: {reason!r}.", code="invalid_reason") from None


def _positive(points: int) -> None:
    if isinstance(points, bool) or not isinstance(points, int) or points < 0:
        raise InvalidPoints("Points are a whole number, zero or more.")


class RewardsService(DeskMixin):
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.accounts = AccountsService(session, settings)
        self.draws = DrawsService(session, settings)
        self.outbox = NotificationsService(session)

    # The ledger --------------------------------------------------------------------------------

    async def award(
        self,
        user_id: int,
        points: int,
        *,
        reason: str,
        ref_type: str,
        ref_id: int,
        series_id: int | None = None,
    ) -> bool:
        """Pay once per (user, reason, ref), by the ledger's unique constraint; False if paid."""
        _positive(points)
        kind = _reason(reason)
        async with transaction(self.session):
            now = clock.now()
            entry = await repo.append_entry(
                self.session,
                user_id=user_id,
                amount=points,
                reason=kind,
                ref_type=ref_type,
                ref_id=ref_id,
                series_id=series_id,
                now=now,
            )
            if entry is None:
                return False
            await repo.credit(self.session, user_id, points, earned=True)
            if points:
                # Only earning raises leaderboard points, and `reached_at` moves with the total:
                # of two people with the same total, the one who got there first stays ahead.
                for scope in repo.scopes(series_id):
                    await repo.add_score(self.session, user_id, scope, points, now)
            return True

    async def spend(
        self,
        user_id: int,
        points: int,
        *,
        reason: str = "prize",
        ref_type: str,
        ref_id: int,
    ) -> bool:
        """Spend once per ref, only if the balance covers it (a conditional UPDATE decides)."""
        _positive(points)
        kind = _reason(reason)
        async with transaction(self.session):
            if not await self._debit(user_id, points):
                raise InsufficientPoints("Недостаточно баллов.", details={"needed": points})
            entry = await repo.append_entry(
                self.session,
                user_id=user_id,
                amount=-points,
                reason=kind,
                ref_type=ref_type,
                ref_id=ref_id,
                series_id=None,
                now=clock.now(),
            )
            if entry is None:
                await repo.credit(self.session, user_id, points, earned=False)
                return False
            return True

    async def _debit(self, user_id: int, points: int) -> bool:
        return points == 0 or await repo.debit(self.session, user_id, points)

    async def penalize(
        self,
        user_id: int,
        points: int,
        *,
        reason: str = "penalty",
        ref_type: str,
        ref_id: int,
        series_id: int | None = None,
    ) -> int:
        """Take at most what is there, once per ref; returns the points actually taken."""
        _positive(points)
        kind = _reason(reason)
        async with transaction(self.session):
            # Lock first, so the amount computed from the balance is the amount that can go.
            held = await repo.lock_balance(self.session, user_id)
            taken = rules.penalty_taken(held, points)
            now = clock.now()
            entry = await repo.append_entry(
                self.session,
                user_id=user_id,
                amount=-taken,
                reason=kind,
                ref_type=ref_type,
                ref_id=ref_id,
                series_id=series_id,
                now=now,
            )
            if entry is None:
                return 0
            if taken and not await repo.debit(self.session, user_id, taken):
                raise AssertionError("a locked balance changed under the lock")
            # Spending keeps leaderboard points (they measure activity), a penalty lowers them —
            # by the full penalty, not just what the balance could give, or spending everything
            # first would make a no-show free on the leaderboard.
            await repo.lower_score(self.session, user_id, repo.scopes(series_id), points, now)
            return taken

    async def points(self, user_id: int, *, limit: int = 50, offset: int = 0) -> PointsRead:
        """Balance, total earned and the ledger, newest first."""
        async with transaction(self.session):
            row = await repo.balance(self.session, user_id)
            lines, total = await repo.entries(self.session, user_id, limit=limit, offset=offset)
        return PointsRead(
            balance=row.balance if row else 0,
            earned_total=row.earned_total if row else 0,
            entries=[_entry(e) for e in lines],
            total=total,
            limit=limit,
            offset=offset,
        )

    # Leaderboards ------------------------------------------------------------------------------

    async def leaderboard(
        self, *, series_id: int | None = None, limit: int = 20, user_id: int | None = None
    ) -> LeaderboardRead:
        """The top by points, ties to who reached the total first; `me` even outside the top."""
        scope = ALL_TIME if series_id is None else series_id
        limit = max(1, min(limit, MAX_LEADERBOARD))
        async with transaction(self.session):
            top = await repo.top(self.session, scope, limit)
            me = None
            if user_id is not None:
                mine = await repo.score(self.session, scope, user_id)
                if mine is None or mine.points == 0:
                    me = LeaderboardMe(place=None, points=0)
                else:
                    ahead = await repo.ahead_of(self.session, mine)
                    me = LeaderboardMe(place=ahead + 1, points=mine.points)
        names = await self.accounts.names([s.user_id for s in top])
        return LeaderboardRead(
            series_id=series_id,
            items=[
                LeaderboardItem(
                    place=place,
                    user_id=s.user_id,
                    name=rules.public_name(s.user_id, names.get(s.user_id, "")),
                    points=s.points,
                )
                for place, s in enumerate(top, 1)
            ],
            me=me,
        )

    # A person's own data (the privacy domain calls these) -------------------------------------

    async def export_person(self, user_id: int) -> RewardsExport:
        """The whole ledger, oldest first, the balance and the claims (without pickup codes)."""
        async with transaction(self.session):
            row = await repo.balance(self.session, user_id)
            lines = await repo.all_entries(self.session, user_id)
            claims = await repo.claims_of(self.session, user_id)
        return RewardsExport(
            balance=row.balance if row else 0,
            earned_total=row.earned_total if row else 0,
            entries=[_entry(e) for e in lines],
            claims=[
                ClaimRecord(
                    id=c.id,
                    prize_id=c.prize_id,
                    prize_title=p.title,
                    status=c.status,
                    how=c.how,
                    points_spent=c.points_spent,
                    created_at=c.created_at,
                    handed_over_at=c.handed_over_at,
                )
                for c, p in claims
            ],
        )

    async def forget_person(self, user_id: int) -> int:
        """Take a deleted account off the public leaderboards; the ledger and claims stay (the
        statistics count them), tied only to the emptied account. Returns the scores removed."""
        async with transaction(self.session):
            return await repo.drop_scores(self.session, user_id)


def _entry(entry: PointsEntry) -> PointsEntryRead:
    return PointsEntryRead(
        id=entry.id,
        amount=entry.amount,
        reason=entry.reason,
        ref_type=entry.ref_type,
        ref_id=entry.ref_id,
        series_id=entry.series_id,
        created_at=entry.created_at,
    )
