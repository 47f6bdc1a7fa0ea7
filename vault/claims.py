"""Derived claims: what the vault works out from a person's data, so that a vendor gets the
least precise value that serves it (her age in whole years, never the date of birth behind it).

A derivation names the category it is released as, the category it is worked out from, and a
pure function of the source value and `now`. Its source is *precise*: it leaves only when its
own category was asked for and granted by name, never through a broader one (DPV files
BirthDate under Age, so a grant of `demographics.age` or `demographics` covers it). The person's
own value in the derived category, if she stored one, wins over the worked-out one.
More derivations (over 18, age bracket, region from an address, household size bracket) are
added to `DERIVATIONS`; `release` stays as it is.
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


@dataclass(frozen=True, kw_only=True)
class Derivation:
    """A claim worked out from one precise category, released as another."""

    category: str
    source: str
    name: str
    kind: str
    compute: Callable[[Any, datetime], Any | None]


DERIVATIONS: tuple[Derivation, ...] = (
    Derivation(category="demographics.age", source="demographics.birthdate",
               name="Age in years", kind="number", compute=_age),
)
#: categories that leave only when granted by name: a broader grant gets the derived claim
PRECISE = frozenset(d.source for d in DERIVATIONS)


def _stored(field: Field) -> dict[str, Any]:
    return {"category": field.category, "name": field.name, "kind": field.kind,
            "value": field.value, "derived": False}


def release(fields: Iterable[Field], granted: Collection[str], covered: Collection[str],
            now: datetime) -> list[dict[str, Any]]:
    """What leaves for a grant: the stored fields of the `covered` categories (every category
    the `granted` ones include), except precise ones not granted by name, then the derived
    claims of covered categories that hold no value of the person's own."""
    fields = list(fields)
    out = [_stored(f) for f in fields if f.category in covered
           and (f.category not in PRECISE or f.category in granted)]
    own = {f["category"] for f in out}
    for rule in DERIVATIONS:
        if rule.category not in covered or rule.category in own:
            continue
        for field in fields:
            if field.category == rule.source:
                value = rule.compute(field.value, now)
                if value is not None:
                    out.append({"category": rule.category, "name": rule.name,
                                "kind": rule.kind, "value": value, "derived": True})
                    break
    return out
