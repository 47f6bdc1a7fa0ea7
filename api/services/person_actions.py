"""What a person (or their butler) decides, shared by the web pages and the JSON API.

Deciding a pending request, and replacing the terms with the what-if answer first, live here so
the inbox page, the terms page and /api/v1/person/* behave the same way.
"""

from __future__ import annotations

import json
from datetime import datetime

from policies import Effect, TermsError, load_terms, vocab
from policies.whatif import what_if
from vault import Vault
from vault.grants import Grant
from vault.mandate_events import AgentChangedAccess
from vault.requests import APPROVED, DENIED, PENDING, AccessRequest

from . import details, judge, mandates
from .agreements import end_agreement, make_agreement, stop_vendor
from .duties import DEFAULT_ACK_DAYS
from .errors import InvalidInput
from .mail import MailConfig
from .ownership import own_grant, own_request, own_vendor


def decide_request(vault: Vault, pid: str, request_id: str, decision: str,
                   categories: list[str] | None = None, duration_days: int | None = None,
                   purpose: str | None = None, *, now: datetime, issuer: str,
                   actor: str = mandates.PERSON, mail: MailConfig | None) -> AccessRequest:
    """Approve (optionally narrowed: fewer categories, shorter duration, narrower purpose) or
    deny. An agent (`actor` agent:<id>) may approve only what the current terms permit; its
    approval alerts the person (and emails her as she chose: `mail`)."""
    # One write transaction from the status check to the answer: two answers racing (the
    # person on a page, the butler through the API) cannot both make an agreement.
    with vault.transaction("write", actor=actor) as tx:
        tx.lock_person(pid)  # her terms cannot change between the check and the agreement
        req = own_request(vault, pid, request_id)
        if req.status != PENDING:
            raise InvalidInput("This request was already answered.",
                               fields={"decision": [f"already {req.status}"]})
        if decision == "deny":
            vault.agreements.requests.decide(request_id, DENIED, now)
            return vault.agreements.requests.get(request_id)
        narrowed = _narrowed(req, categories, duration_days, purpose)
        who = "agent" if mandates.agent_of(actor) else "person"
        how = who if narrowed == _asked(req) else f"{who}_narrowed"
        version = req.body.get("terms_version", 0)
        if mandates.agent_of(actor):
            version = _within_terms(vault, pid, req.client_id, narrowed, now=now)
        grant = make_agreement(vault, pid, req.client_id, narrowed, decided_by=how,
                               terms_version=version, actor=actor, now=now, issuer=issuer)
        if client_id := mandates.agent_of(actor):
            mandates.alert(vault, pid, AgentChangedAccess(
                client_id=client_id, action="approved", vendors=[req.client_id],
                categories=list(narrowed.categories)), now, mail=mail)
        vault.agreements.requests.decide(request_id, APPROVED, now, grant_id=grant.id,
                                         categories=list(narrowed.categories))
        return vault.agreements.requests.get(request_id)


def _within_terms(vault: Vault, pid: str, client_id: str, access: details.DataAccess, *,
                  now: datetime) -> int:
    """An agent answers only as the person's current terms already say: every category it
    approves must be permitted by them now (an "ask" is the person's to answer). Returns the
    terms version the approval rests on."""
    compiled = judge.current_terms(vault, pid)
    client = vault.agreements.clients.get(client_id)
    decision = judge.judge(compiled, judge.vendor_of(client_id, client.metadata), access, now)
    beyond = [c for c in access.categories if decision.effects[c] is not Effect.PERMIT]
    if beyond:
        raise mandates.OutsideMandate(
            "categories: the person's terms do not permit these, so only the person can "
            "approve them", fields={"categories": [f"not permitted by the terms: {beyond}"]})
    return compiled.version


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
                  actor: str = mandates.PERSON, mail: MailConfig | None,
                  ack_days: int = DEFAULT_ACK_DAYS) -> dict:
    """Save new terms as the next version; agreements they no longer allow end now. An agent
    calls this only for a change that permits nothing more (api/resource/person.py)."""
    answer = terms_what_if(vault, pid, raw, now=now)
    with vault.transaction("write", actor=actor):
        version = vault.agreements.terms.save(pid, raw, now, cut=answer["cut"])
        for grant_id in answer["cut"]:
            end_agreement(vault, grant_id, "cut", now=now, issuer=issuer, ack_days=ack_days)
        if client_id := mandates.agent_of(actor):
            mandates.alert(vault, pid, AgentChangedAccess(
                client_id=client_id, action="terms_changed",
                vendors=sorted({c["vendor"] for c in answer["changes"]}),
                categories=sorted({cat for c in answer["changes"] for cat in c["lost"]})),
                now, mail=mail)
    return answer | {"saved": True, "version": version}


def revoke_grant(vault: Vault, pid: str, grant_id: str, *, actor: str, now: datetime,
                 issuer: str, mail: MailConfig | None,
                 ack_days: int = DEFAULT_ACK_DAYS) -> Grant:
    """End one of her agreements at once (tokens revoked) for her or her agent; an agent's
    revocation is an alert (what vendors may get changed). Returns the agreement as it is."""
    own_grant(vault, pid, grant_id)
    with vault.transaction("write", actor=actor):
        ended = end_agreement(vault, grant_id, "revoked", now=now, issuer=issuer,
                              ack_days=ack_days)
        _agent_ended(vault, pid, actor, [ended] if ended is not None else [], now, mail)
    return own_grant(vault, pid, grant_id)


def revoke_vendor(vault: Vault, pid: str, client_id: str, *, actor: str, now: datetime,
                  issuer: str, mail: MailConfig | None,
                  ack_days: int = DEFAULT_ACK_DAYS) -> list[Grant]:
    """Stop sharing everything with one vendor, for her or her agent; the ones still live."""
    own_vendor(vault, pid, client_id)
    with vault.transaction("write", actor=actor):
        ended = stop_vendor(vault, pid, client_id, now=now, issuer=issuer, ack_days=ack_days)
        _agent_ended(vault, pid, actor, ended, now, mail)
    return ended


def _agent_ended(vault: Vault, pid: str, actor: str, ended: list[Grant],
                 now: datetime, mail: MailConfig | None) -> None:
    """Alert the person: her agent ended agreements (what vendors may get changed)."""
    if ended and (client_id := mandates.agent_of(actor)):
        mandates.alert(vault, pid, AgentChangedAccess(
            client_id=client_id, action="ended",
            vendors=sorted({g.client_id for g in ended}),
            categories=sorted({c for g in ended for c in g.categories})), now, mail=mail)
