"""A vendor's read of a person's data: what the agreement AND the current terms permit.

The caller opens one write transaction around the token check and `release`, so a revocation
or a terms change happened either before this read (and refuses it) or after it. A broader
category never releases a more precise value than granted: age in years, not the date of birth.
"""

from __future__ import annotations

from datetime import datetime

from policies import Effect
from policies.codes import AGREEMENT_ENDED, AGREEMENT_NOT_ACCEPTED
from vault import Tx, Vault
from vault.agreement_events import AccessAttempted
from vault.clients import Client
from vault.grants import Grant
from vault.negotiations import Negotiation

from . import judge
from .acceptance import named
from .disclosure import needed, what_leaves
from .errors import CustosError, NotFound


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

    def __init__(self, negotiation: Negotiation,
                 before: str = "any data is released") -> None:
        names = named(negotiation.record["agreements"])
        super().__init__([{"code": AGREEMENT_NOT_ACCEPTED, "effect": "deny", "rule": None,
                           "text": f"The person's {names}: {negotiation.status}. Accept with "
                                   f"your signature before {before}."}])
        self.status_code = 403
        self.negotiation = negotiation

    def to_dict(self) -> dict:
        n = self.negotiation
        return super().to_dict() | {
            "agreement": n.grant_id, "agreements": n.record["agreements"], "status": n.status,
            "record": f"/api/v1/agreements/{n.grant_id}/record"}


def unaccepted(vault: Vault, grant: Grant,
               before: str = "any data is released") -> NotAccepted | None:
    """Before anything is judged, read or written: the vendor's signed acceptance, where one
    is due (a read and a write-back both wait for it)."""
    n = vault.agreements.negotiations.waiting(grant.id)
    return NotAccepted(n, before) if n is not None else None


def vendor_agreement(vault: Vault, tx: Tx, client: Client, grant_id: str,
                     now: datetime) -> Grant:
    """The vendor's own live agreement, read inside its transaction; anyone else's is a 404."""
    grant = vault.agreements.grants.load(tx, grant_id)
    if grant is None or grant.client_id != client.client_id:
        raise NotFound("There is no such agreement of yours.")
    if not grant.live(now):
        raise AccessRefused([{"code": AGREEMENT_ENDED, "effect": "deny", "rule": None,
                              "text": "This agreement has ended."}])
    return grant


def forget_old_counts(vault: Vault, now: datetime) -> int:
    """Drop read counts too old for any `frequency` rule to look at (the jobs call it)."""
    return vault.agreements.access_counts.prune(now)


def release(vault: Vault, tx: Tx, client: Client, grant: Grant, now: datetime, *,
            terms_version: int | None = None) -> dict | AccessRefused:
    """Judge the agreement by the current terms (with this vendor's read counts for any
    `frequency` rule), read what is released, count and log the attempt. A refusal is
    returned, not raised, so the caller commits the logged attempt before raising it.
    `terms_version` is the person's newest version when the caller read it with the token
    (one lookup, same transaction); without it the current terms are looked up.
    Nothing is judged or read while a proffered standard agreement waits for the vendor's
    signed acceptance (docs/agreements.md)."""
    if (waiting := unaccepted(vault, grant)) is not None:
        vault.record(grant.person_id, AccessAttempted(
            client_id=client.client_id, grant_id=grant.id, purpose=grant.purpose,
            categories=list(grant.categories), released=[], outcome="refused",
            reasons=waiting.reasons), now)
        return waiting
    vendor = judge.vendor_of(client.client_id, client.metadata)
    compiled = (judge.terms_version(vault, grant.person_id, terms_version)
                if terms_version is not None else judge.current_terms(vault, grant.person_id))
    counter = vault.agreements.access_counts
    periods = judge.frequency_periods(compiled)
    counts = counter.counts(tx, grant.person_id, grant.client_id, periods, now) if periods else {}
    decision = judge.judge(compiled, vendor, grant, now, counts)
    released = [c for c in grant.categories if decision.effects[c] is not Effect.DENY]
    withheld = [{"category": c, "reasons": [r.to_dict() for r in decision.reasons_for(c)]}
                for c in grant.categories if c not in released]
    denied = [r.to_dict() for r in decision.reasons if r.effect is Effect.DENY]
    # read before the attempt is logged (one transaction, so the same commit either way): on
    # PostgreSQL the fields' query sent ahead with the token's lookup is still good then
    readable = judge.readable_fields(vault, compiled, vendor, grant.person_id, grant, now,
                                     only=needed(released)) if released else []  # rest sealed
    vault.record(grant.person_id, AccessAttempted(
        client_id=client.client_id, grant_id=grant.id, purpose=grant.purpose,
        categories=list(grant.categories), released=released,
        outcome="allowed" if released else "refused", reasons=denied), now)
    if not released:
        return AccessRefused(denied)
    fields = what_leaves(readable, released, now,  # precise ones only if named
                         compiled.terms.claims_only)  # and never raw where claims only
    vault.agreements.grants.touch(tx, grant, now)
    counter.add(tx, grant.person_id, grant.client_id, now)  # allowed reads count, refused don't
    return {
        "sub": vault.pseudonyms.subject(grant.person_id, client.client_id, now),
        "agreement": grant.id, "purpose": grant.purpose,
        "fields": fields,
        "withheld": withheld,
    }
