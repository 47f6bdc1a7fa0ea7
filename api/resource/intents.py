"""Intent search and offers, the vendor's side (client credentials, scope `vendor`).

A vendor finds the intents that their owners' current terms let it see (services/intent_search.py
states the rule), under handles of its own, and answers one with an offer. A handle it may not
see, or no longer may, is the same 404 as one that never existed.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from vault.agreement_events import AccessAttempted

from ..clock import now
from ..errors import InvalidInput, NotFound
from ..services import judge
from ..services.intent_search import CATEGORY, PURPOSE, Search, public_view, within
from ..services.intentcast import subscribe, subscription, unsubscribe
from ..services.offer_actions import receive_offer, vendor_view
from ..services.ownership import vendor_offers
from ..store import get_vault
from .schemas import OfferSubmitSchema, SubscriptionSchema, load
from .vendor import vendor

bp = Blueprint("resource_intents", __name__)
DEFAULT_LIMIT, MAX_LIMIT = 20, 100


def _search() -> tuple[Search, str]:
    who = vendor()
    client = who.client
    return Search(get_vault(), judge.vendor_of(client.client_id, client.metadata), now()), \
        client.client_id


def _limit() -> int:
    raw = request.args.get("limit", str(DEFAULT_LIMIT))
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 4) or not 1 <= int(raw) <= MAX_LIMIT:
        raise InvalidInput(f"limit: a whole number from 1 to {MAX_LIMIT}",
                           fields={"limit": [f"a whole number from 1 to {MAX_LIMIT}"]})
    return int(raw)


@bp.get("/api/v1/intents")
def search_intents():
    """Shown, active intents the owners' current terms let you see; `?category=`, paged."""
    search, client_id = _search()
    limit, category = _limit(), request.args.get("category") or None
    cursor = request.args.get("cursor") or None
    items, shown, more = [], {}, False
    for found, rest in search.after(cursor):
        if category and not within(str(found.intent.data.get("category", "")), category):
            continue
        items.append(public_view(found))
        shown.setdefault(found.intent.person_id, found.reasons)
        if len(items) == limit:
            more = rest
            break
    at = now()
    for person_id, reasons in shown.items():  # seeing an intent is an access: log it
        get_vault().record(person_id, AccessAttempted(
            client_id=client_id, grant_id=None, purpose=PURPOSE, categories=[CATEGORY],
            released=[CATEGORY], outcome="allowed", reasons=list(reasons)), at)
    return jsonify({"items": items, "next": items[-1]["id"] if more and items else None})


@bp.post("/api/v1/intents/<handle>/offers")
def submit_offer(handle: str):
    """Answer an intent with an offer; it waits as `received` for the person's butler."""
    search, client_id = _search()
    body = load(OfferSubmitSchema(), request.get_json(silent=True))
    found = search.find(handle)
    if found is None:
        raise NotFound("There is no such intent you may see.")
    if body["valid_until"] <= now():
        raise InvalidInput("valid_until: must be in the future",
                           fields={"valid_until": ["must be in the future"]})
    offer = receive_offer(get_vault(), found.intent.person_id, found.intent.id, client_id, body,
                          now())
    return jsonify(vendor_view(offer, handle)), 201


@bp.get("/api/v1/intents/<handle>")
def read_intent(handle: str):
    """One intent under your handle (where an intentcast notice points), if you may see it."""
    search, client_id = _search()
    found = search.find(handle)
    if found is None:
        raise NotFound("There is no such intent you may see.")
    get_vault().record(found.intent.person_id, AccessAttempted(
        client_id=client_id, grant_id=None, purpose=PURPOSE, categories=[CATEGORY],
        released=[CATEGORY], outcome="allowed", reasons=list(found.reasons)), now())
    return jsonify(public_view(found))


@bp.get("/api/v1/subscription")
def read_subscription():
    """The intents you asked to hear of; 404 without a subscription."""
    who = vendor()
    found = subscription(get_vault(), who.client.client_id)
    if found is None:
        raise NotFound("You have no intent subscription.")
    return jsonify(found.as_dict())


@bp.put("/api/v1/subscription")
def replace_subscription():
    """Hear of new matching intents by a signed notice to your custos_notification_uri."""
    who = vendor()
    body = load(SubscriptionSchema(), request.get_json(silent=True))
    if not who.client.metadata.get("custos_notification_uri"):
        raise InvalidInput("custos_notification_uri: register one to receive intent notices",
                           fields={"custos_notification_uri": ["required for a subscription"]})
    stored = subscribe(get_vault(), who.client.client_id, body["categories"], body["regions"],
                       now=now())
    return jsonify(stored.as_dict())


@bp.delete("/api/v1/subscription")
def drop_subscription():
    """Stop hearing of new intents (204, also when there was no subscription)."""
    who = vendor()
    unsubscribe(get_vault(), who.client.client_id)
    return "", 204


@bp.get("/api/v1/offers")
def own_offers():
    """Your offers and what became of them (delivered or filtered; the reasons stay private)."""
    search, client_id = _search()
    offers = vendor_offers(get_vault(), client_id)
    return jsonify({"items": [vendor_view(o, search.handle(o.intent_id)) for o in offers]})
