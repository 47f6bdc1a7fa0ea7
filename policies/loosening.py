"""Does a terms change let any vendor get more? Decided by the engine, comparing decisions.

An agent may propose new terms; a change that only restricts applies at once, one that permits
more waits for the person. "Permits more" means: for some request, some category's effect
gets weaker (deny -> ask, deny -> permit, ask -> permit), or auto-approve is switched on, or
an offer rule lets more through, or a standard agreement is added. Requests are probed, not
diffed as text: the probe set holds every vendor given plus strangers built from each vendor
id, certification and jurisdiction either version mentions; one purpose and one category for
each way the rules of both versions split them; each retention limit either version names, one
day under and over; sharing with and without the recipients named, and answering an intent or
not, where a rule tests them; the access counts at each frequency limit; and the clock at now
and at each rule's start and end, weekday and hour. Within each of these dimensions two values
the probes leave out are answered alike by both versions, so a weaker effect anywhere shows in
the probes. When the set grows beyond `BUDGET` probes, the change
counts as permitting more (fail closed: the person decides).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from . import vocab
from .compile import CompiledTerms
from .evaluate import evaluate
from .model import STRENGTH, Effect, Request, Terms, Vendor

BUDGET = 20_000
STRANGER = "(any other vendor)"
SECOND = timedelta(seconds=1)


@dataclass(frozen=True, kw_only=True)
class Loosening:
    """One way the new terms permit more: a category's effect for one probe, or a setting."""

    what: str  # "effect", "auto_approve", "offers", "too_many_cases"
    text: str
    vendor: str | None = None
    purpose: str | None = None
    category: str | None = None
    before: str | None = None
    after: str | None = None

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def _mentioned(terms: Iterable[Terms]) -> dict[str, set]:
    """Every value the rules of the given terms test, by dimension."""
    found: dict[str, set] = {k: set() for k in (
        "vendor", "cert", "verified", "jurisdiction", "retention", "recipient", "time", "clock",
        "day", "frequency", "purpose", "sharing", "intent")}
    for t in terms:
        for rule in t.rules:
            found["vendor"].update(rule.vendors or ())
            found["time"].update(x for x in (rule.valid_from, rule.valid_until) if x)
            if rule.hours:
                found["clock"].update(rule.hours)
            found["day"].update(rule.days or ())
            if rule.frequency:
                found["frequency"].add((rule.frequency.per, rule.frequency.max))
            for c in rule.conditions:
                if c.field in ("third_party_sharing", "recipients", "answers_intent"):
                    found["intent" if c.field == "answers_intent" else "sharing"].add(c.field)
                values = c.value if isinstance(c.value, tuple | list) else (c.value,)
                key = {"vendor.id": "vendor", "vendor.certifications": "cert",
                       "vendor.verified_certifications": "verified",
                       "vendor.jurisdiction": "jurisdiction", "retention_days": "retention",
                       "recipients": "recipient", "purpose": "purpose"}.get(c.field)
                if key:
                    found[key].update(v for v in values if not isinstance(v, bool))
    return found


def _vendors(known: Iterable[Vendor], seen: dict[str, set]) -> list[Vendor]:
    certs = sorted(seen["cert"] | seen["verified"])
    cert_sets = {frozenset(), frozenset(certs), *(frozenset([c]) for c in certs)}
    places = [None, "ZZ", *sorted(seen["jurisdiction"])] if seen["jurisdiction"] else [None]
    # verification matters only to rules that test it; claimed certifications include it
    strangers = [Vendor(id=i, jurisdiction=j, certifications=c, verified_certifications=v)
                 for i in [STRANGER, *sorted(seen["vendor"])] for j in places
                 for c in cert_sets for v in ({frozenset(), c} if seen["verified"] else
                                              {frozenset()})]
    return [*known, *strangers]


def _categories(old: CompiledTerms, new: CompiledTerms) -> tuple[str, ...]:
    """One category per way the rules of both versions split the categories: the engine
    answers two categories alike when the same rules cover them."""
    scopes = [r.categories for r in (*old.rules, *new.rules) if r.categories is not None]
    picked: dict[tuple, str] = {}
    for c in (x.id for x in vocab.categories()):
        picked.setdefault(tuple(c in s for s in scopes), c)
    return tuple(picked.values())


def _purposes(old: CompiledTerms, new: CompiledTerms, exact: set) -> list[str]:
    """One purpose per way the rules of both versions (and exact purpose tests) split them."""
    scopes = [r.purposes for r in (*old.rules, *new.rules) if r.purposes is not None]
    picked: dict[tuple, str] = {}
    for p in sorted(x.id for x in vocab.purposes()):
        picked.setdefault((tuple(p in s for s in scopes), p if p in exact else None), p)
    return list(picked.values())


def _retentions(seen: dict[str, set]) -> list[int | None]:
    days = {0}
    for n in seen["retention"]:
        if isinstance(n, int | float) and math.isfinite(n):  # an infinite limit: None covers it
            days.update({max(0, int(n) - 1), int(n), int(n) + 1})
    return [None, *sorted(days)]


def _times(now: datetime, seen: dict[str, set]) -> list[datetime]:
    points = {now}
    for t in seen["time"]:
        if t > now:
            points.update({t - SECOND, t, t + SECOND})
    if seen["clock"] or seen["day"]:
        for d in range(7):
            day = (now + timedelta(days=d)).replace(hour=12, minute=0, second=0, microsecond=0)
            points.add(day)
            for clock in seen["clock"]:
                at = day.replace(hour=clock.hour, minute=clock.minute)
                points.update({at - SECOND, at, at + SECOND})
    return sorted(p for p in points if p >= now)


def _counts(seen: dict[str, set]) -> list[tuple]:
    return [(), *(((per, n),) for per, most in sorted(seen["frequency"])
                  for n in {max(0, most - 1), most})]


def _sharing(seen: dict[str, set]) -> list[tuple[bool, frozenset]]:
    if not seen["sharing"]:  # only conditions look at sharing: none, no difference
        return [(False, frozenset())]
    named = sorted(seen["recipient"])
    return [(False, frozenset()), (True, frozenset()), (True, frozenset(named)),
            *((True, frozenset([r])) for r in named)]


def _settings(old: Terms, new: Terms) -> list[Loosening]:
    """The parts of the terms that are not per-request effects: auto-approve and offers."""
    found = []
    if new.auto_approve and not old.auto_approve:
        found.append(Loosening(what="auto_approve",
                               text="Requests your terms permit would be approved at once, "
                                    "without asking you"))
    before, after = old.offers, new.offers
    cap, cap_after = before.max_per_vendor, after.max_per_vendor
    looser = (set(before.blocklist) - set(after.blocklist)
              or set(before.require_certifications) - set(after.require_certifications)
              or (before.require_verified and not after.require_verified)
              or (before.within_budget and not after.within_budget)
              or (before.match_category and not after.match_category)
              or (cap is not None and (cap_after is None or cap_after.max > cap.max
                                       or cap_after.per != cap.per)))
    if looser:
        found.append(Loosening(what="offers", text="More offers would reach you"))
    if set(new.agreements) - set(old.agreements):
        found.append(Loosening(what="agreements", text="You would accept more standard "
                                                       "agreements"))
    return found


def loosenings(old: CompiledTerms, new: CompiledTerms, now: datetime,
               vendors: Iterable[Vendor] = (), limit: int = 20) -> list[Loosening]:
    """Every way (up to `limit` examples) `new` permits more than `old`; empty when it only
    restricts or changes nothing vendors can get."""
    found = _settings(old.terms, new.terms)
    seen = _mentioned([old.terms, new.terms])
    probed, purposes, retentions = _vendors(vendors, seen), _purposes(old, new, seen["purpose"]), \
        _retentions(seen)
    intents = [None, "intent"] if seen["intent"] else [None]
    sharings, counted, times = _sharing(seen), _counts(seen), _times(now, seen)
    size = (len(probed) * len(purposes) * len(retentions) * len(sharings) * len(intents)
            * len(counted) * len(times))
    if size > BUDGET:
        return [*found, Loosening(what="too_many_cases",
                                  text="The change is too intricate to check here, so you decide")]
    categories = _categories(old, new)
    shown: set[tuple] = set()
    for vendor, purpose, retention, (sharing, recipients), intent, counts, at in \
            itertools.product(probed, purposes, retentions, sharings, intents, counted, times):
        request = Request(vendor=vendor, purpose=purpose, categories=categories,
                          retention_days=retention, third_party_sharing=sharing,
                          recipients=recipients, intent=intent, counts=counts, time=at)
        a, b = evaluate(old, request, at), evaluate(new, request, at)
        for cat in categories:
            x, y = a.effects[cat], b.effects[cat]
            if STRENGTH[y] < STRENGTH[x] and (vendor.id, cat, x, y) not in shown:
                shown.add((vendor.id, cat, x, y))
                found.append(_effect(request, cat, x, y))
                if len(found) >= limit:
                    return found
    return found


def _effect(request: Request, cat: str, before: Effect, after: Effect) -> Loosening:
    label = vocab.category(cat).label
    words = {Effect.PERMIT: "shared", Effect.ASK: "asked of you", Effect.DENY: "refused"}
    who = "any vendor" if request.vendor.id == STRANGER else request.vendor.id
    return Loosening(what="effect", vendor=request.vendor.id, purpose=request.purpose,
                     category=cat, before=before.value, after=after.value,
                     text=f"{label} for {who} ({vocab.purpose(request.purpose).label}): "
                          f"{words[before]} before, {words[after]} after")


