"""The terms a person states and the requests vendors make, as plain frozen values.

Built only by `policies.schema` (which validates), so every value here is already canonical:
purposes are DPV term names, categories are vocabulary ids, dates are timezone-aware.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import datetime, time
from enum import StrEnum

# What a rule governs: reading the person's data (every rule that names no action), adding
# records to it (vendor write-back, issue 14), or passing on to a vendor records that *other*
# vendors added. Writing and passing on are opt-in: only ever allowed by a rule naming them.
READ = "read"
WRITE = "write"
PASS_ON = "pass_on"
ACTIONS = (READ, WRITE, PASS_ON)
OPT_IN = (WRITE, PASS_ON)


class Effect(StrEnum):
    """What a rule says, and what a decision answers."""

    PERMIT = "permit"
    DENY = "deny"
    ASK = "ask"


# deny overrides ask overrides permit: the one definition of which effect wins
STRENGTH = {Effect.PERMIT: 0, Effect.ASK: 1, Effect.DENY: 2}
BY_STRENGTH = tuple(sorted(STRENGTH, key=STRENGTH.__getitem__))  # weakest first
_STRONGEST_FIRST = BY_STRENGTH[::-1]


def strongest(effects: Collection[Effect]) -> Effect:
    """The effect that wins among several (the weakest, permit, when there are none)."""
    for effect in _STRONGEST_FIRST:  # a loop over members: faster than `max` with a key
        if effect in effects:
            return effect
    return BY_STRENGTH[0]


@dataclass(frozen=True, kw_only=True)
class Condition:
    """One test on the request: `retention_days lte 30`, `vendor.certifications has b-corp`.

    The fields, their kinds and operators are defined once, in `policies.conditions`.
    """

    field: str
    op: str
    value: str | int | bool | tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class Frequency:
    """At most `max` accesses per `per` period; the count itself is an input of the request."""

    max: int
    per: str


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One of the person's rules; a None scope means 'any'."""

    id: str
    effect: Effect
    label: str = ""
    vendors: tuple[str, ...] | None = None
    purposes: tuple[str, ...] | None = None
    categories: tuple[str, ...] | None = None
    conditions: tuple[Condition, ...] = ()
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    hours: tuple[time, time] | None = None
    days: tuple[int, ...] | None = None  # 0 = Monday
    frequency: Frequency | None = None
    agreement: str | None = None
    actions: tuple[str, ...] = (READ,)


@dataclass(frozen=True, kw_only=True)
class OfferRules:
    """The butler's rules for offers that answer the person's intents."""

    blocklist: tuple[str, ...] = ()
    require_certifications: tuple[str, ...] = ()
    require_verified: bool = False
    within_budget: bool = True
    match_category: bool = True
    max_per_vendor: Frequency | None = None


@dataclass(frozen=True, kw_only=True)
class Terms:
    """A person's terms at one version: ordered rules, a default effect, offer rules."""

    version: int = 1
    default: Effect = Effect.ASK
    rules: tuple[Rule, ...] = ()
    offers: OfferRules = field(default_factory=OfferRules)
    agreements: tuple[str, ...] = ()
    auto_approve: bool = False  # approve at once, without the consent screen, what is permitted
    #: categories whose stored values never leave: only the claims the vault works out from them
    claims_only: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Vendor:
    """Who asks: id and attributes (claimed certifications include the verified ones)."""

    id: str
    jurisdiction: str | None = None
    certifications: frozenset[str] = frozenset()
    verified_certifications: frozenset[str] = frozenset()


@dataclass(frozen=True, kw_only=True)
class Request:
    """A vendor's request: who, why, what, for how long, shared with whom, and access counts."""

    vendor: Vendor
    purpose: str
    categories: tuple[str, ...]
    retention_days: int | None = None  # None: no limit stated, treated as forever
    third_party_sharing: bool = False
    recipients: frozenset[str] = frozenset()
    intent: str | None = None
    counts: tuple[tuple[str, int], ...] = ()  # (period, accesses so far in it)
    time: datetime | None = None
    action: str = READ
