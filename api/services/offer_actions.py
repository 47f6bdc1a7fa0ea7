"""Offers as the person, their butler and the vendor see them, and deciding one.

Shared by /api/v1 and the web pages, so a decision made on a page and one posted by the butler
are the same record: `deliver` or `filter`, the reasons shown to the person, who decided, and,
for a later decision (the person overriding the butler), the earlier one kept in `history`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from policies.offers import intent_live
from policies.serialize import dump_vendor
from vault import Vault
from vault.clients import Client
from vault.errors import NotFound as Missing
from vault.offers import Offer

from . import judge
from .errors import InvalidInput
from .ownership import own_offer


def vendor_profile(client: Client) -> dict[str, Any]:
    """The vendor as it was when it offered: what the butler's rules look at, and its name."""
    vendor = dump_vendor(judge.vendor_of(client.client_id, client.metadata))
    return {**vendor, "name": client.metadata.get("client_name")}


def receive_offer(vault: Vault, person_id: str, intent_id: str, client_id: str, body: dict,
                  now: datetime) -> Offer:
    """Store a vendor's offer for an intent it may see; it waits as `received` for the butler.
    The vendor's profile is kept as it is now: what the person's rules judge later."""
    price: Decimal = body["price"]
    stored = {"price": f"{price.quantize(Decimal('0.01'))}", "currency": body["currency"],
              "category": body["category"], "text": body["text"],
              "valid_until": body["valid_until"].isoformat(),
              "needs": list(dict.fromkeys(body.get("needs") or [])),
              "vendor": vendor_profile(vault.agreements.clients.get(client_id))}
    return vault.agreements.offers.receive(person_id, intent_id, client_id, stored, now)


def _decided_at(offer: Offer) -> str | None:
    return (offer.decision or {}).get("at")


def vendor_view(offer: Offer, handle: str) -> dict[str, Any]:
    """What the vendor sees of its own offer: the status, never the person's reasons."""
    body = offer.body
    return {"id": offer.id, "intent": handle, "status": offer.status,
            "category": body["category"], "price": body["price"], "currency": body["currency"],
            "text": body["text"], "valid_until": body["valid_until"],
            "created_at": offer.created_at.isoformat(), "decided_at": _decided_at(offer)}


def person_view(vault: Vault, offer: Offer) -> dict[str, Any]:
    """The offer with its vendor, the intent it answers, and the decision with reasons."""
    try:
        intent = vault.get_intent(offer.person_id, offer.intent_id)
        about = {"id": intent.id, "category": intent.data.get("category"),
                 "budget": intent.data.get("budget"), "currency": intent.data.get("currency"),
                 "status": intent.status, "ends": intent.data.get("ends")}
    except Missing:  # the person deleted the intent since
        about = {"id": offer.intent_id, "category": None, "budget": None, "currency": None,
                 "status": "deleted", "ends": None}
    body = offer.body
    return {"id": offer.id, "status": offer.status, "intent": about,
            "client_id": offer.client_id, "vendor": body["vendor"],
            "category": body["category"], "price": body["price"], "currency": body["currency"],
            "text": body["text"], "valid_until": body["valid_until"],
            "created_at": offer.created_at.isoformat(), "decided_at": _decided_at(offer),
            "decision": offer.decision, "history": body.get("history", [])}


def undeliverable(vault: Vault, offer: Offer, at: datetime) -> str | None:
    """Why the offer can no longer reach the person: it expired, or its intent is not live."""
    until = offer.body.get("valid_until")
    if until and datetime.fromisoformat(until) <= at:
        when = datetime.fromisoformat(until).astimezone(UTC).strftime("%Y-%m-%d %H:%M")
        return f"This offer expired on {when} UTC, so it can no longer be delivered."
    try:
        intent = vault.get_intent(offer.person_id, offer.intent_id)
    except Missing:
        return "The intent it answers was deleted, so it can no longer be delivered."
    if not intent_live(intent.status, intent.data.get("ends"), at):
        why = (f"ended on {intent.data['ends']}" if intent.status == "active"
               else f"is {intent.status}")
        return f"The intent it answers {why}, so it can no longer be delivered."
    return None


def decide_offer(vault: Vault, pid: str, offer_id: str, action: str, reasons: list[dict],
                 by: str, *, now: datetime, actor: str | None = None) -> Offer:
    """Deliver or filter an offer; deciding again what it already is changes nothing. An
    expired offer, or one whose intent ended, is never delivered (filtering it is fine).
    `actor` (services/mandates.py) names who decided in the log; None: the thread's default."""
    with vault.transaction("write", actor=actor):
        offer = own_offer(vault, pid, offer_id)
        if offer.decision and offer.decision.get("action") == action:
            return offer
        problem = undeliverable(vault, offer, now) if action == "deliver" else None
        if problem:
            raise InvalidInput(f"decision: {problem}", fields={"decision": [problem]})
        decision = {"action": action, "reasons": reasons, "by": by,
                    "override": offer.decision is not None}
        return vault.agreements.offers.decide(offer_id, decision, now)
