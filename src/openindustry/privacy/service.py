"""Personal-data use cases that span the domains: a participant downloads their data, deletes
their account; the retention purge runs once a day.

This domain sits above the others in the import layers, so it can ask each of them to do its own
part through its own service, inside one transaction: a deletion happens whole or not at all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.models import Role
from openindustry.accounts.service import AccountsService
from openindustry.audit.service import AuditService
from openindustry.checkin.service import CheckinService
from openindustry.config import Settings
from openindustry.kit import clock
from openindustry.kit.tx import transaction
from openindustry.notifications.service import NotificationsService
from openindustry.privacy import repository as repo
from openindustry.privacy import rules
from openindustry.privacy.errors import ConfirmationRequired, StaffAccount
from openindustry.privacy.schemas import DeletionPreview, DeletionReport, PersonalData
from openindustry.quests.service import QuestsService
from openindustry.registration.service import RegistrationService
from openindustry.rewards.models import ClaimStatus
from openindustry.rewards.service import RewardsService


class PrivacyService:
    def __init__(self, session: AsyncSession, settings: Settings) -> None:
        self.session = session
        self.settings = settings
        self.accounts = AccountsService(session, settings)
        self.registrations = RegistrationService(session, settings)
        self.quests = QuestsService(session, settings)
        self.rewards = RewardsService(session, settings)
        self.outbox = NotificationsService(session, settings)
        self.checkin = CheckinService(session, settings)

    async def export(self, user_id: int) -> PersonalData:
        """The caller's data from every domain, read in one transaction (one consistent picture)."""
        async with transaction(self.session):
            notifications = await self.outbox.addressed_to(user_id)
            return PersonalData(
                generated_at=clock.now(),
                account=await self.accounts.export_person(user_id),
                registrations=await self.registrations.export_person(user_id),
                quests=await self.quests.export_person(user_id),
                rewards=await self.rewards.export_person(user_id),
                notifications=[
                    n.model_copy(update={"payload": rules.without_secrets(n.payload)})
                    for n in notifications
                ],
            )

    async def deletion_preview(self, user_id: int) -> DeletionPreview:
        """What a deletion would take away: upcoming registrations, points, prizes not yet taken."""
        async with transaction(self.session):
            profile = await self.accounts.me(user_id)
            rewards = await self.rewards.export_person(user_id)
            return DeletionPreview(
                staff=profile.role is not Role.PARTICIPANT,
                upcoming_registrations=len(await self.registrations.upcoming(user_id)),
                points_balance=rewards.balance,
                reserved_prizes=sum(c.status is ClaimStatus.RESERVED for c in rewards.claims),
            )

    async def delete_account(
        self, user_id: int, confirmation: str, *, by_admin: bool = False
    ) -> DeletionReport:
        """Delete the caller's account, all or nothing, keeping every statistic as it was.

        Upcoming registrations are cancelled first as the person would cancel them (seats go
        back, the waitlist moves); then each domain erases or anonymises its part; the account
        row stays, emptied, so the registrations, points and claims that point at it still count.
        A staff account is deleted only by an administrator (`by_admin`, the command line).
        """
        if not rules.confirmed(confirmation):
            raise ConfirmationRequired(
                f"Чтобы удалить профиль, напишите слово «{rules.CONFIRMATION_WORD}».",
                details={"confirmation": rules.CONFIRMATION_WORD},
            )
        async with transaction(self.session):
            profile = await self.accounts.me(user_id)
            if profile.role is not Role.PARTICIPANT and not by_admin:
                raise StaffAccount(
                    "Служебный профиль удаляет администратор: напишите организаторам программы."
                )
            cancelled = await self.registrations.cancel_upcoming(user_id)
            anonymised = await self.registrations.anonymise_person(user_id, rules.StatsAgeBuckets())
            erased: dict[str, Any] = {
                "scan_names": await self.checkin.forget_names(anonymised),
                "feedback_comments": await self.quests.forget_person(user_id),
                "leaderboard_scores": await self.rewards.forget_person(user_id),
                "notifications": await self.outbox.forget_person(user_id),
            }
            erased |= await self.accounts.erase_person(user_id)
            report = DeletionReport(
                user_id=user_id,
                deleted_at=clock.now(),
                registrations_cancelled=cancelled,
                registrations_anonymised=len(anonymised),
                erased=erased,
            )
            # The person's own act, logged without anything that could identify them.
            await AuditService(self.session, self.settings.tz).record(
                None if by_admin else user_id,
                "account.deleted",
                subject_type="user",
                subject_id=user_id,
                after=report.model_dump(exclude={"user_id", "deleted_at"}),
            )
            return report

    async def purge(self) -> dict[str, int]:
        """Delete what is due now: ID data past its retention, dead tokens, old sign-in codes."""
        async with transaction(self.session):
            return await self.accounts.purge()

    async def purge_daily(self) -> dict[str, int] | None:
        """The purge, once per Moscow day however many workers sweep: the first to insert the
        day's marker runs it in the same transaction (a failure leaves no marker, so the next
        sweep tries again). None when the day's purge has already run."""
        now = clock.now()
        day = now.astimezone(self.settings.tz).date()
        async with transaction(self.session):
            if not await repo.claim_day(self.session, day, now):
                return None
            counts = await self.accounts.purge()
            await repo.record_counts(self.session, day, counts)
            return counts
