"""What a person (or their butler) decides, shared by the web pages and the JSON API.

Deciding a pending request, and replacing the terms with the what-if answer first, live here so
the inbox page, the terms page and /api/v1/person/* behave the same way.
"""

from __future__ import annotations

import json
from datetime import datetime

from policies import TermsError, load_terms, vocab
from policies.whatif import what_if
from vault import Vault
from vault.requests import APPROVED, DENIED, PENDING, AccessRequest

from . import details, judge
from .agreements import end_agreement, make_agreement
from .duties import DEFAULT_ACK_DAYS
from .errors import InvalidInput
from .ownership import own_request


def decide_request(vault: Vault, pid: str, request_id: str, decision: str,
                   categories: list[str] | None = None, duration_days: int | None = None,
                   purpose: str | None = None, *, now: datetime, issuer: str) -> AccessRequest:
    """Approve (optionally narrowed: fewer categories, shorter duration, narrower purpose) or
    deny."""
    # One write transaction from the status check to the answer: two answers racing (the
    # person on a page, the butler through the API) cannot both make an agreement.
    with vault.transaction("write"):
        req = own_request(vault, pid, request_id)
        if req.status != PENDING:
            raise InvalidInput("This request was already answered.",
                               fields={"decision": [f"already {req.status}"]})
        if decision == "deny":
            vault.agreements.requests.decide(request_id, DENIED, now)
            return vault.agreements.requests.get(request_id)
        narrowed = _narrowed(req, categories, duration_days, purpose)
        how = "person" if narrowed == _asked(req) else "person_narrowed"
        grant = make_agreement(vault, pid, req.client_id, narrowed, decided_by=how,
                               terms_version=req.body.get("terms_version", 0), now=now,
                               issuer=issuer)
        vault.agreements.requests.decide(request_id, APPROVED, now, grant_id=grant.id,
                                         categories=list(narrowed.categories))
        return vault.agreements.requests.get(request_id)


def _asked(req: AccessRequest) -> details.DataAccess:
    return details.from_details(json.dumps([req.body["access"]]))


def narrower_purposes(asked: str) -> list:
    """The asked purpose and every DPV purpose under it, for "approve for less" pickers."""
    below = vocab.purpose_sets(asked)[1]
    return sorted((p for p in vocab.purposes() if p.id in below), key=lambda p: p.id != asked)


def _narrowed(req: AccessRequest, categories: list[str] | None, duration_days: int | None,
              purpose: str | None = None) -> details.DataAccess:
    """What the person approves: some of the asked categories, for at most the asked time,
    for the asked purpose or a narrower one."""
    access = _asked(req)
    if purpose is not None and not (vocab.is_purpose(purpose) and access.purpose
                                    and vocab.narrower_or_equal(purpose, access.purpose)):
        raise InvalidInput("purpose: the asked purpose or a narrower one only",
                           fields={"purpose": [f"not within {access.purpose}"]})
    if purpose is not None:
        purpose = vocab.purpose(purpose).id
    chosen = categories if categories is not None else list(access.categories)
    unknown = [c for c in chosen if c not in access.categories]
    if unknown or not chosen:
        raise InvalidInput("categories: approve some of the requested categories only",
                           fields={"categories": [f"not requested: {unknown}" if unknown
                                                  else "choose at least one"]})
    if duration_days is not None and not 1 <= duration_days <= access.duration_days:
        raise InvalidInput("duration_days: at most what the vendor asked for",
                           fields={"duration_days": [f"choose 1 to {access.duration_days}"]})
    return access.narrowed(tuple(chosen), duration_days or access.duration_days, purpose)


def terms_what_if(vault: Vault, pid: str, raw: object, *, now: datetime) -> dict:
    """Validate new terms and say which live agreements they would change or cut."""
    old = judge.current_terms(vault, pid)
    try:
        new = load_terms(raw, version=old.version + 1)  # what the next version would answer
    except TermsError as exc:
        raise InvalidInput(str(exc), fields=exc.messages) from None
    live = {g.id: g for g in vault.agreements.grants.for_person(pid) if g.live(now)}
    requests = {}
    for g in live.values():
        client = vault.agreements.clients.get(g.client_id)
        if g.categories:
            requests[g.id] = judge.policy_request(judge.vendor_of(g.client_id, client.metadata),
                                                  g, now)
    changes = what_if(old, new, requests, now)
    cut = sorted(c.key for c in changes if all(
        c.after.effects[cat].value == "deny" for cat in live[c.key].categories))
    return {"changes": [c.to_dict() for c in changes], "cut": cut,
            "vendors_cut_off": sorted({live[k].client_id for k in cut})}


def replace_terms(vault: Vault, pid: str, raw: dict, *, now: datetime, issuer: str,
                  ack_days: int = DEFAULT_ACK_DAYS) -> dict:
    """Save new terms as the next version; agreements they no longer allow end now."""
    answer = terms_what_if(vault, pid, raw, now=now)
    with vault.transaction("write"):
        version = vault.agreements.terms.save(pid, raw, now, cut=answer["cut"])
        for grant_id in answer["cut"]:
            end_agreement(vault, grant_id, "cut", now=now, issuer=issuer, ack_days=ack_days)
    return answer | {"saved": True, "version": version}
