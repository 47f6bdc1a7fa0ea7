"""Person and butler endpoints: a token the person gave to act for them (scope `person`).

Inbox (pending requests: approve, approve narrowed, deny), connections (list, revoke, receipt),
terms (read, replace with the what-if answer, or only ask it with `?dry_run=1`), the log.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, jsonify, request

from vault.requests import APPROVED, DENIED, PENDING

from ..clock import now
from ..errors import InvalidInput
from ..oauth.server import issuer
from ..services import judge, person_actions
from ..services.agreements import end_agreement, stop_vendor
from ..services.ownership import grants_of, own_grant, own_vendor, requests_of
from ..services.receipts import receipt_view
from ..store import get_settings, get_vault
from .auth import caller
from .schemas import DecisionSchema, load
from .views import grant_json, request_json

bp = Blueprint("resource_person", __name__)


def person_id() -> str:
    return caller(person=True).person_id


@bp.get("/api/v1/person/grants")
def list_grants():
    return jsonify([grant_json(g) for g in grants_of(get_vault(), person_id())])


@bp.post("/api/v1/person/grants/<grant_id>/revoke")
def revoke_grant(grant_id: str):
    """Effective at once: when this returns, no token of the agreement works any more."""
    pid = person_id()
    own_grant(get_vault(), pid, grant_id)
    end_agreement(get_vault(), grant_id, "revoked", now=now(), issuer=issuer(),
                  ack_days=get_settings().duty_ack_days)
    return jsonify(grant_json(own_grant(get_vault(), pid, grant_id)))


@bp.post("/api/v1/person/vendors/<client_id>/revoke")
def revoke_vendor(client_id: str):
    """Stop sharing everything with one vendor: each of its agreements ends now, each with its
    notice; the answer lists the ones that were still live (none the second time)."""
    pid, vault = person_id(), get_vault()
    own_vendor(vault, pid, client_id)
    ended = stop_vendor(vault, pid, client_id, now=now(), issuer=issuer(),
                        ack_days=get_settings().duty_ack_days)
    return jsonify({"client_id": client_id, "ended": [grant_json(g) for g in ended]})


@bp.get("/api/v1/person/grants/<grant_id>/receipt")
def grant_receipt(grant_id: str):
    return jsonify(receipt_view(get_vault(), own_grant(get_vault(), person_id(), grant_id)))


@bp.get("/api/v1/person/requests")
def list_requests():
    status = request.args.get("status", PENDING)
    if status not in (PENDING, APPROVED, DENIED, "all"):
        raise InvalidInput("status: use pending, approved, denied or all",
                           fields={"status": ["unknown status"]})
    items = requests_of(get_vault(), person_id(), None if status == "all" else status)
    return jsonify([request_json(r, for_person=True) for r in items])


@bp.post("/api/v1/person/requests/<request_id>/decision")
def decide_request(request_id: str):
    """Approve (optionally narrowed: fewer categories, shorter duration) or deny."""
    body = load(DecisionSchema(), request.get_json(silent=True))
    req = person_actions.decide_request(get_vault(), person_id(), request_id, body["decision"],
                                        body["categories"], body["duration_days"],
                                        body["purpose"], now=now(), issuer=issuer())
    return jsonify(request_json(req, for_person=True))


@bp.get("/api/v1/person/terms")
def read_terms():
    pid = person_id()
    stored = judge.saved_terms(get_vault(), pid)
    if stored is None:
        return jsonify({"version": 0, "terms": judge.DEFAULT_TERMS, "default_terms": True})
    return jsonify({"version": stored.version, "terms": stored.body, "default_terms": False})


@bp.put("/api/v1/person/terms")
def replace_terms():
    """Save new terms; agreements they no longer allow end now. `?dry_run=1` only asks."""
    raw = request.get_json(silent=True)
    if request.args.get("dry_run") in ("1", "true"):
        answer = person_actions.terms_what_if(get_vault(), person_id(), raw, now=now())
        return jsonify(answer | {"saved": False})
    return jsonify(person_actions.replace_terms(get_vault(), person_id(), raw, now=now(),
                                                issuer=issuer(),
                                                ack_days=get_settings().duty_ack_days))


@bp.get("/api/v1/person/log")
def read_log():
    kinds = request.args.getlist("kind") or None
    try:
        since = datetime.fromisoformat(request.args["since"]).astimezone(UTC) \
            if "since" in request.args else None
    except (ValueError, OverflowError):  # OverflowError: out of range once in UTC
        raise InvalidInput("since: not an ISO 8601 time", fields={"since": ["bad time"]}) from None
    events = get_vault().list_events(person_id(), kinds=kinds, since=since)
    return jsonify([{"seq": e.seq, "at": e.at.isoformat(), "kind": e.kind, "event": e.payload}
                    for e in events])
