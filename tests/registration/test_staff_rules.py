"""The pure rules behind the organizer's tools: where a party may move, whom a search finds."""

from __future__ import annotations

import pytest

from openindustry.registration.rules import Placement, matches_person, may_move

HOME = Placement(program_id=1, enterprise_id=10, series_id=100)


@pytest.mark.parametrize(
    ("target", "allowed"),
    [
        (Placement(1, 10, 100), True),  # another date of the same program
        (Placement(1, 10, None), True),  # the same program outside the series
        (Placement(2, 10, 100), True),  # another program of the enterprise, same series
        (Placement(2, 10, 200), False),  # another program in another series
        (Placement(2, 10, None), False),
        (Placement(3, 11, 100), False),  # another enterprise, even in the same series
    ],
)
def test_where_a_party_may_move(target: Placement, allowed: bool) -> None:
    assert may_move(HOME, target) is allowed


def test_without_a_series_only_the_same_program() -> None:
    loose = Placement(1, 10, None)
    assert may_move(loose, Placement(1, 10, None))
    assert not may_move(loose, Placement(2, 10, None))


PERSON = {"name": "Ёлкина Анна", "email": "Anna.Elkina@example.org", "phone": "+79031112233"}


@pytest.mark.parametrize(
    ("needle", "found"),
    [
        ("", True),
        ("  ", True),
        ("елкина", True),
        ("ЁЛКИНА анна", True),
        ("anna.elkina@", True),
        ("EXAMPLE.ORG", True),
        ("903 111", True),
        ("+7 (903) 111-22-33", True),
        ("8 903 111 22 33", True),
        ("2233", True),
        ("223", False),  # too few digits to mean a phone
        ("Борис", False),
        ("903 999", False),
        ("anna 903", False),  # letters: not a phone number, and not in the name either
    ],
)
def test_whom_a_search_finds(needle: str, found: bool) -> None:
    assert matches_person(needle, **PERSON) is found


def test_a_person_without_contacts_is_found_by_name_only() -> None:
    assert matches_person("анна", name="Анна", email=None, phone=None)
    assert not matches_person("1234", name="Анна", email=None, phone=None)
    assert not matches_person("a@b", name="Анна", email=None, phone=None)
