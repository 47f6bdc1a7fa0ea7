"""The person's agent API: a token the person gave her agent, each call under one mandate.

Inbox (pending requests: approve within the terms, deny) and connections (list, revoke,
receipt) under `mandate:answer`; terms under `mandate:terms_read` (read) and
`mandate:terms_propose` (a change that only restricts applies, one that permits more waits for
the person: 202 with the proposal); the log under `mandate:log` (api/services/mandates.py).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, jsonify, request

from vault.requests import APPROVED, DENIED, PENDING

from ..clock import now
from ..errors import InvalidInput
from ..oauth.server import issuer
from ..services import judge, mandates, person_actions, proposals
from ..services.ownership import grants_of, own_grant, requests_of
from ..services.receipts import receipt_view
from ..store import get_mail, get_settings, get_vault
from .auth import caller
from .schemas import DecisionSchema, load
from .views import grant_json, request_json

bp = Blueprint("resource_person", __name__)


def person_id(mandate: str) -> str:
    return caller(mandate=mandate).person_id


def _grant(grant) -> dict:
    """An agreement as the person sees it: who made it, and an agent's mandates."""
    return grant_json(grant) | {"actor": grant.extra.get("actor"),
                                "mandates": [mandates.scope(m) for m in mandates.of(grant)]}


@bp.get("/api/v1/person/grants")
def list_grants():
    pid = person_id(mandates.ANSWER)
    return jsonify([_grant(g) for g in grants_of(get_vault(), pid)])


@bp.post("/api/v1/person/grants/<grant_id>/revoke")
def revoke_grant(grant_id: str):
    """Effective at once: when this returns, no token of the agreement works any more."""
    who = caller(mandate=mandates.ANSWER)
    grant = person_actions.revoke_grant(get_vault(), who.person_id, grant_id, actor=who.actor,
                                        now=now(), issuer=issuer(), mail=get_mail(),
                                        ack_days=get_settings().duty_ack_days)
    return jsonify(_grant(grant))


@bp.post("/api/v1/person/vendors/<client_id>/revoke")
def revoke_vendor(client_id: str):
    """Stop sharing everything with one vendor: each of its agreements ends now, each with its
    notice; the answer lists the ones that were still live (none the second time)."""
    who = caller(mandate=mandates.ANSWER)
    ended = person_actions.revoke_vendor(get_vault(), who.person_id, client_id,
                                         actor=who.actor, now=now(), issuer=issuer(),
                                         mail=get_mail(),
                                         ack_days=get_settings().duty_ack_days)
    return jsonify({"client_id": client_id, "ended": [_grant(g) for g in ended]})


@bp.get("/api/v1/person/grants/<grant_id>/receipt")
def grant_receipt(grant_id: str):
    return jsonify(receipt_view(get_vault(), own_grant(get_vault(), person_id(mandates.ANSWER),
                                                       grant_id)))


@bp.get("/api/v1/person/requests")
def list_requests():
    status = request.args.get("status", PENDING)
    if status not in (PENDING, APPROVED, DENIED, "all"):
        raise InvalidInput("status: use pending, approved, denied or all",
                           fields={"status": ["unknown status"]})
    items = requests_of(get_vault(), person_id(mandates.ANSWER),
                        None if status == "all" else status)
    return jsonify([request_json(r, for_person=True) for r in items])


@bp.post("/api/v1/person/requests/<request_id>/decision")
def decide_request(request_id: str):
    """Approve (optionally narrowed) only what the person's terms permit, or deny."""
    who = caller(mandate=mandates.ANSWER)
    body = load(DecisionSchema(), request.get_json(silent=True))
    req = person_actions.decide_request(get_vault(), who.person_id, request_id,
                                        body["decision"], body["categories"],
                                        body["duration_days"], body["purpose"], now=now(),
                                        issuer=issuer(), actor=who.actor, mail=get_mail())
    return jsonify(request_json(req, for_person=True))


@bp.get("/api/v1/person/terms")
def read_terms():
    pid = person_id(mandates.TERMS_READ)
    stored = judge.saved_terms(get_vault(), pid)
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
        return jsonify(person_actions.terms_what_if(vault, pid, raw, now=now())
                       | {"saved": False} | {"loosens": [f.to_dict() for f in found]})
    answer, waits = proposals.propose_or_save(vault, pid, who.client.client_id, raw,
                                              actor=who.actor, now=now(), issuer=issuer(),
                                              mail=get_mail(),
                                              ack_days=get_settings().duty_ack_days)
    return (jsonify(answer), 202) if waits else jsonify(answer)


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
