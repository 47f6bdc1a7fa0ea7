"""Consent receipts with the Kantara Consent Receipt v1.1 fields, purposes and categories as
W3C DPV IRIs, signed as a JWS with the key in the JWKS. Vendor and person fetch the same one.

Kantara CR v1.1 wants the controller's contact, address, email and phone; a vendor that did not
register them gets "not stated", which the person sees on the receipt. `policyUrl` is the
public page of this agreement's terms (api/web/agreement_terms.py), not the vendor's own policy:
in VRM the terms are the person's; its address carries an unguessable tag (`terms_tag`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from datetime import datetime

from policies import vocab
from vault import Vault
from vault.errors import NotFound as Missing
from vault.grants import Grant
from vault.negotiations import Negotiation
from vault.receipts import Receipt

from . import mandates
from .signing import sign
from .subject import pairwise_subject

VERSION = "KI-CR-v1.1.0"
NOT_STATED = "not stated"
TAG_KEY = "agreement_terms"


def terms_tag(vault: Vault, grant_id: str, now: datetime) -> str:
    """The unguessable part of the public address of an agreement's terms: HMAC-SHA256 under a
    server key of the agreement id (256 bits, base64url); nothing is stored for it."""
    key = vault.keys.server_key(TAG_KEY, now)
    digest = hmac.new(key, grant_id.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def tagged_agreement(vault: Vault, grant_id: str, given: str, now: datetime) -> Grant | None:
    """The agreement at its public address; None for a wrong tag or no such agreement alike."""
    if not hmac.compare_digest(given.encode(), terms_tag(vault, grant_id, now).encode()):
        return None
    try:
        return vault.agreements.grants.get(grant_id)
    except Missing:
        return None


def policy_url(vault: Vault, grant: Grant, *, now: datetime, issuer: str) -> str:
    """The receipt's `policyUrl`: this agreement's terms, readable without signing in."""
    return f"{issuer}/agreements/{grant.id}/{terms_tag(vault, grant.id, now)}"


def _controller(metadata: dict) -> dict:
    contacts = metadata.get("contacts") or []
    return {
        "piiController": metadata.get("client_name") or metadata.get("client_id", ""),
        "contact": metadata.get("custos_contact_name") or NOT_STATED,
        "address": metadata.get("custos_address") or {"addressCountry": NOT_STATED},
        "email": contacts[0] if contacts else NOT_STATED,
        "phone": metadata.get("custos_phone") or NOT_STATED,
    }


def _two_sided(negotiation: Negotiation | None) -> dict:
    """The standard agreements, duties, status and vendor's acceptance (issue 12)."""
    if negotiation is None:
        return {"agreements": [], "duties": []}
    record = negotiation.record
    return {"agreements": record["agreements"], "duties": record["duties"],
            "agreement_texts": record["texts"], "negotiation_status": negotiation.status,
            "vendor_acceptance": negotiation.vendor_jws}


def _consent_type(grant: Grant) -> str:
    """Kantara CR v1.1 `consentType` is free text: EXPLICIT when the person clicked herself;
    when her agent answered under a mandate, the receipt says so (issue 13)."""
    return "DELEGATED" if mandates.agent_of(grant.extra.get("actor")) else "EXPLICIT"


def _collection_method(vault: Vault, grant: Grant) -> str:
    """How the consent was collected, naming the agent and its mandate when one acted."""
    agent = mandates.agent_of(grant.extra.get("actor"))
    if agent is None:
        return f"Custos OAuth consent ({grant.decided_by})"
    found = vault.agreements.clients.find(agent)
    name = (found.metadata.get("client_name") if found else None) or agent
    return (f"Custos agent {name!r} under the person's mandate "
            f"'{mandates.scope(mandates.ANSWER)}', within her terms version "
            f"{grant.terms_version} ({grant.decided_by})")


def build_receipt(vault: Vault, grant: Grant, receipt_id: str,
                  negotiation: Negotiation | None = None, *, now: datetime,
                  issuer: str) -> dict:
    """The receipt JSON of an agreement (Kantara CR v1.1 fields plus DPV IRIs)."""
    client = vault.agreements.clients.get(grant.client_id)
    purpose = vocab.purpose(grant.purpose) if grant.purpose else None
    cats = [vocab.category(c) for c in grant.categories]
    retention = ("as long as needed" if grant.retention_days is None
                 else f"{grant.retention_days} days after collection")
    service = {
        "service": client.metadata.get("client_name") or grant.client_id,
        "purposes": [{
            "purpose": purpose.label if purpose else "Act for the person",
            "purposeCategory": [purpose.iri] if purpose else [],
            "consentType": _consent_type(grant),
            "piiCategory": [c.iri for c in cats],
            "primaryPurpose": True,
            "termination": f"agreement ends {grant.expires_at.isoformat()}; data kept {retention}",
            "thirdPartyDisclosure": grant.third_party_sharing,
            **({"thirdPartyName": ", ".join(grant.recipients)} if grant.recipients else {}),
        }],
    }
    return {
        "version": VERSION,
        "jurisdiction": client.metadata.get("custos_jurisdiction") or NOT_STATED,
        "consentTimestamp": int(grant.created_at.timestamp()),
        "collectionMethod": _collection_method(vault, grant),
        "consentReceiptID": receipt_id,
        "language": "en",
        "piiPrincipalId": pairwise_subject(vault, grant.person_id, grant.client_id, now),
        "piiControllers": [_controller(client.metadata)],
        "policyUrl": policy_url(vault, grant, now=now, issuer=issuer),  # its terms' public page
        "services": [service],
        "sensitive": False,
        "spiCat": [],
        "custos": {"grant_id": grant.id, "terms_version": grant.terms_version,
                   "purpose_iri": purpose.iri if purpose else None,
                   "categories": list(grant.categories), "expires_at": grant.expires_at.isoformat(),
                   "retention_days": grant.retention_days, "issuer": issuer,
                   **_two_sided(negotiation),
                   # what an agent may do for the person (issue 13), as the scopes name it
                   **({"mandates": [mandates.scope(m) for m in mandates.of(grant)]}
                      if mandates.of(grant) else {})},
    }


def issue_receipt(vault: Vault, grant: Grant, negotiation: Negotiation | None = None, *,
                  now: datetime, issuer: str) -> Receipt:
    """Build, sign and store the receipt of a new agreement."""
    receipt_id = str(uuid.uuid4())
    receipt = build_receipt(vault, grant, receipt_id, negotiation, now=now, issuer=issuer)
    return vault.agreements.receipts.add(grant.id, grant.person_id, grant.client_id,
                                         receipt, sign(vault, receipt, now), now, receipt_id)


def reissue_receipt(vault: Vault, grant: Grant, negotiation: Negotiation, *, now: datetime,
                    issuer: str) -> Receipt:
    """The receipt again, now with the vendor's acceptance, signed anew (same id)."""
    receipts = vault.agreements.receipts
    stored = receipts.for_grant(grant.id)
    receipt = build_receipt(vault, grant, stored.id, negotiation, now=now, issuer=issuer)
    receipt["consentTimestamp"] = stored.receipt["consentTimestamp"]
    return receipts.replace(grant.id, receipt, sign(vault, receipt, now))


def receipt_view(vault: Vault, grant: Grant) -> dict:
    """What both sides fetch: the receipt, its JWS, and the agreement's live status."""
    stored = vault.agreements.receipts.for_grant(grant.id)
    return {"id": stored.id, "receipt": stored.receipt, "jws": stored.jws,
            "status": grant.status, "ended_at": grant.ended_at.isoformat() if grant.ended_at
            else None, "end_reason": grant.end_reason}
