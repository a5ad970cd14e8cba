"""Time-driven registration work: lapsed offers pass on, closed lotteries are drawn.

Everything is derived from the database and the clock, so any number of processes may run the
sweep: each transition is a conditional UPDATE that only one of them can win.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openindustry.config import Settings
from openindustry.kit import clock
from openindustry.kit.errors import AppError
from openindustry.registration.service import RegistrationService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    offers_expired: int
    lotteries_drawn: int
    no_shows: int = 0


async def sweep(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> SweepReport:
    async with sessionmaker() as session:
        service = RegistrationService(session, settings)
        expired = await service.expire_offers()
        drawn = await service.draw_closed_lotteries()
        no_shows = await service.mark_no_shows(clock.now())
    return SweepReport(expired, len(drawn), no_shows)


async def sweep_forever(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """Run the sweep every `sweep_interval_seconds`; a failed round is logged and retried."""
    while True:
        try:
            report = await sweep(sessionmaker, settings)
            if report.offers_expired or report.lotteries_drawn or report.no_shows:
                log.info("sweep: %s", report)
        except (AppError, OSError, ConnectionError) as exc:
            log.warning("sweep round failed: %s", type(exc).__name__)
        except Exception:
            log.exception("sweep round failed")
        await asyncio.sleep(settings.sweep_interval_seconds)
