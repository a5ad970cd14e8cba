"""The database itself refuses impossible catalog rows, whatever code writes them."""

from __future__ import annotations

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from openindustry.catalog.errors import SlugTaken
from openindustry.catalog.models import Enterprise, Slot
from openindustry.kit.tx import transaction
from tests import factories


@pytest.mark.parametrize(
    "values",
    [{"seats_taken": 26}, {"seats_taken": -1}, {"capacity": -1}, {"capacity": 3, "seats_taken": 4}],
)
async def test_a_slot_never_holds_more_than_its_capacity(
    session: AsyncSession, values: dict[str, int]
) -> None:
    slot = await factories.slot(session, capacity=25)
    with pytest.raises(IntegrityError):
        async with transaction(session):
            await session.execute(update(Slot).where(Slot.id == slot.id).values(**values))


async def test_slugs_are_unique_in_the_database(session: AsyncSession) -> None:
    industry = await factories.industry(session)
    await factories.enterprise(session, slug="toys", industry=industry.slug)
    with pytest.raises(IntegrityError):
        async with transaction(session):
            session.add(
                Enterprise(
                    slug="toys", name="Копия", industry_id=industry.id,
                    short_description="-", address="-",
                )
            )  # fmt: skip


async def test_a_taken_slug_is_a_conflict_with_a_code(session: AsyncSession) -> None:
    await factories.industry(session, slug="toys")
    with pytest.raises(SlugTaken) as refused:
        await factories.industry(session, slug="toys")
    assert refused.value.code == "slug_taken"
    await factories.industry(session, slug="shoes")  # the session is usable after the refusal
