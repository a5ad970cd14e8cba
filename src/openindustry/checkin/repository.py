"""All check-in SQL. Repositories stage writes; they never commit."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.checkin.models import CheckinScan


async def scan(session: AsyncSession, scanned_by: int, scan_id: str) -> CheckinScan | None:
    query = select(CheckinScan).where(
        CheckinScan.scanned_by == scanned_by, CheckinScan.scan_id == scan_id
    )
    return await session.scalar(query)


async def add_scan(session: AsyncSession, scan: CheckinScan) -> None:
    session.add(scan)
    await session.flush()


async def scans_of(session: AsyncSession, registration_ids: Sequence[int]) -> Sequence[CheckinScan]:
    if not registration_ids:
        return []
    query = select(CheckinScan).where(CheckinScan.registration_id.in_(registration_ids))
    return (await session.scalars(query)).all()
