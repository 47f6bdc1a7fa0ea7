"""Person and butler endpoints: a token the person gave to act for them (scope `person`).

Inbox (pending requests: approve, approve narrowed, deny), connections (list, revoke, receipt),
terms (read, replace with the what-if answer, or only ask it with `?dry_run=1`), the log.
"""

from __future__ import annotations

import json
from datetime import datetime

from flask import Blueprint, jsonify, request

from policies import TermsError, load_terms
from policies.whatif import what_if
from vault.errors import NotFound as Missing
from vault.requests import APPROVED, DENIED, PENDING

from ..clock import now
from ..errors import InvalidInput, NotFound
from ..oauth import details, judge
from ..oauth.agreements import end_agreement, make_agreement
from ..oauth.receipts import receipt_view
from ..store import get_vault
from .auth import caller
from .schemas import DecisionSchema, load
from .views import grant_json, request_json

bp = Blueprint("resource_person", __name__)


def person_id() -> str:
    return caller(person=True).person_id


def _own_grant(pid: str, grant_id: str):
    try:
        grant = get_vault().agreements.grants.get(grant_id)
    except Missing:
        grant = None
    if grant is None or grant.person_id != pid:
        raise NotFound("You have no such connection.")
    return grant


@bp.get("/api/v1/person/grants")
def list_grants():
    return jsonify([grant_json(g) for g in get_vault().agreements.grants.for_person(person_id())])


@bp.post("/api/v1/person/grants/<grant_id>/revoke")
def revoke_grant(grant_id: str):
    """Effective at once: when this returns, no token of the agreement works any more."""
    pid = person_id()
    _own_grant(pid, grant_id)
    end_agreement(grant_id, "revoked")
    return jsonify(grant_json(get_vault().agreements.grants.get(grant_id)))


@bp.get("/api/v1/person/grants/<grant_id>/receipt")
def grant_receipt(grant_id: str):
    return jsonify(receipt_view(_own_grant(person_id(), grant_id)))


@bp.get("/api/v1/person/requests")
def list_requests():
    status = request.args.get("status", PENDING)
    if status not in (PENDING, APPROVED, DENIED, "all"):
        raise InvalidInput("status: use pending, approved, denied or all",
                           fields={"status": ["unknown status"]})
    items = get_vault().agreements.requests.for_person(person_id(),
                                                       None if status == "all" else status)
    return jsonify([request_json(r, for_person=True) for r in items])


@bp.post("/api/v1/person/requests/<request_id>/decision")
def decide_request(request_id: str):
    """Approve (optionally narrowed: fewer categories, shorter duration) or deny."""
    pid = person_id()
    body = load(DecisionSchema(), request.get_json(silent=True))
    vault = get_vault()
    try:
        req = vault.agreements.requests.get(request_id)
    except Missing:
        req = None
    if req is None or req.person_id != pid:
        raise NotFound("You have no such request.")
    if req.status != PENDING:
        raise InvalidInput("This request was already answered.",
                           fields={"decision": [f"already {req.status}"]})
    if body["decision"] == "deny":
        vault.agreements.requests.decide(request_id, DENIED, now())
        return jsonify(request_json(vault.agreements.requests.get(request_id), for_person=True))
    access = details.from_details(json.dumps([req.body["access"]]))
    chosen = body["categories"] if body["categories"] is not None else list(access.categories)
    unknown = [c for c in chosen if c not in access.categories]
    if unknown or not chosen:
        raise InvalidInput("categories: approve some of the requested categories only",
                           fields={"categories": [f"not requested: {unknown}" if unknown
                                                  else "choose at least one"]})
    narrowed = access.narrowed(tuple(chosen), body["duration_days"] or access.duration_days)
    how = "person" if narrowed == access else "person_narrowed"
    grant = make_agreement(pid, req.client_id, narrowed, decided_by=how,
                           terms_version=req.body.get("terms_version", 0))
    vault.agreements.requests.decide(request_id, APPROVED, now(), grant_id=grant.id,
                                     categories=list(narrowed.categories))
    return jsonify(request_json(vault.agreements.requests.get(request_id), for_person=True))


@bp.get("/api/v1/person/terms")
def read_terms():
    pid = person_id()
    stored = get_vault().agreements.terms.get(pid)
    if stored is None:
        return jsonify({"version": 0, "terms": judge.DEFAULT_TERMS, "default_terms": True})
    return jsonify({"version": stored.version, "terms": stored.body, "default_terms": False})


@bp.put("/api/v1/person/terms")
def replace_terms():
    """Save new terms; agreements they no longer allow end now. `?dry_run=1` only asks."""
    pid = person_id()
    raw = request.get_json(silent=True)
    try:
        new = load_terms({**raw, "version": 1} if isinstance(raw, dict) else raw)
    except TermsError as exc:
        raise InvalidInput(str(exc), fields=exc.messages) from None
    vault = get_vault()
    old = judge.current_terms(vault, pid)
    live = {g.id: g for g in vault.agreements.grants.for_person(pid) if g.live(now())}
    requests = {}
    for g in live.values():
        client = vault.agreements.clients.get(g.client_id)
        if g.categories:
            requests[g.id] = judge.policy_request(judge.vendor_of(g.client_id, client.metadata),
                                                  g, now())
    changes = what_if(old, new, requests, now())
    cut = sorted(c.key for c in changes if all(
        c.after.effects[cat].value == "deny" for cat in live[c.key].categories))
    answer = {"changes": [c.to_dict() for c in changes], "cut": cut,
              "vendors_cut_off": sorted({live[k].client_id for k in cut})}
    if request.args.get("dry_run") in ("1", "true"):
        return jsonify(answer | {"saved": False})
    with vault.db.write():
        version = vault.agreements.terms.save(pid, raw, now(), cut=cut)
        for grant_id in cut:
            end_agreement(grant_id, "cut")
    return jsonify(answer | {"saved": True, "version": version})


@bp.get("/api/v1/person/log")
def read_log():
    kinds = request.args.getlist("kind") or None
    try:
        since = datetime.fromisoformat(request.args["since"]) if "since" in request.args else None
    except ValueError:
        raise InvalidInput("since: not an ISO 8601 time", fields={"since": ["bad time"]}) from None
    events = get_vault().list_events(person_id(), kinds=kinds, since=since)
    return jsonify([{"seq": e.seq, "at": e.at.isoformat(), "kind": e.kind, "event": e.payload}
                    for e in events])
