"""The vendor's read of a person's data: what the agreement AND the current terms permit.

The token check, the decision, the read and the log entry happen in one write transaction, so
a revocation or terms change either happened before this read (and refuses it) or after it;
once a revoke has returned, no read can succeed with that agreement's tokens.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from policies import Effect, vocab
from vault.agreement_events import AccessAttempted

from ..clock import now
from ..errors import CustosError
from ..oauth import judge
from ..oauth.subject import pairwise_subject
from ..store import get_vault
from .auth import caller

bp = Blueprint("resource_data", __name__)


class AccessRefused(CustosError):
    """The person's current terms refuse every category of the agreement."""

    status_code, error = 403, "access_refused"
    description = "The person's terms do not allow this access now."

    def __init__(self, reasons: list[dict]) -> None:
        super().__init__(" ".join(r["text"] for r in reasons) or self.description)
        self.reasons = reasons

    def to_dict(self) -> dict:
        return super().to_dict() | {"reasons": self.reasons}


def _covered(categories: list[str]) -> frozenset[str]:
    return frozenset().union(*(vocab.category_sets(c)[1] for c in categories)) \
        if categories else frozenset()


@bp.get("/api/v1/data")
def read_data():
    """Every field the agreement covers and the person's current terms do not deny."""
    vault = get_vault()
    at = now()
    with vault.db.write() as tx:
        who = caller(tx)
        grant = who.grant
        if grant is None or not grant.categories:
            raise AccessRefused([])
        vendor = judge.vendor_of(who.client.client_id, who.client.metadata)
        decision = judge.judge(judge.current_terms(vault, grant.person_id), vendor, grant, at)
        released = [c for c in grant.categories if decision.effects[c] is not Effect.DENY]
        withheld = [{"category": c, "reasons": [r.to_dict() for r in decision.reasons_for(c)]}
                    for c in grant.categories if c not in released]
        denied = [r.to_dict() for r in decision.reasons if r.effect is Effect.DENY]
        event = AccessAttempted(client_id=who.client.client_id, grant_id=grant.id,
                                purpose=grant.purpose, categories=list(grant.categories),
                                released=released, outcome="allowed" if released else "refused",
                                reasons=denied)
        if not released:
            vault.record(grant.person_id, event, at)
            refused = AccessRefused(denied)
        else:
            covered = _covered(released)
            fields = [f for f in vault.list_fields(grant.person_id) if f.category in covered]
            vault.record(grant.person_id, event, at)
            vault.agreements.grants.touch(tx, grant.id, at)
            refused = None
    if refused is not None:
        raise refused  # raised after commit, so the refused attempt stays in the log
    return jsonify({
        "sub": pairwise_subject(grant.person_id, who.client.client_id),
        "agreement": grant.id, "purpose": grant.purpose,
        "fields": [{"category": f.category, "name": f.name, "kind": f.kind, "value": f.value}
                   for f in fields],
        "withheld": withheld,
    })
