"""Explicit async factories: build catalog objects through the service, as the app does."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

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
