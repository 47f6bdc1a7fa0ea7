"""The vendor's side of an offer's reply channel (client credentials, scope `vendor`): read
the thread (the person's answer, the agreement an acceptance made, her messages) and write in
it once she has opened it. Someone else's offer is the same 404 as none (docs/api.md).
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from vault.messages import VENDOR
from vault.offers import Offer

from ..clock import now
from ..errors import InvalidInput
from ..oauth.server import issuer
from ..services import offer_replies
from ..services.ownership import vendor_offer
from ..store import get_vault
from .vendor import vendor

bp = Blueprint("resource_replies", __name__)


def _own(offer_id: str) -> Offer:
    return vendor_offer(get_vault(), vendor().client.client_id, offer_id)


def _thread(offer: Offer) -> dict:
    thread = offer_replies.thread(get_vault(), offer)
    return {"offer": offer.id, "answer": offer_replies.answered(thread),
            "messages": [m.as_dict() for m in thread]}


@bp.get("/api/v1/offers/<offer_id>/messages")
def read_messages(offer_id: str):
    """The thread: `answer` (accepted, declined or null) and every entry, oldest first."""
    return jsonify(_thread(_own(offer_id)))


@bp.post("/api/v1/offers/<offer_id>/messages")
def write_message(offer_id: str):
    """`{"text"}`: a message to the person, once she has written or accepted."""
    offer = _own(offer_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or set(body) - {"text"}:
        raise InvalidInput("The body must be a JSON object with only `text`.",
                           fields={"text": ["required, and nothing else"]})
    try:
        entry = offer_replies.send(get_vault(), now(), offer, sender=VENDOR,
                                   text=body.get("text"), issuer=issuer())
    except offer_replies.ReplyRefused as refused:
        raise InvalidInput(f"{refused.field}: {refused}",
                           fields={refused.field: [str(refused)]}) from None
    return jsonify(entry.as_dict()), 201
