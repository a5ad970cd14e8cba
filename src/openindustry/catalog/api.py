"""Catalog JSON routes: thin adapters over CatalogService."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.catalog.models import ProgramFormat
from openindustry.catalog.schemas import (
    BulkScheduleResult,
    EnterpriseCreate,
    EnterpriseRead,
    EnterpriseUpdate,
    IndustryRead,
    Page,
    ProgramCreate,
    ProgramRead,
    ProgramUpdate,
    SeriesCreate,
    SeriesRead,
    SeriesUpdate,
    SlotBulkCreate,
    SlotCreate,
    SlotFilter,
    SlotRead,
    Slug,
)
from openindustry.catalog.service import CatalogService
from openindustry.config import Settings
from openindustry.kit.auth import Organizer
from openindustry.kit.deps import get_session, get_settings
from openindustry.kit.types import DbId, PathId

router = APIRouter(tags=["catalog"])

Limit = Annotated[int, Query(ge=1, le=200)]
Offset = Annotated[int, Query(ge=0, le=1_000_000)]
Search = Annotated[str | None, Query(max_length=100)]


async def get_catalog(
    session: Annotated[AsyncSession, Depends(get_session)],
    settings: Annotated[Settings, Depends(get_settings)],
) -> CatalogService:
    return CatalogService(session, settings.tz)


Catalog = Annotated[CatalogService, Depends(get_catalog)]


@router.get("/industries", summary="Industries (отрасли) used by the catalog filters")
async def list_industries(catalog: Catalog) -> list[IndustryRead]:
    return await catalog.industries()


@router.get("/enterprises", summary="Enterprises in the program")
async def list_enterprises(
    catalog: Catalog,
    industry: Annotated[Slug | None, Query()] = None,
    q: Search = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[EnterpriseRead]:
    return await catalog.enterprises(industry=industry, q=q, limit=limit, offset=offset)


@router.get("/enterprises/{enterprise_id}", summary="One enterprise")
async def get_enterprise(enterprise_id: PathId, catalog: Catalog) -> EnterpriseRead:
    return await catalog.enterprise(enterprise_id)


@router.get("/programs", summary="Programs: excursions, master classes, lectures, online")
async def list_programs(
    catalog: Catalog,
    enterprise_id: Annotated[DbId | None, Query()] = None,
    industry: Annotated[Slug | None, Query()] = None,
    format: Annotated[ProgramFormat | None, Query()] = None,
    age: Annotated[int | None, Query(ge=0, le=120)] = None,
    q: Search = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[ProgramRead]:
    return await catalog.programs(
        enterprise_id=enterprise_id,
        industry=industry,
        format=format,
        age=age,
        q=q,
        limit=limit,
        offset=offset,
    )


@router.get("/programs/{program_id}", summary="One program")
async def get_program(program_id: PathId, catalog: Catalog) -> ProgramRead:
    return await catalog.program(program_id)


@router.get("/slots", summary="Dated slots with seats left and registration state")
async def list_slots(catalog: Catalog, filters: Annotated[SlotFilter, Query()]) -> Page[SlotRead]:
    return await catalog.slots(filters)


@router.get("/slots/{slot_id}", summary="One slot")
async def get_slot(slot_id: PathId, catalog: Catalog) -> SlotRead:
    return await catalog.slot(slot_id)


@router.post(
    "/admin/slots", status_code=status.HTTP_201_CREATED, summary="Organizer: schedule a slot"
)
async def create_slot(body: SlotCreate, catalog: Catalog, _organizer: Organizer) -> SlotRead:
    return await catalog.create_slot(body, actor_id=_organizer.user_id)


@router.post(
    "/admin/slots/bulk",
    status_code=status.HTTP_201_CREATED,
    summary="Organizer: schedule many slots at once (or preview them)",
)
async def bulk_schedule(
    body: SlotBulkCreate, catalog: Catalog, organizer: Organizer, response: Response
) -> BulkScheduleResult:
    result = await catalog.bulk_schedule(body, actor_id=organizer.user_id)
    if result.preview:
        response.status_code = status.HTTP_200_OK
    return result


@router.post(
    "/admin/enterprises",
    status_code=status.HTTP_201_CREATED,
    summary="Organizer: add an enterprise",
)
async def create_enterprise(
    body: EnterpriseCreate, catalog: Catalog, organizer: Organizer
) -> EnterpriseRead:
    return await catalog.create_enterprise(body, actor_id=organizer.user_id)


@router.patch("/admin/enterprises/{enterprise_id}", summary="Organizer: change an enterprise")
async def update_enterprise(
    enterprise_id: PathId, body: EnterpriseUpdate, catalog: Catalog, organizer: Organizer
) -> EnterpriseRead:
    return await catalog.update_enterprise(enterprise_id, body, actor_id=organizer.user_id)


@router.post(
    "/admin/programs", status_code=status.HTTP_201_CREATED, summary="Organizer: add a program"
)
async def create_program(
    body: ProgramCreate, catalog: Catalog, organizer: Organizer
) -> ProgramRead:
    return await catalog.create_program(body, actor_id=organizer.user_id)


@router.patch("/admin/programs/{program_id}", summary="Organizer: change a program")
async def update_program(
    program_id: PathId, body: ProgramUpdate, catalog: Catalog, organizer: Organizer
) -> ProgramRead:
    return await catalog.update_program(program_id, body, actor_id=organizer.user_id)


@router.post(
    "/admin/series", status_code=status.HTTP_201_CREATED, summary="Organizer: add a series"
)
async def create_series(body: SeriesCreate, catalog: Catalog, organizer: Organizer) -> SeriesRead:
    return await catalog.create_series(body, actor_id=organizer.user_id)


@router.patch("/admin/series/{series_id}", summary="Organizer: change a series and its policy")
async def update_series(
    series_id: PathId, body: SeriesUpdate, catalog: Catalog, organizer: Organizer
) -> SeriesRead:
    return await catalog.update_series(series_id, body, actor_id=organizer.user_id)
