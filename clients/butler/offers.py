"""From the server's JSON to the policy engine's inputs: vendor, intent and offer counts.

The engine is pure and takes counts as inputs; the butler counts the offers each vendor sent
before this one in the same calendar period (`common.periods`: this hour, day, ISO week,
month, year, in UTC), from the person's offer list, as the server counts reads for `frequency`.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from common.periods import PERIODS, same_period
from policies.offers import Intent


def vendor_json(item: dict) -> dict | None:
    """The vendor profile of an offer or request, in the engine's shape, or None if absent."""
    vendor = item.get("vendor")
    if not isinstance(vendor, dict):
        return None
    vid = vendor.get("id") or vendor.get("client_id") or item.get("client_id")
    if not vid:
        return None
    return {"id": vid, "jurisdiction": vendor.get("jurisdiction"),
            "certifications": list(vendor.get("certifications") or []),
            "verified_certifications": list(vendor.get("verified_certifications") or [])}


def vendor_name(item: dict) -> str:
    """The vendor's display name, else its client id."""
    vendor = item.get("vendor") if isinstance(item.get("vendor"), dict) else {}
    return vendor.get("name") or vendor.get("client_name") or vendor.get("id") \
        or item.get("client_id") or "a vendor"


def _money(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


def intent_of(offer: dict, intents: dict[str, dict]) -> Intent | None:
    """The intent an offer answers: embedded in the offer, or from the person's intents."""
    raw = offer.get("intent")
    found = raw if isinstance(raw, dict) and "category" in raw else intents.get(
        raw.get("id") if isinstance(raw, dict) else raw)
    if not found:
        return None
    data = found.get("data", found)
    return Intent(id=found["id"], category=data.get("category", ""),
                  budget=_money(data.get("budget")), currency=data.get("currency"),
                  active=found.get("status", data.get("status", "active")) == "active",
                  ends=_day(data.get("ends")))


def _day(value: object) -> date | None:
    """The intent's last day; one the butler cannot read counts as no end date (the server
    refuses to deliver past the real one anyway)."""
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def _when(item: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(item["created_at"])
    except (KeyError, TypeError, ValueError):
        return None


def counts_before(offer: dict, every: list[dict]) -> dict[str, int]:
    """How many offers the same vendor sent before this one, in each period up to it."""
    me = vendor_json(offer)
    at = _when(offer)
    if me is None:
        return {}
    earlier = []
    for other in every:
        them = vendor_json(other)
        if other.get("id") == offer.get("id") or them is None or them["id"] != me["id"]:
            continue
        when = _when(other)
        if at is not None and when is not None and when > at:
            continue
        earlier.append(when)
    return {period: sum(1 for w in earlier if at is None or w is None
                        or same_period(period, w, at)) for period in PERIODS}
