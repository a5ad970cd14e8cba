"""Accounts tables: users, their sign-in identities, companions, tokens, e-mail codes, ID data."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from openindustry.accounts.providers.base import Provider
from openindustry.kit import clock
from openindustry.kit.db import Base, JSONDocument, UTCDateTime, string_enum


class Role(StrEnum):
    PARTICIPANT = "participant"
    HOST = "host"
    ORGANIZER = "organizer"
    ADMIN = "admin"


class TokenKind(StrEnum):
    API = "api"
    SESSION = "session"


class User(Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    birth_date: Mapped[date | None] = mapped_column(Date)
    role: Mapped[Role] = mapped_column(string_enum(Role), default=Role.PARTICIPANT)
    locale: Mapped[str] = mapped_column(String(5), default="ru")
    notification_channels: Mapped[list[str]] = mapped_column(JSONDocument, default=list)
    consent_version: Mapped[str | None] = mapped_column(String(32))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    # Set when the person deleted the account: the row stays, emptied of personal data, so the
    # registrations, points and claims that point at it still count in the statistics.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ConsentRecord(Base):
    """One consent given: which version of the text, when, and when it was withdrawn.

    A history, never overwritten: proof of the ground on which personal data was processed.
    """

    __tablename__ = "consent_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(32))
    # SHA-256 of the exact text agreed to; unknown for consents given before the history was kept.
    text_sha256: Mapped[str | None] = mapped_column(String(64))
    given_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_consent_record_user_id", "user_id", "given_at"),)


class Identity(Base):
    """One door into an account: a VK, Telegram or MAX user id, or a verified e-mail."""

    __tablename__ = "identity"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    provider: Mapped[Provider] = mapped_column(string_enum(Provider))
    subject: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (
        UniqueConstraint("provider", "subject"),
        UniqueConstraint("user_id", "provider"),
    )


class Companion(Base):
    """Someone a participant brings along: a child or another adult."""

    __tablename__ = "companion"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    __table_args__ = (Index("ix_companion_user_id", "user_id"),)


class HostAssignment(Base):
    __tablename__ = "host_assignment"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    enterprise_id: Mapped[int] = mapped_column(
        ForeignKey("enterprise.id", ondelete="CASCADE"), primary_key=True
    )


class AccessToken(Base):
    """A bearer token or a page session; only its SHA-256 is stored, so a leak opens nothing."""

    __tablename__ = "access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    kind: Mapped[TokenKind] = mapped_column(string_enum(TokenKind))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_access_token_user_id", "user_id"),)


class SignInDay(Base):
    """Who opened the app on which day (UTC), kept after the token itself is purged: the reach
    statistics count these. An id and a date, nothing else; the row goes with the account row."""

    __tablename__ = "sign_in_day"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_sign_in_day_first_at", "first_at"),)


class EmailCode(Base):
    """A one-time sign-in code; kept as a keyed hash, spent once, limited in tries."""

    __tablename__ = "email_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consumed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_email_code_email", "email"),)


class IdDocument(Base):
    """ID document data for secure sites: encrypted at rest, shown masked, deleted when due."""

    __tablename__ = "id_document"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    masked: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    delete_after: Mapped[datetime] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_id_document_delete_after", "delete_after"),)
