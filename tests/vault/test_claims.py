"""Derived claims: age in whole years, worked out by the vault; the date of birth stays home
unless it was asked for and granted by name (issue 9 item 18)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from vault.claims import PRECISE, age_in_years, release
from vault.fields import Field

AGE, BIRTH, GROUP = "demographics.age", "demographics.birthdate", "demographics"


@pytest.mark.parametrize("born, on, years", [
    ("1984-06-15", "2026-06-14", 41),  # the day before her birthday
    ("1984-06-15", "2026-06-15", 42),  # on it
    ("1984-06-15", "2026-12-31", 42),
    ("2000-02-29", "2024-02-28", 23),
    ("2000-02-29", "2024-02-29", 24),  # a leap year: the day itself
    ("2000-02-29", "2025-02-28", 24),  # a common year: not yet ...
    ("2000-02-29", "2025-03-01", 25),  # ... the birthday counts from 1 March
    ("2026-01-01", "2026-01-01", 0),
])
def test_age_in_whole_years(born, on, years):
    assert age_in_years(date.fromisoformat(born), date.fromisoformat(on)) == years


def _field(category: str, value: str, kind: str = "date", name: str = "Birthday") -> Field:
    at = datetime(2020, 1, 1, tzinfo=UTC)
    return Field(id=category + value, person_id="p", category=category, name=name, kind=kind,
                 value=value, created_at=at, updated_at=at)


NOW = datetime(2026, 6, 15, 0, 30, tzinfo=UTC)
BORN = _field(BIRTH, "1984-06-15")
EMAIL = _field("contact.email", "ada@example.org", kind="email", name="Email")
COVERS = {AGE: {AGE, BIRTH}, GROUP: {GROUP, AGE, BIRTH}, BIRTH: {BIRTH}}


def _leaves(granted: list[str], fields=(BORN, EMAIL)) -> list[tuple]:
    covered = set().union(*(COVERS.get(c, {c}) for c in granted))
    return [(f["category"], f["name"], f["value"], f["derived"])
            for f in release(list(fields), granted, covered, NOW)]


def test_a_grant_of_age_gets_age_in_years_never_the_date_of_birth():
    assert _leaves([AGE]) == [(AGE, "Age in years", 42, True)]
    assert _leaves([GROUP]) == [(AGE, "Age in years", 42, True)]  # a broader category too


def test_the_date_of_birth_leaves_only_when_granted_by_name():
    assert _leaves([BIRTH]) == [(BIRTH, "Birthday", "1984-06-15", False)]
    assert _leaves([AGE, BIRTH]) == [(BIRTH, "Birthday", "1984-06-15", False),
                                     (AGE, "Age in years", 42, True)]
    assert _leaves(["contact.email"]) == [("contact.email", "Email", "ada@example.org", False)]
    assert BIRTH in PRECISE


def test_her_own_age_field_wins_and_an_unreadable_date_gives_nothing():
    stated = _field(AGE, "40", kind="number", name="Age")
    assert _leaves([AGE], fields=(BORN, stated)) == [(AGE, "Age", "40", False)]
    for value in ("sometime in 1984", "2027-01-01", ""):  # unreadable, or not born yet
        assert _leaves([AGE], fields=(_field(BIRTH, value),)) == []
