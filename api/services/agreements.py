"""Making and ending agreements, the same way from the consent screen, the inbox and the API.

An agreement is made with its receipt; it ends (revoked, expired, cut by a terms change, the
account closed, the vendor disabled) with its tokens revoked and a signed notice to the vendor
queued in the same transaction. `end_agreement` is the only caller of the vault's
`grants.end` (tests/oauth/test_endings.py checks it), so no way of ending can skip the notice.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from vault.grants import ACTIVE, Grant

from ..clock import now
from ..oauth.server import issuer
from ..store import get_vault
from . import acceptance
from .details import DataAccess
from .notify import queue_end_notice
from .receipts import issue_receipt
from .subject import pairwise_subject


def make_agreement(person_id: str, client_id: str, access: DataAccess, *, decided_by: str,
                   terms_version: int) -> Grant:
    """Store the agreement and its signed receipt in one transaction: never one without the
    other, even if the process dies in between."""
    vault = get_vault()
    with vault.transaction("write"):
        grant = vault.agreements.grants.create(person_id, client_id, {
            "purpose": access.purpose, "categories": list(access.categories),
            "retention_days": access.retention_days,
            "third_party_sharing": access.third_party_sharing,
            "recipients": list(access.recipients), "decided_by": decided_by,
            "terms_version": terms_version, "extra": {"person": access.person},
        }, expires_at=now() + timedelta(days=access.duration_days), now=now())
        negotiation = acceptance.open_negotiation(
            vault, grant, issuer=issuer(), subject=pairwise_subject(person_id, client_id),
            now=now())
        issue_receipt(grant, negotiation)
    return grant


def end_agreement(grant_id: str, reason: str) -> Grant | None:
    """End a live agreement at once (tokens revoked) and queue the vendor's notice; None if
    it had already ended. Every way of ending an agreement comes through here."""
    vault = get_vault()
    with vault.transaction("write"):
        ended = vault.agreements.grants.end(grant_id, reason, now())
        if ended is not None:
            acceptance.close(vault, grant_id, reason, now=now())
            queue_end_notice(ended)
    return ended


def end_agreements(grants: Iterable[Grant], reason: str) -> list[Grant]:
    """End every still-active one of `grants` in one transaction: all of them or none."""
    with get_vault().transaction("write"):
        ended = [end_agreement(g.id, reason) for g in grants if g.status == ACTIVE]
    return [g for g in ended if g is not None]


def stop_vendor(person_id: str, client_id: str, reason: str = "revoked") -> list[Grant]:
    """Stop sharing everything with one vendor: each of its agreements with the person ends."""
    vault = get_vault()
    with vault.transaction("write"):
        return end_agreements((g for g in vault.agreements.grants.for_person(person_id)
                               if g.client_id == client_id), reason)


def disable_vendor(client_id: str) -> list[Grant]:
    """The operator stops a vendor: it can no longer authenticate, and every agreement it
    holds ends, each person told in their log and the vendor in its notices."""
    vault = get_vault()
    with vault.transaction("write"):
        vault.agreements.clients.disable(client_id, now())
        return end_agreements(vault.agreements.grants.for_client(client_id), "vendor_disabled")


def expire_due() -> list[str]:
    """End every agreement past its expiry (called periodically, like deliver_due)."""
    ids = get_vault().agreements.grants.due_to_expire(now())
    return [g for g in ids if end_agreement(g, "expired") is not None]
