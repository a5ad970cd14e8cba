"""The dashboard's series filter is a list of series by name, and the choice is kept."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from tests import factories
from tests.backoffice.conftest import SignIn, text_of


async def test_series_are_chosen_by_name(sign_in: SignIn, session: AsyncSession) -> None:
    november = await factories.series(
        session, title="Ноябрьская серия", starts_on=date(2030, 11, 1), ends_on=date(2030, 11, 30)
    )
    december = await factories.series(session, title="Декабрьская серия")
    client = await sign_in()
    board = await client.get(f"/backoffice/stats?series_id={november.id}")
    assert board.status_code == 200
    assert '<select class="input" id="series_id" name="series_id"' in board.text
    assert 'type="number"' not in board.text.split('id="series_id"', 1)[1].split(">", 1)[0]
    assert f'<option value="{november.id}" selected>' in board.text
    assert f'<option value="{december.id}">' in board.text
    # The newest series first, then the older ones; «all» leads.
    page = text_of(board)
    assert page.index("Все серии") < page.index("Декабрьская серия") < page.index("Ноябрьская")
    assert f"series_id={november.id}" in board.text  # the CSV links keep the choice
