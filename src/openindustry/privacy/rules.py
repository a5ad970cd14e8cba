"""Pure personal-data decisions: how ages are coarsened when an account goes, what an export
leaves out. No I/O."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from openindustry.stats import rules as stats_rules

# What a participant types to delete the account: a word, not a checkbox, so it is never a slip
# (the English pages ask for the English word).
CONFIRMATION_WORD = "УДАЛИТЬ"
CONFIRMATION_WORD_EN = "DELETE"
# Never in a download: a file that lies around must not open a gate, a prize desk or an account.
SECRET_KEYS = frozenset({"code", "token", "ticket_code", "pickup_code", "address", "secrets"})


def confirmed(typed: str) -> bool:
    """The typed word, whatever its case and surrounding spaces («удалить» counts)."""
    return typed.strip().casefold() in {
        CONFIRMATION_WORD.casefold(),
        CONFIRMATION_WORD_EN.casefold(),
    }


def years_before(day: date, years: int) -> date:
    """The same calendar day `years` earlier; 29 February becomes the 28th in a common year."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class StatsAgeBuckets:
    """The statistics' age groups: a deleted participant keeps only these on their registrations."""

    def group(self, birth_date: date | None, day: date) -> str:
        return stats_rules.age_group(birth_date, day)

    def stand_in(self, birth_date: date, day: date) -> date:
        """The first birthday of the group's youngest age: someone exactly that old on `day`."""
        label = stats_rules.age_group(birth_date, day)
        for name, youngest, _oldest in stats_rules.AGE_GROUPS:
            if name == label:
                return years_before(day, youngest)
        return day + timedelta(days=1)  # an unknown age (born after the day) stays unknown


def without_secrets(payload: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in payload.items() if k not in SECRET_KEYS}
