"""Explicit async factories: build catalog objects through the service, as the app does."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.accounts.consent import CONSENT_VERSION
from openindustry.accounts.models import Role, TokenKind
from openindustry.accounts.providers.base import Provider, VerifiedIdentity
from openindustry.accounts.schemas import CompanionInput, StaffCreate, UserRead, UserUpdate
from openindustry.accounts.service import AccountsService
from openindustry.catalog.schemas import (
    EnterpriseCreate,
    EnterpriseRead,
    IndustryCreate,
    IndustryRead,
    ProgramCreate,
    ProgramRead,
    RegistrationWindowInput,
    SeriesCreate,
    SeriesRead,
    SlotCreate,
    SlotRead,
)
from openindustry.catalog.service import CatalogService
from openindustry.config import Settings
from openindustry.registration.schemas import RegistrationCreate, RegistrationRead
from openindustry.registration.service import RegistrationService
from openindustry.rewards.schemas import ClaimRead, PrizeCreate, PrizeRead
from openindustry.rewards.service import RewardsService

_seq = itertools.count(1)


def catalog(session: AsyncSession) -> CatalogService:
    return CatalogService(session, Settings(environment="test").tz)


async def industry(session: AsyncSession, **overrides: object) -> IndustryRead:
    n = next(_seq)
    data = {"slug": f"industry-{n}", "name": f"Отрасль {n}", "name_en": f"Industry {n}"} | overrides
    return await catalog(session).create_industry(IndustryCreate.model_validate(data))


async def enterprise(session: AsyncSession, **overrides: object) -> EnterpriseRead:
    n = next(_seq)
    if "industry" not in overrides:
        overrides["industry"] = (await industry(session)).slug
    data = {
        "slug": f"enterprise-{n}",
        "name": f"Фабрика №{n}",
        "short_description": "Производство",
        "address": "Москва, улица Примерная, 1",
    } | overrides
    return await catalog(session).create_enterprise(EnterpriseCreate.model_validate(data))


async def program(session: AsyncSession, **overrides: object) -> ProgramRead:
    if "enterprise_id" not in overrides:
        overrides["enterprise_id"] = (await enterprise(session)).id
    data = {"title": "Экскурсия по цеху", "format": "excursion", "duration_minutes": 90} | overrides
    return await catalog(session).create_program(ProgramCreate.model_validate(data))


async def series(session: AsyncSession, **overrides: object) -> SeriesRead:
    data = {
        "title": "Декабрьская серия",
        "starts_on": date(2030, 12, 11),
        "ends_on": date(2030, 12, 22),
    } | overrides
    return await catalog(session).create_series(SeriesCreate.model_validate(data))


async def slot(
    session: AsyncSession,
    *,
    starts_at: datetime | None = None,
    minutes: int = 90,
    registration: RegistrationWindowInput | None = None,
    **overrides: object,
) -> SlotRead:
    if "program_id" not in overrides:
        overrides["program_id"] = (await program(session)).id
    starts_at = starts_at or datetime.now(UTC) + timedelta(days=10)
    data = {
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=minutes),
        "capacity": 25,
        "registration": registration,
    } | overrides
    return await catalog(session).create_slot(SlotCreate.model_validate(data))


# People, bookings and claims (through the services, as the app makes them) ----------------------


@dataclass(frozen=True)
class Person:
    """An account with a bearer token; `email` is how it signs in on the pages."""

    user: UserRead
    email: str
    token: str


async def participant(
    session: AsyncSession,
    settings: Settings,
    *,
    name: str = "Гость",
    email: str | None = None,
    birth_date: date = date(1990, 5, 20),
    companions: tuple[tuple[str, date], ...] = (),
) -> Person:
    """A participant signed in by e-mail, consent given, birth date and companions on file."""
    email = email or f"participant-{next(_seq)}@example.org"
    accounts = AccountsService(session, settings)
    signed = await accounts.sign_in(VerifiedIdentity(Provider.EMAIL, email))
    await accounts.give_consent(signed.user.id, CONSENT_VERSION)
    people = [CompanionInput(name=n, birth_date=b) for n, b in companions]
    update = UserUpdate(name=name, birth_date=birth_date, companions=people)
    user = await accounts.update_me(signed.user.id, update)
    return Person(user, email, signed.token)


async def staff(
    session: AsyncSession, settings: Settings, role: Role, enterprise_ids: tuple[int, ...] = ()
) -> Person:
    """A host, organizer or admin account (hosts assigned to `enterprise_ids`)."""
    email = f"{role.value}-{next(_seq)}@example.org"
    accounts = AccountsService(session, settings)
    user = await accounts.create_staff(
        StaffCreate(email=email, role=role, enterprise_ids=list(enterprise_ids))
    )
    return Person(user, email, (await accounts.issue_token(email)).token)


async def page_session(session: AsyncSession, settings: Settings, person: Person) -> str:
    """A page session for the person: what the sign-in puts into the session cookie."""
    identity = VerifiedIdentity(Provider.EMAIL, person.email)
    signed = await AccountsService(session, settings).sign_in(identity, kind=TokenKind.SESSION)
    return signed.token


async def open_slot(
    session: AsyncSession,
    *,
    enterprise_id: int | None = None,
    starts_in: timedelta = timedelta(days=10),
    capacity: int = 25,
) -> SlotRead:
    """A slot whose registration (first come, first served) is open now, until shortly before."""
    now = datetime.now(UTC)
    starts_at = now + starts_in
    extra = {} if enterprise_id is None else {"enterprise_id": enterprise_id}
    return await slot(
        session,
        program_id=(await program(session, **extra)).id,
        starts_at=starts_at,
        capacity=capacity,
        registration=RegistrationWindowInput(
            opens_at=now - timedelta(hours=1), closes_at=starts_at - timedelta(minutes=30)
        ),
    )


async def registration(
    session: AsyncSession,
    settings: Settings,
    user_id: int,
    slot_id: int,
    companion_ids: tuple[int, ...] = (),
) -> RegistrationRead:
    data = RegistrationCreate(companions=list(companion_ids))
    booked, _ = await RegistrationService(session, settings).register(user_id, slot_id, data)
    return booked


async def prize(session: AsyncSession, settings: Settings, **overrides: object) -> PrizeRead:
    data = {"title": "Термос", "stock": 10, "price_points": 20} | overrides
    return await RewardsService(session, settings).create_prize(PrizeCreate.model_validate(data))


async def claim(
    session: AsyncSession, settings: Settings, user_id: int, prize: PrizeRead
) -> ClaimRead:
    """A claim for points; the points it costs are awarded first."""
    rewards = RewardsService(session, settings)
    price = prize.price_points or 0
    await rewards.award(user_id, price, reason="adjustment", ref_type="seed", ref_id=next(_seq))
    return await rewards.claim(user_id, prize.id)
