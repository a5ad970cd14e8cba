"""The organizers' prize desk: stock counts, a prize's claims, "ready for pickup" notices.

Part of `RewardsService` (through `PrizesMixin`); every change is audited in its transaction.
"""

from __future__ import annotations

from openindustry.audit.service import AuditService
from openindustry.kit.tx import transaction
from openindustry.notifications.schemas import NotificationCreate
from openindustry.rewards import repository as repo
from openindustry.rewards._prizes import PrizesMixin, claim_read, prize_read
from openindustry.rewards.errors import (
    ClaimCancelled,
    ClaimHandedOver,
    ClaimNotFound,
    StockBelowZero,
)
from openindustry.rewards.models import ClaimStatus
from openindustry.rewards.schemas import ClaimRead, ClaimReadyRead, PrizeRead, StockAdjust

READY_KIND = "prize.ready"


def ready_key(claim_id: int) -> str:
    """The outbox key that lets a claim's "ready for pickup" message exist once."""
    return f"{READY_KIND}:{claim_id}"


class DeskMixin(PrizesMixin):
    async def adjust_stock(
        self, prize_id: int, change: StockAdjust, *, actor_id: int | None = None
    ) -> PrizeRead:
        """Add or remove units; one conditional UPDATE keeps the stock at zero or more, even
        while participants are claiming the same prize."""
        async with transaction(self.session):
            prize = await self._prize(prize_id)
            if not await repo.adjust_stock(self.session, prize.id, change.delta):
                await self.session.refresh(prize)
                raise StockBelowZero(
                    "Столько единиц на складе нет: остаток не может стать меньше нуля.",
                    details={"stock": prize.stock},
                )
            await self.session.refresh(prize)
            await AuditService(self.session).record(
                actor_id,
                "prize.stock_adjusted",
                subject_type="prize",
                subject_id=prize.id,
                before={"stock": prize.stock - change.delta},
                after={"stock": prize.stock, "delta": change.delta, "note": change.note},
            )
            return prize_read(prize)

    async def prize_claims(
        self,
        prize_id: int,
        *,
        status: ClaimStatus | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[ClaimRead], int]:
        """A prize's claims, newest first."""
        async with transaction(self.session):
            prize = await self._prize(prize_id)
            rows, total = await repo.claims_of_prize(
                self.session, prize.id, status=status, limit=limit, offset=offset
            )
            return [claim_read(c, prize) for c in rows], total

    async def ready_for_pickup(
        self, claim_id: int, *, actor_id: int | None = None
    ) -> ClaimReadyRead:
        """Tell the winner or buyer the prize waits at the desk: the outbox row commits with
        the audit entry, and its dedup key lets a second call send nothing."""
        async with transaction(self.session):
            claim = await repo.claim(self.session, claim_id)
            if claim is None:
                raise ClaimNotFound("Такой выдачи нет.")
            if claim.status is ClaimStatus.CANCELLED:
                raise ClaimCancelled("Этот приз отменён, выдавать его нельзя.")
            if claim.status is ClaimStatus.HANDED_OVER:
                raise ClaimHandedOver("Приз уже выдан.")
            prize = await self._prize(claim.prize_id)
            notice = NotificationCreate(
                user_id=claim.user_id,
                kind=READY_KIND,
                payload={"prize_id": prize.id, "claim_id": claim.id},
                dedup_key=ready_key(claim.id),
            )
            sent = await self.outbox.enqueue_once([notice]) == 1
            if sent:
                await AuditService(self.session).record(
                    actor_id,
                    "claim.ready_for_pickup",
                    subject_type="claim",
                    subject_id=claim.id,
                    after={"prize_id": prize.id, "user_id": claim.user_id},
                )
            return ClaimReadyRead(**claim_read(claim, prize).model_dump(), notice_sent=sent)
