"""Personal-data shapes: a participant's download, the deletion request and its report."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from openindustry.accounts.schemas import AccountExport
from openindustry.notifications.schemas import NotificationRead
from openindustry.quests.schemas import QuestsExport
from openindustry.registration.schemas import RegistrationRecord
from openindustry.rewards.schemas import RewardsExport


class PersonalData(BaseModel):
    """Everything the platform keeps about the caller. Left out on purpose: secrets that would
    work if the file leaked (tokens, ticket codes, pickup codes) and the ID document's number,
    which stays masked as everywhere outside the security desk's export."""

    format_version: int = 1
    generated_at: datetime
    account: AccountExport
    registrations: list[RegistrationRecord]
    quests: QuestsExport
    rewards: RewardsExport
    notifications: list[NotificationRead]


class DeletionPreview(BaseModel):
    """What deleting the account would take away, shown before the person confirms."""

    staff: bool
    upcoming_registrations: int
    points_balance: int
    reserved_prizes: int


class AccountDeletion(BaseModel):
    """The word «УДАЛИТЬ», typed by the person: deletion cannot be undone."""

    confirmation: str = Field(max_length=64)


class DeletionReport(BaseModel):
    user_id: int
    deleted_at: datetime
    registrations_cancelled: int
    registrations_anonymised: int
    # What each domain erased or changed, by name (identities, companions, tokens_revoked, …).
    erased: dict[str, int]
