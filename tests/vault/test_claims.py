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


def _claims(granted: str, fields, now: datetime) -> list[tuple]:
    return [(f["category"], f["value"]) for f in release(list(fields), [granted], {granted}, now)]


@pytest.mark.parametrize("born, today, n, over", [
    ("2008-06-15", "2026-06-14", 18, False),  # the day before her 18th birthday
    ("2008-06-15", "2026-06-15", 18, True),  # on it
    ("2008-02-29", "2026-02-28", 18, False),  # born on a leap day, a common year: not yet ...
    ("2008-02-29", "2026-03-01", 18, True),  # ... from 1 March
    ("2004-02-29", "2025-02-28", 21, False),
    ("2004-02-29", "2025-03-01", 21, True),
    ("2012-02-29", "2028-02-29", 16, True),  # a leap year: the day itself
    ("2013-01-01", "2025-12-31", 13, False),
    ("1961-06-15", "2026-06-15", 65, True),
    ("1961-06-16", "2026-06-15", 65, False),
])
def test_over_n_at_birthdays_and_leap_days(born, today, n, over):
    """Worked out on the injected day (UTC), never from a stored answer."""
    now = datetime.fromisoformat(today + "T23:59:59+00:00")
    category = f"demographics.over_{n}"
    assert _claims(category, [_field(BIRTH, born)], now) == [(category, over)]


@pytest.mark.parametrize("born, bracket", [
    ("2008-06-16", "under 18"), ("2008-06-15", "18-24"), ("2001-06-16", "18-24"),
    ("2001-06-15", "25-34"), ("1984-06-15", "35-44"), ("1961-06-16", "55-64"),
    ("1961-06-15", "65 or over"),
])
def test_age_bracket_at_its_edges(born, bracket):
    assert _claims("demographics.age_bracket", [_field(BIRTH, born)], NOW) == [
        ("demographics.age_bracket", bracket)]


def test_over_n_falls_back_to_a_stored_age_and_never_releases_it():
    stored = _field(AGE, "17", kind="number", name="Age")
    assert _claims("demographics.over_16", [stored], NOW) == [("demographics.over_16", True)]
    assert _claims("demographics.over_18", [stored], NOW) == [("demographics.over_18", False)]


def test_a_claim_granted_releases_nothing_more_precise():
    """A grant of over_18 covers only itself: no age, no date of birth, no email."""
    leaves = release([BORN, EMAIL], ["demographics.over_18"], {"demographics.over_18"}, NOW)
    assert [(f["category"], f["value"], f["derived"]) for f in leaves] == [
        ("demographics.over_18", True, True)]
    assert "1984" not in str(leaves) and "42" not in str(leaves)


def test_claims_leave_only_when_named_not_under_a_broader_grant():
    """A grant of demographics releases age in years, not a pile of over_N answers."""
    assert _leaves([GROUP]) == [(AGE, "Age in years", 42, True)]


@pytest.mark.parametrize("code, area", [("20095", "20"), ("SW1A 1AA", "SW"), ("75 001", "75"),
                                        ("1", None), ("", None)])
def test_postal_area_is_the_first_two_characters(code, area):
    found = _claims("address.postal_area", [_field("address.postal", code, kind="text")], NOW)
    assert found == ([("address.postal_area", area)] if area else [])


@pytest.mark.parametrize("size, bracket", [("1", "1"), ("2", "2"), ("3", "3-4"), ("4", "3-4"),
                                           ("5", "5 or more"), ("12", "5 or more"), ("0", None),
                                           ("many", None)])
def test_household_size_bracket(size, bracket):
    found = _claims("household.size_bracket",
                    [_field("household.size", size, kind="number")], NOW)
    assert found == ([("household.size_bracket", bracket)] if bracket else [])
