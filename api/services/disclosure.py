"""What leaves the vault for a set of granted categories: the one answer that the data read
and the consent page both give, so the page says exactly what the vendor will get.

Each granted category covers the ones under it (`policies.vocab`); `vault.claims` then keeps
precise values (the date of birth) home unless granted by name, and adds the claims the
vault works out instead (age in whole years).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from functools import lru_cache
from typing import Any

from policies import vocab
from vault import claims
from vault.fields import Field


def covered(categories: Iterable[str]) -> frozenset[str]:
    """Every category the granted ones include, themselves too."""
    return _covered(tuple(categories))


@lru_cache(maxsize=1024)
def _covered(categories: tuple[str, ...]) -> frozenset[str]:
    return frozenset().union(*(vocab.category_sets(c)[1] for c in categories))


@lru_cache(maxsize=1024)
def _needed(categories: tuple[str, ...]) -> frozenset[str]:
    reach = _covered(categories)
    return reach | {d.source for d in claims.DERIVATIONS if d.category in reach}


def needed(categories: Iterable[str]) -> frozenset[str]:
    """The categories whose stored fields `what_leaves` may use for a grant of `categories`:
    the covered ones and the sources of the claims worked out for them."""
    return _needed(tuple(categories))


def raw_kept(claims_only: Iterable[str]) -> frozenset[str]:
    """The categories whose stored values stay home when the terms say "only claims" for
    `claims_only`: everything under them, a value she stored as an age too (the claims the vault
    works out are never stored, so they still leave)."""
    return covered(claims_only) if claims_only else frozenset()


def what_leaves(fields: list[Field], categories: Iterable[str], at: datetime,
                claims_only: Iterable[str] = ()) -> list[dict[str, Any]]:
    """The fields and derived claims a grant of `categories` releases now, from the person's
    `fields` (`vault.list_fields`); under the terms' `claims_only` categories, claims only."""
    granted = list(categories)
    return claims.release(fields, granted, covered(granted), at, raw_kept(claims_only))


def kept_home(fields: list[Field], categories: Iterable[str], asked: Iterable[str]) -> list[str]:
    """Labels of precise categories that `categories` cover and the person holds values for,
    which stay in the vault because nothing `asked` names them (for the consent page)."""
    named = set(asked)
    held = {f.category for f in fields}
    return [vocab.category(c).label for c in sorted(claims.PRECISE & covered(categories) & held)
            if c not in named]


def in_words(leaves: list[dict[str, Any]]) -> str:
    """What leaves as the person reads it: "Over 18: yes; City: Hamburg"."""
    def shown(value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        text = str(value)
        return text if len(text) <= 80 else text[:77] + "..."
    return "; ".join(f"{f['name']}: {shown(f['value'])}" for f in leaves)
