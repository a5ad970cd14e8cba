"""Time-driven work: lapsed offers pass on, closed lotteries are drawn, absentees become no-shows.

Everything is derived from the database and the clock, so any number of processes may run the
sweep: each transition is a conditional UPDATE that only one of them can win, and a no-show's
penalty is paid once because the ledger's unique key says so. This module sits above the domains,
so it can hand a registration's outcome to rewards without the two knowing each other.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openindustry.config import Settings
from openindustry.kit import clock
from openindustry.kit.errors import AppError
from openindustry.kit.tx import transaction
from openindustry.registration.service import RegistrationService
from openindustry.rewards.service import RewardsService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    offers_expired: int
    lotteries_drawn: int
    no_shows: int = 0


async def sweep(sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> SweepReport:
    async with sessionmaker() as session:
        registration = RegistrationService(session, settings)
        expired = await registration.expire_offers()
        drawn = await registration.draw_closed_lotteries()
        async with transaction(session):
            absent = await registration.mark_no_shows(clock.now())
            if settings.no_show_penalty_points > 0:
                rewards = RewardsService(session, settings)
                for no_show in absent:
                    await rewards.penalize(
                        no_show.user_id,
                        settings.no_show_penalty_points,
                        ref_type="no_show",
                        ref_id=no_show.registration_id,
                        series_id=no_show.series_id,
                    )
    return SweepReport(expired, len(drawn), len(absent))


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
