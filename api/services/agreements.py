"""Making and ending agreements, the same way from the consent screen, the inbox and the API.

An agreement is made with its receipt; it ends (revoked, expired, cut by a terms change, the
account closed, the vendor disabled) with its tokens revoked and a signed notice to the vendor
queued in the same transaction. `end_agreement` is the only caller of the vault's
`grants.end` (tests/oauth/test_endings.py checks it), so no way of ending can skip the notice.
Every function takes the vault, the time and the issuer (the `iss` of receipts and notices).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from vault import Vault
from vault.grants import ACTIVE, Grant

from . import mandates
from .details import DataAccess
from .notify import queue_end_notice
from .receipts import issue_receipt


def make_agreement(vault: Vault, person_id: str, client_id: str, access: DataAccess, *,
                   decided_by: str, terms_version: int, actor: str, now: datetime,
                   issuer: str) -> Grant:
    """Store the agreement and its signed receipt in one transaction: never one without the
    other, even if the process dies in between. `actor` (services/mandates.py) says who made
    it: the person, her agent, or her terms automatically."""
    with vault.transaction("write", actor=actor):
        grant = vault.agreements.grants.create(person_id, client_id, {
            "purpose": access.purpose, "categories": list(access.categories),
            "retention_days": access.retention_days,
            "third_party_sharing": access.third_party_sharing,
            "recipients": list(access.recipients), "decided_by": decided_by,
            "terms_version": terms_version,
            "extra": {"mandates": list(access.mandates), "actor": actor},
        }, expires_at=now + timedelta(days=access.duration_days), now=now)
        issue_receipt(vault, grant, now=now, issuer=issuer)
    return grant


def end_agreement(vault: Vault, grant_id: str, reason: str, *, now: datetime, issuer: str,
                  actor: str | None = None) -> Grant | None:
    """End a live agreement at once (tokens revoked) and queue the vendor's notice; None if
    it had already ended. Every way of ending an agreement comes through here. `actor`
    (services/mandates.py) names who ended it in the log; None: the thread's default."""
    with vault.transaction("write", actor=actor):
        ended = vault.agreements.grants.end(grant_id, reason, now)
        if ended is not None:
            queue_end_notice(vault, ended, now=now, issuer=issuer)
    return ended


def end_agreements(vault: Vault, grants: Iterable[Grant], reason: str, *, now: datetime,
                   issuer: str) -> list[Grant]:
    """End every still-active one of `grants` in one transaction: all of them or none."""
    with vault.transaction("write"):
        ended = [end_agreement(vault, g.id, reason, now=now, issuer=issuer)
                 for g in grants if g.status == ACTIVE]
    return [g for g in ended if g is not None]


def stop_vendor(vault: Vault, person_id: str, client_id: str, reason: str = "revoked", *,
                now: datetime, issuer: str) -> list[Grant]:
    """Stop sharing everything with one vendor: each of its agreements with the person ends."""
    with vault.transaction("write"):
        return end_agreements(vault, (g for g in vault.agreements.grants.for_person(person_id)
                                      if g.client_id == client_id), reason,
                              now=now, issuer=issuer)


def disable_vendor(vault: Vault, client_id: str, *, now: datetime, issuer: str) -> list[Grant]:
    """The operator stops a vendor: it can no longer authenticate, and every agreement it
    holds ends, each person told in their log and the vendor in its notices."""
    with vault.transaction("write", actor=mandates.OPERATOR):
        vault.agreements.clients.disable(client_id, now)
        return end_agreements(vault, vault.agreements.grants.for_client(client_id),
                              "vendor_disabled", now=now, issuer=issuer)


def expire_due(vault: Vault, *, now: datetime, issuer: str) -> list[str]:
    """End every agreement past its expiry (called periodically, like deliver_due)."""
    ids = vault.agreements.grants.due_to_expire(now)
    return [g for g in ids if end_agreement(vault, g, "expired", now=now, issuer=issuer)
            is not None]
