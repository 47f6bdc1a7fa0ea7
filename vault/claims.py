"""Derived claims: what the vault works out from a person's data, so that a vendor gets the
least precise value that serves it (her age in whole years, never the date of birth behind it).

A derivation names the category it is released as, the category it is worked out from, and a
pure function of the source value and `now`. Its source is *precise*: it leaves only when its
own category was asked for and granted by name, never through a broader one (DPV files
BirthDate under Age, so a grant of `demographics.age` or `demographics` covers it). The person's
own value in the derived category, if she stored one, wins over the worked-out one.

The coarser claims (`over_N` for N in 13, 16, 18, 21, 65, the age bracket, the postal area,
the household size bracket) are *named only*: they leave when their own category was granted
by name. A broader grant already releases a value at least as precise (age, the postal code,
the household size), so it gets no pile of redundant answers. A claim may be worked out from
more than one source (over 18 from the date of birth, or else from an age she stored); the
first that gives a value wins.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from .fields import Field


def age_in_years(born: date, on: date) -> int:
    """Whole years lived on day `on`. A 29 February birthday counts from 1 March in common
    years (the day after 28 February), as most laws on coming of age read it."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _age(value: Any, now: datetime) -> int | None:
    """Age in years on today's date in UTC; None for a value that is not a past date."""
    try:
        born = date.fromisoformat(str(value).strip())
    except ValueError:
        return None
    today = now.astimezone(UTC).date()
    return age_in_years(born, today) if born <= today else None


def _stored_age(value: Any, now: datetime) -> int | None:
    try:
        years = int(str(value).strip())
    except ValueError:
        return None
    return years if 0 <= years < 150 else None


def _over(n: int, age: Callable[[Any, datetime], int | None]):
    def compute(value: Any, now: datetime) -> bool | None:
        years = age(value, now)
        return None if years is None else years >= n
    return compute


AGE_BRACKETS = ((0, "under 18"), (18, "18-24"), (25, "25-34"), (35, "35-44"), (45, "45-54"),
                (55, "55-64"), (65, "65 or over"))
SIZE_BRACKETS = ((1, "1"), (2, "2"), (3, "3-4"), (5, "5 or more"))


def _bracket(brackets: tuple[tuple[int, str], ...], number: int | None) -> str | None:
    if number is None:
        return None
    return next((label for low, label in reversed(brackets) if number >= low), None)


def _age_bracket(age: Callable[[Any, datetime], int | None]):
    return lambda value, now: _bracket(AGE_BRACKETS, age(value, now))


def _size_bracket(value: Any, now: datetime) -> str | None:
    try:
        size = int(str(value).strip())
    except ValueError:
        return None
    return _bracket(SIZE_BRACKETS, size) if size >= 1 else None


def _postal_area(value: Any, now: datetime) -> str | None:
    """The first two letters or digits of a postal code ("20095" -> "20", "SW1A 1AA" ->
    "SW"): the area, never the street."""
    code = "".join(ch for ch in str(value).upper() if ch.isalnum())
    return code[:2] if len(code) >= 4 else None


def _place(value: Any, now: datetime) -> str | None:
    """A country or region as stored, trimmed: coarse enough to be a claim of the address."""
    text = " ".join(str(value).split())
    return text[:100] or None


@dataclass(frozen=True, kw_only=True)
class Derivation:
    """A claim worked out from one precise category, released as another."""

    category: str
    source: str
    name: str
    kind: str
    compute: Callable[[Any, datetime], Any | None]
    named_only: bool = False  # leaves only when its own category was granted by name


BIRTH, AGE = "demographics.birthdate", "demographics.age"
DERIVATIONS: tuple[Derivation, ...] = (
    Derivation(category=AGE, source=BIRTH, name="Age in years", kind="number", compute=_age),
    *(Derivation(category=f"demographics.over_{n}", source=source, name=f"Over {n}",
                 kind="yes/no", compute=_over(n, age), named_only=True)
      for n in (13, 16, 18, 21, 65) for source, age in ((BIRTH, _age), (AGE, _stored_age))),
    *(Derivation(category="demographics.age_bracket", source=source, name="Age bracket",
                 kind="text", compute=_age_bracket(age), named_only=True)
      for source, age in ((BIRTH, _age), (AGE, _stored_age))),
    # country and region are claims of the address: under terms that say "only claims" for the
    # address they still leave, while the street, house number, city and postal code stay home
    Derivation(category="address.country", source="address.country", name="Country",
               kind="text", compute=_place, named_only=True),
    Derivation(category="address.region", source="address.region", name="Region",
               kind="text", compute=_place, named_only=True),
    Derivation(category="address.postal_area", source="address.postal", name="Postal area",
               kind="text", compute=_postal_area, named_only=True),
    Derivation(category="household.size_bracket", source="household.size",
               name="Household size bracket", kind="text", compute=_size_bracket,
               named_only=True),
)
#: categories that leave only when granted by name: a broader grant gets the derived claim
PRECISE = frozenset({BIRTH})
#: every category the vault can work out (the consent page and the docs list them)
DERIVED = frozenset(d.category for d in DERIVATIONS)


def _stored(field: Field) -> dict[str, Any]:
    return {"category": field.category, "name": field.name, "kind": field.kind,
            "value": field.value, "derived": False}


def release(fields: Iterable[Field], granted: Collection[str], covered: Collection[str],
            now: datetime, raw_kept: Collection[str] = ()) -> list[dict[str, Any]]:
    """What leaves for a grant: the stored fields of the `covered` categories (every category
    the `granted` ones include), except precise ones not granted by name and those in
    `raw_kept` (the person's terms say "only claims" for them), then the derived claims of
    covered categories that hold no value of the person's own."""
    fields = list(fields)
    out = [_stored(f) for f in fields if f.category in covered and f.category not in raw_kept
           and (f.category not in PRECISE or f.category in granted)]
    own = {f["category"] for f in out}
    for rule in DERIVATIONS:
        if rule.category not in covered or rule.category in own:
            continue
        if rule.named_only and rule.category not in granted:
            continue
        for field in fields:
            if field.category == rule.source:
                value = rule.compute(field.value, now)
                if value is not None:
                    out.append({"category": rule.category, "name": rule.name,
                                "kind": rule.kind, "value": value, "derived": True})
                    own.add(rule.category)
                    break
    return out
