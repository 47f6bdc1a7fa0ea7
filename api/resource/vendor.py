"""Vendor endpoints (client credentials, scope `vendor`): ask while the person is away, poll,
and read one's own agreements and receipts. The person is named only by the pairwise subject
the vendor already holds; an unknown subject and someone else's are the same 404.
"""

from __future__ import annotations

import json

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, jsonify, request

from vault.requests import PENDING

from ..clock import now
from ..errors import InvalidInput
from ..oauth.server import issuer
from ..services import access_requests, details
from ..services.ownership import vendor_grant, vendor_grants
from ..services.receipts import receipt_view
from ..store import get_mail, get_vault
from .auth import Caller, InsufficientScope, caller
from .schemas import AccessRequestSchema, load
from .views import grant_json, request_json

bp = Blueprint("resource_vendor", __name__)


def vendor() -> Caller:
    who = caller(scope="vendor")
    if who.person_id is not None:
        raise InsufficientScope("Use a client credentials token for vendor calls.")
    return who


@bp.post("/api/v1/requests")
def submit_request():
    """Ask for data; answered at once when the terms decide, else pending in the inbox."""
    who = vendor()
    body = load(AccessRequestSchema(), request.get_json(silent=True))
    try:
        access = details.from_details(json.dumps(body["authorization_details"]))
    except OAuth2Error as exc:
        raise InvalidInput(exc.description,
                           fields={"authorization_details": [exc.description]}) from None
    req, proffered = access_requests.submit(get_vault(), who.client, body["subject"], access,
                                            now=now(), issuer=issuer(), mail=get_mail())
    # Every answer names the person's proffered agreements (an agreement made now awaits the
    # vendor's signature: GET /api/v1/agreements/<id>/record).
    return jsonify(request_json(req, for_person=False) | {"agreements": proffered}), \
        201 if req.status == PENDING else 200


@bp.get("/api/v1/requests/<request_id>")
def poll_request(request_id: str):
    who = vendor()
    req = access_requests.vendor_request(get_vault(), who.client.client_id, request_id)
    return jsonify(request_json(req, for_person=False))


@bp.get("/api/v1/agreements")
def own_agreements():
    who = vendor()
    return jsonify([grant_json(g) | {"receipt": f"/api/v1/agreements/{g.id}/receipt"}
                    for g in vendor_grants(get_vault(), who.client.client_id)])


@bp.get("/api/v1/agreements/<agreement_id>/receipt")
def agreement_receipt(agreement_id: str):
    """The signed receipt, the same document the person holds, with the live status."""
    who = caller()
    grant = vendor_grant(get_vault(), who.client.client_id, agreement_id)
    return jsonify(receipt_view(get_vault(), grant))
