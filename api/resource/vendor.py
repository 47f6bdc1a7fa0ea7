"""Vendor endpoints (client credentials, scope `vendor`): ask while the person is away, poll,
and read one's own agreements and receipts. The person is named only by the pairwise subject
the vendor already holds; an unknown subject and someone else's are the same 404.
"""

from __future__ import annotations

import json

from authlib.oauth2 import OAuth2Error
from flask import Blueprint, jsonify, request

from policies import Effect
from vault.agreement_events import DecisionMade
from vault.errors import NotFound as Missing
from vault.requests import APPROVED, DENIED, PENDING

from ..clock import now
from ..errors import CustosError, InvalidInput, NotFound
from ..services import acceptance, details, judge
from ..services.agreements import make_agreement
from ..services.receipts import receipt_view
from ..services.subject import person_for_subject
from ..store import get_vault
from .auth import Caller, InsufficientScope, caller
from .schemas import AccessRequestSchema, load
from .views import grant_json, request_json

bp = Blueprint("resource_vendor", __name__)


def vendor() -> Caller:
    who = caller(scope="vendor")
    if who.person_id is not None:
        raise InsufficientScope("Use a client credentials token for vendor calls.")
    return who


def _candidates(client_id: str) -> list[str]:
    """Persons this vendor may know a subject of: those it has had agreements with."""
    grants = get_vault().agreements.grants.for_client(client_id)
    return list(dict.fromkeys(g.person_id for g in grants))


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
    person_id = person_for_subject(body["subject"], who.client.client_id,
                                   _candidates(who.client.client_id))
    if person_id is None:
        raise NotFound("No person with this subject has dealt with you.")
    vault = get_vault()
    compiled = judge.current_terms(vault, person_id)
    proffered = acceptance.proffered(vault, person_id, compiled.version)
    missing = acceptance.not_accepted(who.client.metadata, proffered)
    if missing:
        refused = CustosError(f"You do not accept the person's {acceptance.named(missing)}, "
                              "proffered to every vendor.",
                              fields={"agreements": missing})
        refused.status_code, refused.error = 403, "agreement_refused"
        raise refused
    decision = judge.judge(compiled, judge.vendor_of(who.client.client_id, who.client.metadata),
                           access, now())
    vault.record(person_id, DecisionMade(
        client_id=who.client.client_id, purpose=access.purpose,
        categories=list(access.categories), effect=decision.effect.value, context="request",
        terms_version=decision.terms_version, reasons=judge.reasons_for_person(decision)), now())
    status = {Effect.PERMIT: APPROVED, Effect.DENY: DENIED}.get(decision.effect, PENDING)
    grant = None
    if status == APPROVED:
        grant = make_agreement(person_id, who.client.client_id, access, decided_by="terms",
                               terms_version=compiled.version)
    stored = {"access": access.as_detail(), "reasons": judge.reasons_for_person(decision),
              "purpose": access.purpose, "categories": list(access.categories),
              "terms_version": compiled.version}
    req = vault.agreements.requests.submit(person_id, who.client.client_id, stored, status,
                                           now(), grant.id if grant else None)
    # Every answer names the person's proffered agreements (an agreement made now awaits the
    # vendor's signature: GET /api/v1/agreements/<id>/record).
    return jsonify(request_json(req, for_person=False) | {"agreements": proffered}), \
        201 if status == PENDING else 200


@bp.get("/api/v1/requests/<request_id>")
def poll_request(request_id: str):
    who = vendor()
    try:
        req = get_vault().agreements.requests.get(request_id)
    except Missing:
        req = None
    if req is None or req.client_id != who.client.client_id:
        raise NotFound("There is no such request of yours.")
    return jsonify(request_json(req, for_person=False))


@bp.get("/api/v1/agreements")
def own_agreements():
    who = vendor()
    return jsonify([grant_json(g) | {"receipt": f"/api/v1/agreements/{g.id}/receipt"}
                    for g in get_vault().agreements.grants.for_client(who.client.client_id)])


@bp.get("/api/v1/agreements/<agreement_id>/receipt")
def agreement_receipt(agreement_id: str):
    """The signed receipt, the same document the person holds, with the live status."""
    who = caller()
    try:
        grant = get_vault().agreements.grants.get(agreement_id)
    except Missing:
        grant = None
    if grant is None or grant.client_id != who.client.client_id:
        raise NotFound("There is no such agreement of yours.")
    return jsonify(receipt_view(grant))
