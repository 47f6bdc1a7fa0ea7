"""The vendor's read of a person's data: what the agreement AND the current terms permit.

The token check, the decision, the read and the log entry happen in one write transaction, so
a revocation or terms change either happened before this read (and refuses it) or after it;
once a revoke has returned, no read can succeed with that agreement's tokens.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from policies import Effect
from policies.codes import AGREEMENT_ENDED, AGREEMENT_NOT_ACCEPTED
from vault import Tx
from vault.agreement_events import AccessAttempted
from vault.grants import Grant
from vault.negotiations import ACCEPTED, Negotiation

from ..clock import now
from ..errors import CustosError, NotFound
from ..services import judge
from ..services.acceptance import named
from ..services.disclosure import what_leaves
from ..store import get_vault
from .auth import Caller, InsufficientScope, caller

bp = Blueprint("resource_data", __name__)


def _writing():
    """One write transaction for the whole read: check, decide, read, count and log."""
    return get_vault().transaction("write")


class AccessRefused(CustosError):
    """The person's current terms refuse every category of the agreement."""

    status_code, error = 403, "access_refused"
    description = "The person's terms do not allow this access now."

    def __init__(self, reasons: list[dict]) -> None:
        super().__init__(" ".join(r["text"] for r in reasons) or self.description)
        self.reasons = reasons

    def to_dict(self) -> dict:
        return super().to_dict() | {"reasons": self.reasons}


class NotAccepted(AccessRefused):
    """The person proffered standard agreements that the vendor has not yet signed: nothing
    leaves until it has (docs/agreements.md). Names the agreements and where the record is."""

    error = "agreement_not_accepted"

    def __init__(self, negotiation: Negotiation) -> None:
        names = named(negotiation.record["agreements"])
        super().__init__([{"code": AGREEMENT_NOT_ACCEPTED, "effect": "deny", "rule": None,
                           "text": f"The person's {names}: {negotiation.status}. Accept with "
                                   "your signature before any data is released."}])
        self.status_code = 403
        self.negotiation = negotiation

    def to_dict(self) -> dict:
        n = self.negotiation
        return super().to_dict() | {
            "agreement": n.grant_id, "agreements": n.record["agreements"], "status": n.status,
            "record": f"/api/v1/agreements/{n.grant_id}/record"}


def _unaccepted(grant: Grant) -> NotAccepted | None:
    """Before anything is judged or read: the vendor's signed acceptance, where one is due."""
    n = get_vault().agreements.negotiations.find(grant.id)
    return NotAccepted(n) if n is not None and n.status != ACCEPTED else None


def release(tx: Tx, who: Caller, grant: Grant) -> dict | AccessRefused:
    """Judge the agreement by the current terms (with this vendor's read counts for any
    `frequency` rule), read what is released, count and log the attempt. A broader category
    never releases a more precise value than granted: age in years, not the date of birth."""
    vault = get_vault()
    at = now()
    if (unaccepted := _unaccepted(grant)) is not None:
        vault.record(grant.person_id, AccessAttempted(
            client_id=who.client.client_id, grant_id=grant.id, purpose=grant.purpose,
            categories=list(grant.categories), released=[], outcome="refused",
            reasons=unaccepted.reasons), at)
        return unaccepted
    vendor = judge.vendor_of(who.client.client_id, who.client.metadata)
    compiled = judge.current_terms(vault, grant.person_id)
    counter = vault.agreements.access_counts
    periods = judge.frequency_periods(compiled)
    counts = counter.counts(tx, grant.person_id, grant.client_id, periods, at) if periods else {}
    decision = judge.judge(compiled, vendor, grant, at, counts)
    released = [c for c in grant.categories if decision.effects[c] is not Effect.DENY]
    withheld = [{"category": c, "reasons": [r.to_dict() for r in decision.reasons_for(c)]}
                for c in grant.categories if c not in released]
    denied = [r.to_dict() for r in decision.reasons if r.effect is Effect.DENY]
    vault.record(grant.person_id, AccessAttempted(
        client_id=who.client.client_id, grant_id=grant.id, purpose=grant.purpose,
        categories=list(grant.categories), released=released,
        outcome="allowed" if released else "refused", reasons=denied), at)
    if not released:
        return AccessRefused(denied)
    fields = what_leaves(vault.list_fields(grant.person_id), released, at)  # precise: if named
    vault.agreements.grants.touch(tx, grant.id, at)
    counter.add(tx, grant.person_id, grant.client_id, at)  # allowed reads count, refused don't
    return {
        "sub": vault.pseudonyms.subject(grant.person_id, who.client.client_id, at),
        "agreement": grant.id, "purpose": grant.purpose,
        "fields": fields,
        "withheld": withheld,
    }


def _answer(result: dict | AccessRefused):
    if isinstance(result, AccessRefused):
        raise result  # raised after commit, so the refused attempt stays in the log
    return jsonify(result)


@bp.get("/api/v1/data")
def read_data():
    """Every field the agreement covers and the person's current terms do not deny."""
    with _writing() as tx:
        who = caller(tx)
        if who.grant is None or not who.grant.categories:
            raise InsufficientScope("This token carries no agreement to read data.")
        result = release(tx, who, who.grant)
    return _answer(result)


@bp.get("/api/v1/agreements/<agreement_id>/data")
def read_agreement_data(agreement_id: str):
    """The same read for an agreement made asynchronously, with the vendor's own token."""
    vault = get_vault()
    with _writing() as tx:
        who = caller(tx, scope="vendor")
        grant = vault.agreements.grants.load(tx, agreement_id)
        if grant is None or grant.client_id != who.client.client_id:
            raise NotFound("There is no such agreement of yours.")
        if not grant.live(now()):
            raise AccessRefused([{"code": AGREEMENT_ENDED, "effect": "deny", "rule": None,
                                  "text": "This agreement has ended."}])
        result = release(tx, who, grant)
    return _answer(result)


@bp.get("/api/v1/me")
def me():
    """The person as this vendor sees them: a pairwise subject, nothing else."""
    who = caller()
    if who.person_id is None:
        raise InsufficientScope("This token does not act for a person.")
    return jsonify({"sub": get_vault().pseudonyms.subject(who.person_id, who.client.client_id,
                                                          now()),
                    "agreement": who.grant.id if who.grant else None})
