"""Check-in data shapes: the gate's request and answer, guest lists, the offline kit."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from openindustry.accounts.schemas import DocumentType
from openindustry.kit.types import DbId
from openindustry.registration.models import RegistrationStatus

_SCAN_PATTERN = r"^[A-Za-z0-9_\-:.]+$"


class CheckinRequest(BaseModel):
    ticket_code: str = Field(min_length=1, max_length=300)
    scan_id: str | None = Field(default=None, min_length=1, max_length=64, pattern=_SCAN_PATTERN)
    offline_at: AwareDatetime | None = None
    slot_id: DbId | None = None


class Member(BaseModel):
    name: str
    age: int | None


class CheckinResult(BaseModel):
    registration_id: int
    slot_id: int
    name: str
    party_size: int
    members: list[Member]
    status: RegistrationStatus
    checked_in_at: datetime
    already_checked_in: bool
    message: str
    offline: bool = False
    duplicate: bool = False
    scan_id: str | None = None


class OfflineScan(BaseModel):
    scan_id: str = Field(min_length=1, max_length=64, pattern=_SCAN_PATTERN)
    ticket_code: str = Field(min_length=1, max_length=300)
    scanned_at: AwareDatetime


class SyncRequest(BaseModel):
    scans: list[OfflineScan] = Field(max_length=500)


class ScanError(BaseModel):
    code: str
    message: str


class SyncItem(BaseModel):
    scan_id: str
    ok: bool
    duplicate: bool = False
    result: CheckinResult | None = None
    error: ScanError | None = None


class SyncResult(BaseModel):
    items: list[SyncItem]
    checked_in: int
    duplicates: int
    refused: int


class IdDocumentShown(BaseModel):
    document_type: DocumentType
    number: str  # masked in JSON, in full only in the exports, and only when the slot requires it
    full_name: str


class Guest(BaseModel):
    registration_id: int
    name: str
    phone: str | None
    party_size: int
    members: list[Member]
    status: RegistrationStatus
    checked_in_at: datetime | None
    no_show: bool
    id_document: IdDocumentShown | None = None


class GuestList(BaseModel):
    slot_id: int
    title: str
    enterprise_name: str
    starts_at: datetime
    ends_at: datetime
    requires_id_document: bool
    items: list[Guest]
    total: int
    people: int


class KitGuest(BaseModel):
    registration_id: int
    name: str
    party_size: int
    status: RegistrationStatus
    checked_in_at: datetime | None


class CheckinKit(BaseModel):
    slot_id: int
    title: str
    starts_at: datetime
    ends_at: datetime
    public_key: str
    ticket_format: str = "OI1 + base32(version u8, ticket id u32, slot id u32, party u8, Ed25519)"
    guests: list[KitGuest]
    revoked: list[int]
    generated_at: datetime
