"""Offers, the person's side (her agent, under `mandate:offers`); intents: person_data.py.

The butler lists `received` offers, decides each by the person's offer rules and posts the
decision with its reasons; the person reads delivered and filtered ones and may override.
Blocking a vendor is a change of terms (`offers.blocklist`), the one place that rule lives.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from vault.offers import STATUSES

from ..clock import now
from ..errors import InvalidInput
from ..services import mandates
from ..services.offer_actions import decide_offer, person_view
from ..services.ownership import offers_of
from ..store import get_vault
from .auth import caller
from .schemas import OfferDecisionSchema, load

bp = Blueprint("resource_offers", __name__)


@bp.get("/api/v1/person/offers")
def list_offers():
    """`?status=received` (default), `delivered`, `filtered` or `all`; newest first."""
    pid = caller(mandate=mandates.OFFERS).person_id
    status = request.args.get("status", "received")
    if status not in (*STATUSES, "all"):
        raise InvalidInput("status: use received, delivered, filtered or all",
                           fields={"status": ["unknown status"]})
    offers = offers_of(get_vault(), pid, None if status == "all" else status)
    return jsonify([person_view(get_vault(), o) for o in offers])


@bp.post("/api/v1/person/offers/<offer_id>/decision")
def decide(offer_id: str):
    """Deliver or filter, with the reasons; a later decision overrides (history kept)."""
    who = caller(mandate=mandates.OFFERS)
    body = load(OfferDecisionSchema(), request.get_json(silent=True))
    offer = decide_offer(get_vault(), who.person_id, offer_id, body["decision"],
                         body["reasons"], by=who.client.client_id, now=now(), actor=who.actor)
    return jsonify(person_view(get_vault(), offer))

