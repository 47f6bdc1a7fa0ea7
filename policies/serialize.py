"""Terms and requests back to the JSON the schemas read, so values round-trip through storage."""

from __future__ import annotations

from typing import Any

from .model import READ, Condition, Frequency, OfferRules, Request, Rule, Terms, Vendor
from .schema import DAYS


def _frequency(f: Frequency | None) -> dict | None:
    return None if f is None else {"max": f.max, "per": f.per}


def _condition(c: Condition) -> dict:
    return {
        "field": c.field,
        "op": c.op,
        "value": list(c.value) if isinstance(c.value, tuple) else c.value,
    }


def dump_rule(rule: Rule) -> dict:
    """One rule as JSON, leaving out what is unset."""
    out: dict = {"id": rule.id, "effect": rule.effect.value}
    if rule.label:
        out["label"] = rule.label
    for key in ("vendors", "purposes", "categories"):
        if getattr(rule, key) is not None:
            out[key] = list(getattr(rule, key))
    if rule.conditions:
        out["conditions"] = [_condition(c) for c in rule.conditions]
    for key in ("valid_from", "valid_until"):
        if getattr(rule, key) is not None:
            out[key] = getattr(rule, key).isoformat()
    if rule.hours:
        out["hours"] = {
            "from": rule.hours[0].strftime("%H:%M:%S"),
            "to": rule.hours[1].strftime("%H:%M:%S"),
        }
    if rule.days:
        out["days"] = [DAYS[d] for d in rule.days]
    if rule.frequency:
        out["frequency"] = _frequency(rule.frequency)
    if rule.agreement:
        out["agreement"] = rule.agreement
    if rule.actions != (READ,):
        out["actions"] = list(rule.actions)
    return out


def _offers(o: OfferRules) -> dict:
    return {
        "blocklist": list(o.blocklist),
        "require_certifications": list(o.require_certifications),
        "require_verified": o.require_verified,
        "within_budget": o.within_budget,
        "match_category": o.match_category,
        "max_per_vendor": _frequency(o.max_per_vendor),
    }


def dump_terms(terms: Terms) -> dict:
    """Terms as the JSON `load_terms` reads (dump then load gives an equal value)."""
    out: dict[str, Any] = {
        "version": terms.version,
        "default": terms.default.value,
        "rules": [dump_rule(r) for r in terms.rules],
    }
    if terms.offers != OfferRules():
        out["offers"] = _offers(terms.offers)
    if terms.agreements:
        out["agreements"] = list(terms.agreements)
    if terms.auto_approve:
        out["auto_approve"] = True
    return out


def dump_vendor(v: Vendor) -> dict:
    """A vendor as JSON: the one shape of a vendor's profile (requests, offers, the server)."""
    return {
        "id": v.id,
        "jurisdiction": v.jurisdiction,
        "certifications": sorted(v.certifications),
        "verified_certifications": sorted(v.verified_certifications),
    }


def dump_request(request: Request) -> dict:
    """A request as the JSON `load_request` reads."""
    out: dict = {
        "vendor": dump_vendor(request.vendor),
        "purpose": request.purpose,
        "categories": list(request.categories),
        "retention_days": request.retention_days,
        "third_party_sharing": request.third_party_sharing,
        "recipients": sorted(request.recipients),
        "intent": request.intent,
        "counts": dict(request.counts),
    }
    if request.time is not None:
        out["time"] = request.time.isoformat()
    if request.action != READ:
        out["action"] = request.action
    return out
