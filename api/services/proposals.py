"""Terms changes an agent proposes: what they would loosen, and the ones waiting for the person.

Service code of the newer kind: it takes the vault and the time, never a request. A proposal
that lets any vendor get more (policies/loosening.py) is logged as `terms_proposed` and waits
in the inbox; the person accepts it (saved as the next version, by her) or declines it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from policies import TermsError, load_terms
from policies.compile import compile_terms
from policies.loosening import Loosening, loosenings
from vault import Vault
from vault.mandate_events import TermsProposalDecided, TermsProposed

from . import judge, mandates, person_actions
from .duties import DEFAULT_ACK_DAYS
from .errors import InvalidInput, NotFound
from .mail import MailConfig, notify_person

ACCEPT, DECLINE = "accept", "decline"


@dataclass(frozen=True, kw_only=True)
class Proposal:
    """A waiting proposal as the inbox shows it."""

    id: str
    client_id: str
    at: datetime
    body: dict[str, Any]
    base_version: int
    loosens: list[dict]


def validated(vault: Vault, person_id: str, raw: object) -> dict:
    """The proposed terms, validated as the terms page validates them (400 naming the field)."""
    version = vault.agreements.terms.current_version(person_id) + 1
    try:
        load_terms(raw, version=version)  # refuses anything but a JSON object
    except TermsError as exc:
        raise InvalidInput(str(exc), fields=exc.messages) from None
    return dict(raw)  # type: ignore[call-overload]  # an object, as load_terms just checked


def what_it_loosens(vault: Vault, person_id: str, raw: dict, now: datetime) -> list[Loosening]:
    """How `raw` would let vendors get more than the current terms, probing the vendors the
    person deals with as well as strangers (empty: it only restricts, or changes nothing)."""
    old = judge.current_terms(vault, person_id)
    new = compile_terms(load_terms(raw, version=old.version + 1))
    ids = {g.client_id for g in vault.agreements.grants.for_person(person_id)}
    ids |= {r.client_id for r in vault.agreements.requests.for_person(person_id, None)}
    clients = [c for c in map(vault.agreements.clients.find, sorted(ids)) if c is not None]
    return loosenings(old, new, now, [judge.vendor_of(c.client_id, c.metadata) for c in clients])


def propose(vault: Vault, person_id: str, client_id: str, raw: dict, found: list[Loosening],
            now: datetime) -> str:
    """Keep a loosening proposal for the person; returns its id."""
    proposal_id = str(uuid.uuid4())
    with vault.transaction("write", actor=mandates.agent(client_id)):
        vault.record(person_id, TermsProposed(
            proposal_id=proposal_id, client_id=client_id,
            base_version=vault.agreements.terms.current_version(person_id),
            body=raw, loosens=[f.to_dict() for f in found]), now)
    return proposal_id


def pending(vault: Vault, person_id: str) -> list[Proposal]:
    """Proposals nobody has answered yet, oldest first."""
    events = vault.list_events(person_id, kinds=["terms_proposed", "terms_proposal_decided"])
    done = {e.payload["proposal_id"] for e in events if e.kind == "terms_proposal_decided"}
    return [Proposal(id=p["proposal_id"], client_id=p["client_id"], at=e.at, body=p["body"],
                     base_version=p["base_version"], loosens=p.get("loosens", []))
            for e in events if e.kind == "terms_proposed"
            and (p := e.payload)["proposal_id"] not in done]


def waiting(vault: Vault, person_id: str, proposal_id: str) -> Proposal:
    """One waiting proposal of this person (404 for an answered or unknown one)."""
    for proposal in pending(vault, person_id):
        if proposal.id == proposal_id:
            return proposal
    raise NotFound("There is no waiting proposal with this id.")


def decided(vault: Vault, person_id: str, proposal_id: str, decision: str,
            version: int | None, now: datetime) -> None:
    """Log the person's answer (after saving the terms, when she accepted)."""
    with vault.transaction("write", actor=mandates.PERSON):
        vault.record(person_id, TermsProposalDecided(proposal_id=proposal_id,
                                                     decision=decision, version=version), now)


def propose_or_save(vault: Vault, person_id: str, client_id: str, raw: dict, *, actor: str,
                    now: datetime, issuer: str,
                    mail: MailConfig | None,
                    ack_days: int = DEFAULT_ACK_DAYS) -> tuple[dict, bool]:
    """An agent's terms change: saved at once when it permits nothing more, else kept as a
    proposal for the person. Returns the answer and whether it waits for her. The check and
    the save are one step (person row locked): her own change in between cannot slip past."""
    with vault.transaction("write", actor=actor) as tx:
        tx.lock_person(person_id)
        found = what_it_loosens(vault, person_id, raw, now)
        loosens = {"loosens": [f.to_dict() for f in found]}
        if found:  # no mandate lets an agent loosen the terms: she decides in her inbox
            proposal = propose(vault, person_id, client_id, raw, found, now)
            notify_person(vault, person_id, "request_waiting", now, mail=mail)  # she decides
            return loosens | {"saved": False, "waits_for_person": True,
                              "proposal_id": proposal}, True
        return person_actions.replace_terms(vault, person_id, raw, now=now, issuer=issuer,
                                            actor=actor, mail=mail,
                                            ack_days=ack_days) | loosens, False
