"""Prizes, claims and prize draws: the part of RewardsService that gives things away.

Each unit of stock, each point and each place under the per-person limit is taken by its own
conditional UPDATE inside one transaction; any refusal raises, and the rollback undoes the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy.exc import IntegrityError

from openindustry.audit.service import AuditService, changed
from openindustry.draws.models import DrawKind
from openindustry.draws.schemas import DrawRead, Entrant
from openindustry.kit import clock
from openindustry.kit.tx import transaction
from openindustry.notifications.schemas import NotificationCreate
from openindustry.rewards import repository as repo
from openindustry.rewards import rules
from openindustry.rewards.errors import (
    ClaimCancelled,
    ClaimHandedOver,
    ClaimLimitReached,
    ClaimNotFound,
    DrawNotAnnounced,
    DrawOnly,
    InsufficientPoints,
    OutOfStock,
    PrizeNotFound,
)
from openindustry.rewards.models import (
    ClaimHow,
    ClaimStatus,
    PointsReason,
    Prize,
    PrizeClaim,
)
from openindustry.rewards.schemas import ClaimRead, PrizeCreate, PrizeRead, PrizeUpdate

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from openindustry.accounts.service import AccountsService
    from openindustry.draws.service import DrawsService
    from openindustry.notifications.service import NotificationsService

CLAIM_REF = "prize_claim"
_CODE_TRIES = 5


class PrizesMixin:
    session: AsyncSession
    accounts: AccountsService
    draws: DrawsService
    outbox: NotificationsService

    # The catalog -------------------------------------------------------------------------------

    async def prizes(
        self, *, only_active: bool = True, limit: int = 50, offset: int = 0
    ) -> tuple[list[PrizeRead], int]:
        async with transaction(self.session):
            rows, total = await repo.prizes(
                self.session, only_active=only_active, limit=limit, offset=offset
            )
            return [prize_read(p) for p in rows], total

    async def prize(self, prize_id: int) -> PrizeRead:
        async with transaction(self.session):
            return prize_read(await self._prize(prize_id))

    async def create_prize(self, data: PrizeCreate, *, actor_id: int | None = None) -> PrizeRead:
        async with transaction(self.session):
            prize = Prize(**data.model_dump())
            self.session.add(prize)
            await self.session.flush()
            read = prize_read(prize)
            await AuditService(self.session).record(
                actor_id,
                "prize.created",
                subject_type="prize",
                subject_id=prize.id,
                after=read.model_dump(exclude={"id"}),
            )
            return read

    async def update_prize(
        self, prize_id: int, data: PrizeUpdate, *, actor_id: int | None = None
    ) -> PrizeRead:
        """Change what is given; a stock given here is the organizer's fresh count, absolute."""
        async with transaction(self.session):
            prize = await self._prize(prize_id)
            before = prize_read(prize).model_dump(exclude={"id"})
            for name, value in data.model_dump(exclude_unset=True).items():
                if value is None and name not in {"price_points", "image_url"}:
                    continue
                setattr(prize, name, value)
            await self.session.flush()
            read = prize_read(prize)
            was, now = changed(before, read.model_dump(exclude={"id"}))
            await AuditService(self.session).record(
                actor_id,
                "prize.updated",
                subject_type="prize",
                subject_id=prize.id,
                before=was,
                after=now,
            )
            return read

    async def _prize(self, prize_id: int) -> Prize:
        prize = await repo.prize(self.session, prize_id)
        if prize is None:
            raise PrizeNotFound("Приз не найден.")
        return prize

    # Claiming for points -----------------------------------------------------------------------

    async def claim(self, user_id: int, prize_id: int) -> ClaimRead:
        """Stock, points, limit, ledger line and claim move together; none can be overrun."""
        async with transaction(self.session):
            prize = await self._prize(prize_id)
            if not prize.active:
                raise PrizeNotFound("Приз не найден.")
            price = prize.price_points
            if price is None:
                raise DrawOnly("Этот приз разыгрывается, его нельзя получить за баллы.")
            if not await repo.take_stock(self.session, prize.id, 1):
                raise OutOfStock("Призы закончились.")
            if not await repo.hold_claim(self.session, prize.id, user_id, prize.per_person_limit):
                raise ClaimLimitReached(
                    f"Этот приз можно получить не больше {prize.per_person_limit} раз.",
                    details={"per_person_limit": prize.per_person_limit},
                )
            if not await repo.debit(self.session, user_id, price):
                raise InsufficientPoints("Недостаточно баллов.", details={"needed": price})
            claim = await self._new_claim(prize.id, user_id, ClaimHow.POINTS, price)
            await repo.append_entry(
                self.session,
                user_id=user_id,
                amount=-price,
                reason=PointsReason.PRIZE,
                ref_type=CLAIM_REF,
                ref_id=claim.id,
                series_id=None,
                now=claim.created_at,
            )
            return claim_read(claim, prize)

    async def _new_claim(
        self, prize_id: int, user_id: int, how: ClaimHow, points: int
    ) -> PrizeClaim:
        for _ in range(_CODE_TRIES):
            claim = PrizeClaim(
                prize_id=prize_id,
                user_id=user_id,
                how=how,
                status=ClaimStatus.RESERVED,
                pickup_code=rules.new_pickup_code(),
                points_spent=points,
                created_at=clock.now(),
            )
            try:
                # A savepoint: a (vanishingly rare) duplicate code must not abort the use case.
                async with self.session.begin_nested():
                    self.session.add(claim)
            except IntegrityError:
                continue
            return claim
        raise RuntimeError("no free pickup code after several tries")

    async def my_claims(self, user_id: int) -> list[ClaimRead]:
        async with transaction(self.session):
            return [claim_read(c, p) for c, p in await repo.claims_of(self.session, user_id)]

    async def my_claim(self, user_id: int, claim_id: int) -> ClaimRead:
        async with transaction(self.session):
            claim = await repo.claim(self.session, claim_id)
            # Someone else's claim is "not found": its existence is nobody else's business.
            if claim is None or claim.user_id != user_id:
                raise ClaimNotFound("Приз не найден среди ваших.")
            return claim_read(claim, await self._prize(claim.prize_id))

    # The prize desk ----------------------------------------------------------------------------

    async def hand_over(self, pickup_code: str, *, actor_id: int | None = None) -> ClaimRead:
        """Mark a claim handed over by its code; again is a no-op, a cancelled one is refused."""
        code = rules.normalize_pickup_code(pickup_code)
        async with transaction(self.session):
            claim = await self._by_code(code)
            moved = await repo.move_claim(
                self.session,
                claim.id,
                ClaimStatus.RESERVED,
                status=ClaimStatus.HANDED_OVER,
                handed_over_at=clock.now(),
            )
            await self.session.refresh(claim)
            if claim.status is ClaimStatus.CANCELLED:
                raise ClaimCancelled("Этот приз отменён, выдавать его нельзя.")
            if moved:
                # Only the real change is logged; a repeated hand-over changes nothing.
                await AuditService(self.session).record(
                    actor_id,
                    "claim.handed_over",
                    subject_type="claim",
                    subject_id=claim.id,
                    before={"status": ClaimStatus.RESERVED},
                    after={"status": claim.status, "handed_over_at": claim.handed_over_at},
                )
            return claim_read(claim, await self._prize(claim.prize_id))

    async def cancel_claim(self, pickup_code: str, *, actor_id: int | None = None) -> ClaimRead:
        """Cancel a reserved claim: the unit goes back to stock, the points back to the person."""
        code = rules.normalize_pickup_code(pickup_code)
        async with transaction(self.session):
            claim = await self._by_code(code)
            if not await repo.move_claim(
                self.session, claim.id, ClaimStatus.RESERVED, status=ClaimStatus.CANCELLED
            ):
                await self.session.refresh(claim)
                if claim.status is ClaimStatus.CANCELLED:
                    return claim_read(claim, await self._prize(claim.prize_id))
                raise ClaimHandedOver("Приз уже выдан, отменить нельзя.")
            await repo.return_stock(self.session, claim.prize_id, 1)
            if claim.how is ClaimHow.POINTS:
                await repo.release_claim(self.session, claim.prize_id, claim.user_id)
            if claim.points_spent:
                await repo.append_entry(
                    self.session,
                    user_id=claim.user_id,
                    amount=claim.points_spent,
                    reason=PointsReason.ADJUSTMENT,
                    ref_type=CLAIM_REF,
                    ref_id=claim.id,
                    series_id=None,
                    now=clock.now(),
                )
                # A refund is not activity: the balance rises, what was earned does not.
                await repo.credit(self.session, claim.user_id, claim.points_spent, earned=False)
            await self.session.refresh(claim)
            await AuditService(self.session).record(
                actor_id,
                "claim.cancelled",
                subject_type="claim",
                subject_id=claim.id,
                before={"status": ClaimStatus.RESERVED},
                after={"status": claim.status, "points_refunded": claim.points_spent},
            )
            return claim_read(claim, await self._prize(claim.prize_id))

    async def _by_code(self, code: str) -> PrizeClaim:
        claim = await repo.claim_by_code(self.session, code) if rules.is_pickup_code(code) else None
        if claim is None:
            raise ClaimNotFound("Приз с таким кодом не найден.")
        return claim

    # Prize draws -------------------------------------------------------------------------------

    async def announce_prize_draw(self, prize_id: int, *, actor_id: int | None = None) -> DrawRead:
        """Publish the draw's commitment before anyone can know who enters (once: again
        returns the same commitment)."""
        async with transaction(self.session):
            await self._prize(prize_id)
            known = await self.draws.find(DrawKind.PRIZE, prize_id)
            draw = await self.draws.ensure(DrawKind.PRIZE, prize_id)
            if known is None:
                await AuditService(self.session).record(
                    actor_id,
                    "prize.draw_announced",
                    subject_type="prize",
                    subject_id=prize_id,
                    after={"draw_id": draw.id, "commitment": draw.commitment},
                )
            return draw

    async def run_prize_draw(
        self,
        prize_id: int,
        entrant_user_ids: Sequence[int],
        winners: int,
        *,
        actor_id: int | None = None,
    ) -> DrawRead:
        """Draw by the committed seed; never more winners than stock, each gets a claim."""
        async with transaction(self.session):
            prize = await self._prize(prize_id)
            if await self.draws.find(DrawKind.PRIZE, prize.id) is None:
                # Without a commitment published before the entrants were known, nobody could
                # check that the seed was not chosen to suit a winner.
                raise DrawNotAnnounced("Сначала опубликуйте обязательство розыгрыша.")
            # A deleted account could never collect the prize: it does not enter.
            gone = await self.accounts.deleted_among(entrant_user_ids)
            entrants = [u for u in dict.fromkeys(entrant_user_ids) if u not in gone]
            seats = max(0, min(winners, prize.stock, len(entrants)))
            # Units are taken before the draw: a concurrent claim cannot leave a winner without one.
            if seats and not await repo.take_stock(self.session, prize.id, seats):
                raise OutOfStock("Призы закончились.")
            outcome = await self.draws.run(
                DrawKind.PRIZE, prize.id, [Entrant(user_id=u) for u in entrants], seats
            )
            if len(outcome.winners) < seats:
                await repo.return_stock(self.session, prize.id, seats - len(outcome.winners))
            messages = []
            for user_id in outcome.winners:
                claim = await self._new_claim(prize.id, user_id, ClaimHow.DRAW, 0)
                messages.append(
                    NotificationCreate(
                        user_id=user_id,
                        kind="prize.won",
                        payload={
                            "prize_id": prize.id,
                            "claim_id": claim.id,
                            "draw_id": outcome.draw_id,
                        },
                        essential=False,
                    )
                )
            await self.outbox.enqueue(messages)
            await AuditService(self.session).record(
                actor_id,
                "prize.drawn",
                subject_type="prize",
                subject_id=prize.id,
                after={
                    "draw_id": outcome.draw_id,
                    "entrants": len(entrants),
                    "winners": len(outcome.winners),
                },
            )
        return await self.draws.get(outcome.draw_id)


def prize_read(prize: Prize) -> PrizeRead:
    return PrizeRead(
        id=prize.id,
        title=prize.title,
        description=prize.description,
        image_url=prize.image_url,
        stock=prize.stock,
        price_points=prize.price_points,
        draw_only=prize.price_points is None,
        per_person_limit=prize.per_person_limit,
        active=prize.active,
    )


def claim_read(claim: PrizeClaim, prize: Prize) -> ClaimRead:
    return ClaimRead(
        id=claim.id,
        prize_id=claim.prize_id,
        prize_title=prize.title,
        user_id=claim.user_id,
        status=claim.status,
        how=claim.how,
        pickup_code=claim.pickup_code,
        points_spent=claim.points_spent,
        created_at=claim.created_at,
        handed_over_at=claim.handed_over_at,
    )
