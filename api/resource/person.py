"""The person's agent API: a token the person gave her agent, each call under one mandate.

Inbox (pending requests: approve within the terms, deny) and connections (list, revoke,
receipt) under `mandate:answer`; terms under `mandate:terms_read` (read) and
`mandate:terms_propose` (a change that only restricts applies, one that permits more waits for
the person: 202 with the proposal); the log under `mandate:log` (api/services/mandates.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, jsonify, request

from vault.mandate_events import AgentChangedAccess
from vault.requests import APPROVED, DENIED, PENDING

from ..clock import now
from ..errors import InvalidInput
from ..services import judge, mandates, person_actions, proposals
from ..services.agreements import end_agreement, stop_vendor
from ..services.ownership import own_grant, own_vendor
from ..services.receipts import receipt_view
from ..store import get_vault
from .auth import Caller, caller
from .schemas import DecisionSchema, load
from .views import grant_json, request_json

bp = Blueprint("resource_person", __name__)


def person_id(mandate: str) -> str:
    return caller(mandate=mandate).person_id


def _grant(grant) -> dict:
    """An agreement as the person sees it: who made it, and an agent's mandates."""
    return grant_json(grant) | {"actor": grant.extra.get("actor"),
                                "mandates": [mandates.scope(m) for m in mandates.of(grant)]}


def _ended(who: Caller, ended: list) -> None:
    """Alert the person: her agent ended agreements (what vendors may get changed)."""
    if ended:
        get_vault().record(who.person_id, AgentChangedAccess(
            client_id=who.client.client_id, action="ended",
            vendors=sorted({g.client_id for g in ended}),
            categories=sorted({c for g in ended for c in g.categories})), now())


@bp.get("/api/v1/person/grants")
def list_grants():
    pid = person_id(mandates.ANSWER)
    return jsonify([_grant(g) for g in get_vault().agreements.grants.for_person(pid)])


@bp.post("/api/v1/person/grants/<grant_id>/revoke")
def revoke_grant(grant_id: str):
    """Effective at once: when this returns, no token of the agreement works any more."""
    who = caller(mandate=mandates.ANSWER)
    own_grant(who.person_id, grant_id)
    with get_vault().transaction("write", actor=who.actor):
        _ended(who, [g for g in [end_agreement(grant_id, "revoked")] if g is not None])
    return jsonify(_grant(get_vault().agreements.grants.get(grant_id)))


@bp.post("/api/v1/person/vendors/<client_id>/revoke")
def revoke_vendor(client_id: str):
    """Stop sharing everything with one vendor: each of its agreements ends now, each with its
    notice; the answer lists the ones that were still live (none the second time)."""
    who = caller(mandate=mandates.ANSWER)
    own_vendor(who.person_id, client_id)
    with get_vault().transaction("write", actor=who.actor):
        ended = stop_vendor(who.person_id, client_id)
        _ended(who, ended)
    return jsonify({"client_id": client_id, "ended": [_grant(g) for g in ended]})


@bp.get("/api/v1/person/grants/<grant_id>/receipt")
def grant_receipt(grant_id: str):
    return jsonify(receipt_view(own_grant(person_id(mandates.ANSWER), grant_id)))


@bp.get("/api/v1/person/requests")
def list_requests():
    status = request.args.get("status", PENDING)
    if status not in (PENDING, APPROVED, DENIED, "all"):
        raise InvalidInput("status: use pending, approved, denied or all",
                           fields={"status": ["unknown status"]})
    items = get_vault().agreements.requests.for_person(person_id(mandates.ANSWER),
                                                       None if status == "all" else status)
    return jsonify([request_json(r, for_person=True) for r in items])


@bp.post("/api/v1/person/requests/<request_id>/decision")
def decide_request(request_id: str):
    """Approve (optionally narrowed) only what the person's terms permit, or deny."""
    who = caller(mandate=mandates.ANSWER)
    body = load(DecisionSchema(), request.get_json(silent=True))
    req = person_actions.decide_request(who.person_id, request_id, body["decision"],
                                        body["categories"], body["duration_days"],
                                        body["purpose"], actor=who.actor)
    return jsonify(request_json(req, for_person=True))


@bp.get("/api/v1/person/terms")
def read_terms():
    pid = person_id(mandates.TERMS_READ)
    stored = get_vault().agreements.terms.get(pid)
    if stored is None:
        return jsonify({"version": 0, "terms": judge.DEFAULT_TERMS, "default_terms": True})
    return jsonify({"version": stored.version, "terms": stored.body, "default_terms": False})


@bp.put("/api/v1/person/terms")
def replace_terms():
    """Propose new terms. Permitting nothing more, they are saved at once (agreements they no
    longer allow end now); permitting more, they wait for the person (202). `?dry_run=1` only
    asks."""
    who = caller(mandate=mandates.TERMS_PROPOSE)
    vault, pid = get_vault(), who.person_id
    raw = proposals.validated(vault, pid, request.get_json(silent=True))
    if request.args.get("dry_run") in ("1", "true"):
        found = proposals.what_it_loosens(vault, pid, raw, now())
        return jsonify(person_actions.terms_what_if(pid, raw) | {"saved": False}
                       | {"loosens": [f.to_dict() for f in found]})
    # The check and the save are one step: her own change in between cannot slip past it.
    with vault.transaction("write", actor=who.actor) as tx:
        tx.lock_person(pid)
        found = proposals.what_it_loosens(vault, pid, raw, now())
        loosens = {"loosens": [f.to_dict() for f in found]}
        if found:  # no mandate lets an agent loosen the terms: she decides in her inbox
            proposal = proposals.propose(vault, pid, who.client.client_id, raw, found, now())
            return jsonify(loosens | {"saved": False, "waits_for_person": True,
                                      "proposal_id": proposal}), 202
        return jsonify(person_actions.replace_terms(pid, raw, actor=who.actor) | loosens)


@bp.get("/api/v1/person/log")
def read_log():
    kinds = request.args.getlist("kind") or None
    try:
        since = datetime.fromisoformat(request.args["since"]).astimezone(UTC) \
            if "since" in request.args else None
    except (ValueError, OverflowError):  # OverflowError: out of range once in UTC
        raise InvalidInput("since: not an ISO 8601 time", fields={"since": ["bad time"]}) from None
    events = get_vault().list_events(person_id(mandates.LOG), kinds=kinds, since=since)
    return jsonify([{"seq": e.seq, "at": e.at.isoformat(), "kind": e.kind, "event": e.payload,
                     "actor": e.payload.get("actor")}
                    for e in events])
