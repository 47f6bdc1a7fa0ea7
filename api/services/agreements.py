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
from vault.negotiations import Negotiation

from . import acceptance, mandates
from .details import DataAccess
from .duties import DEFAULT_ACK_DAYS
from .notify import queue_end_notice
from .receipts import issue_receipt, reissue_receipt
from .signing import sign
from .subject import pairwise_subject


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
        negotiation = acceptance.open_negotiation(
            vault, grant, issuer=issuer,
            subject=pairwise_subject(vault, person_id, client_id, now), now=now)
        issue_receipt(vault, grant, negotiation, now=now, issuer=issuer)
    return grant


def end_agreement(vault: Vault, grant_id: str, reason: str, *, now: datetime, issuer: str,
                  actor: str | None = None, ack_days: int = DEFAULT_ACK_DAYS) -> Grant | None:
    """End a live agreement at once (tokens revoked) and queue the vendor's notice; None if
    it had already ended. Every way of ending an agreement comes through here. `actor`
    (services/mandates.py) names who ended it in the log; None: the thread's default."""
    with vault.transaction("write", actor=actor):
        ended = vault.agreements.grants.end(grant_id, reason, now)
        if ended is not None:
            acceptance.close(vault, grant_id, reason, now=now)
            queue_end_notice(vault, ended, now=now, issuer=issuer, ack_days=ack_days)
    return ended


def end_agreements(vault: Vault, grants: Iterable[Grant], reason: str, *, now: datetime,
                   issuer: str, ack_days: int = DEFAULT_ACK_DAYS) -> list[Grant]:
    """End every still-active one of `grants` in one transaction: all of them or none."""
    with vault.transaction("write"):
        ended = [end_agreement(vault, g.id, reason, now=now, issuer=issuer, ack_days=ack_days)
                 for g in grants if g.status == ACTIVE]
    return [g for g in ended if g is not None]


def stop_vendor(vault: Vault, person_id: str, client_id: str, reason: str = "revoked", *,
                now: datetime, issuer: str, ack_days: int = DEFAULT_ACK_DAYS) -> list[Grant]:
    """Stop sharing everything with one vendor: each of its agreements with the person ends."""
    with vault.transaction("write"):
        return end_agreements(vault, (g for g in vault.agreements.grants.for_person(person_id)
                                      if g.client_id == client_id), reason,
                              now=now, issuer=issuer, ack_days=ack_days)


def disable_vendor(vault: Vault, client_id: str, *, now: datetime, issuer: str,
                   ack_days: int = DEFAULT_ACK_DAYS) -> list[Grant]:
    """The operator stops a vendor: it can no longer authenticate, and every agreement it
    holds ends, each person told in their log and the vendor in its notices."""
    with vault.transaction("write", actor=mandates.OPERATOR):
        vault.agreements.clients.disable(client_id, now)
        return end_agreements(vault, vault.agreements.grants.for_client(client_id),
                              "vendor_disabled", now=now, issuer=issuer, ack_days=ack_days)


def expire_due(vault: Vault, *, now: datetime, issuer: str,
               ack_days: int = DEFAULT_ACK_DAYS) -> list[str]:
    """End every agreement past its expiry (called periodically, like deliver_due)."""
    ids = vault.agreements.grants.due_to_expire(now)
    return [g for g in ids if end_agreement(vault, g, "expired", now=now, issuer=issuer,
                                            ack_days=ack_days) is not None]


def answer_counter_offer(vault: Vault, grant_id: str, person_id: str, agree: bool, *,
                         now: datetime, issuer: str,
                         ack_days: int = DEFAULT_ACK_DAYS) -> Negotiation:
    """The person takes a vendor's counter-offer (it must then sign it) or declines it (the
    agreement ends as refused), in one transaction. AgreementError when there is none."""
    with vault.transaction("write"):
        done = acceptance.answer_counter(vault, grant_id, person_id, agree, now=now)
        if not agree:
            end_agreement(vault, grant_id, "refused", now=now, issuer=issuer, ack_days=ack_days)
    return done


def vendor_accepts(vault: Vault, grant_id: str, client_id: str, token: object,
                   key_set: dict | None, *, now: datetime, issuer: str) -> Negotiation:
    """The vendor's signed acceptance: verified, countersigned, and put in the receipt (signed
    anew), in one transaction. AgreementError when it cannot be taken."""
    with vault.transaction("write"):
        done = acceptance.accept(vault, grant_id, client_id, token, key_set, now=now,
                                 sign=lambda payload, typ: sign(vault, payload, now, typ))
        reissue_receipt(vault, vault.agreements.grants.get(grant_id), done, now=now,
                        issuer=issuer)
    return done


def vendor_refuses(vault: Vault, grant_id: str, client_id: str, *, now: datetime, issuer: str,
                   ack_days: int = DEFAULT_ACK_DAYS) -> Negotiation:
    """The vendor does not accept the person's agreement: the record says so and the
    agreement ends (nothing is released), in one transaction."""
    with vault.transaction("write"):
        done = acceptance.refuse(vault, grant_id, client_id, now=now)
        end_agreement(vault, grant_id, "refused", now=now, issuer=issuer, ack_days=ack_days)
    return done
