"""Accounts data shapes for services and the JSON API."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, field_validator, model_validator

from openindustry.accounts.models import Role
from openindustry.accounts.providers.base import Provider
from openindustry.kit.types import DbId

LaunchData = Annotated[str, Field(min_length=1, max_length=8192)]
PersonName = Annotated[str, Field(min_length=1, max_length=200)]


class Channel(StrEnum):
    VK = "vk"
    TELEGRAM = "telegram"
    MAX = "max"
    EMAIL = "email"


class DocumentType(StrEnum):
    PASSPORT_RF = "passport_rf"
    FOREIGN_PASSPORT = "foreign_passport"
    BIRTH_CERTIFICATE = "birth_certificate"


def _plausible_birth_date(value: date | None) -> date | None:
    if value is not None and not date(1900, 1, 1) <= value <= date.today():  # noqa: DTZ011
        raise ValueError("birth date must be between 1900-01-01 and today")
    return value


class CompanionInput(BaseModel):
    """A companion to keep: with an `id` to change an existing one, without to add a new one."""

    id: DbId | None = None
    name: PersonName
    birth_date: date

    _birth = field_validator("birth_date")(_plausible_birth_date)


class CompanionRead(BaseModel):
    id: int
    name: str
    birth_date: date


class ConsentState(BaseModel):
    version: str
    given_at: datetime
    current: bool


class IdDocumentInput(BaseModel):
    document_type: DocumentType
    number: str = Field(min_length=4, max_length=32, pattern=r"^[0-9A-Za-zА-Яа-яЁё \-№]+$")
    full_name: PersonName


class IdDocumentRead(BaseModel):
    document_type: DocumentType
    masked_number: str
    full_name: str
    delete_after: datetime


class UserRead(BaseModel):
    id: int
    name: str
    email: str | None
    phone: str | None
    birth_date: date | None
    role: Role
    locale: str
    notification_channels: list[Channel]
    companions: list[CompanionRead]
    identities: list[Provider]
    consent: ConsentState | None
    id_document: IdDocumentRead | None
    enterprise_ids: list[int]


class BookingProfile(BaseModel):
    """What registration needs to know about a person, in two cheap queries."""

    user_id: int
    name: str
    birth_date: date | None
    consent_current: bool
    has_id_document: bool
    companions: list[CompanionRead]


class UserUpdate(BaseModel):
    """A partial profile change; `companions`, when given, is the whole new list."""

    name: PersonName | None = None
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ()\-]{10,20}$")
    birth_date: date | None = None
    locale: str | None = Field(default=None, pattern=r"^(ru|en)$")
    notification_channels: list[Channel] | None = Field(default=None, max_length=4)
    companions: list[CompanionInput] | None = Field(default=None, max_length=10)

    _birth = field_validator("birth_date")(_plausible_birth_date)


class AuthResult(BaseModel):
    token: str
    expires_at: datetime
    user: UserRead


class VkAuth(BaseModel):
    launch_params: LaunchData


class TelegramAuth(BaseModel):
    init_data: LaunchData


class MaxAuth(BaseModel):
    web_app_data: LaunchData


class EmailStart(BaseModel):
    email: str = Field(min_length=3, max_length=320)


class EmailVerify(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    code: str = Field(min_length=1, max_length=12)


class EmailStarted(BaseModel):
    sent: bool
    expires_in: int
    # Only in development without SMTP, so a newcomer can sign in; never in production.
    dev_code: str | None = None


class ConsentRead(BaseModel):
    version: str
    text: str


class ConsentGive(BaseModel):
    version: str = Field(min_length=1, max_length=32)


class IdentityRecord(BaseModel):
    """A door into the account as stored: the platform and the person's id there (no secret)."""

    provider: Provider
    subject: str
    created_at: datetime


class ConsentRecordRead(BaseModel):
    version: str
    text_sha256: str | None
    given_at: datetime
    withdrawn_at: datetime | None


class AccountExport(BaseModel):
    """Everything accounts holds about a person, for their own download (ID number masked)."""

    profile: UserRead
    created_at: datetime
    identities: list[IdentityRecord]
    consents: list[ConsentRecordRead]
    # Days the app was opened (UTC), as the reach statistics count them.
    sign_in_days: list[date] = []


class StaffCreate(BaseModel):
    email: str = Field(min_length=3, max_length=320)
    role: Role
    name: str = Field(default="", max_length=200)
    enterprise_ids: list[DbId] = Field(default_factory=list, max_length=200)


class StaffRead(BaseModel):
    """A staff account as the admins' list shows it."""

    id: int
    name: str
    email: str | None
    role: Role
    enterprise_ids: list[int]


class ParticipantContact(BaseModel):
    """Someone an organizer registers by hand (a hotline call): found by e-mail, else by phone,
    else created as a participant account that can later sign in with that e-mail's code."""

    name: PersonName
    email: str | None = Field(default=None, min_length=3, max_length=320)
    phone: str | None = Field(default=None, pattern=r"^\+?[0-9 ()\-]{10,20}$")
    birth_date: date | None = None  # for a new account; an existing profile keeps its own

    _birth = field_validator("birth_date")(_plausible_birth_date)

    @model_validator(mode="after")
    def _reachable(self) -> ParticipantContact:
        if not (self.email or self.phone):
            raise ValueError("an e-mail or a phone number is needed")
        return self


class PersonContact(BaseModel):
    user_id: int
    name: str
    email: str | None
    phone: str | None
