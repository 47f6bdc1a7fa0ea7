"""Shared renderings of agreements and requests, so the vendor and the person see one shape."""

from __future__ import annotations

from vault.grants import Grant
from vault.requests import AccessRequest

from ..services.offer_actions import vendor_profile
from ..services.vendors import find_vendor
from ..store import get_vault


def grant_json(grant: Grant) -> dict:
    client = find_vendor(get_vault(), grant.client_id)
    return {
        "id": grant.id, "client_id": grant.client_id,
        "vendor": client.metadata.get("client_name") if client else grant.client_id,
        "status": grant.status, "purpose": grant.purpose, "categories": list(grant.categories),
        "retention_days": grant.retention_days, "third_party_sharing": grant.third_party_sharing,
        "expires_at": grant.expires_at.isoformat(), "terms_version": grant.terms_version,
        "ended_at": grant.ended_at.isoformat() if grant.ended_at else None,
        "last_used_at": grant.last_used_at.isoformat() if grant.last_used_at else None,
        "decided_by": grant.decided_by,
    }


def request_json(req: AccessRequest, *, for_person: bool) -> dict:
    body = {"id": req.id, "status": req.status, "agreement": req.grant_id,
            "created_at": req.created_at.isoformat(),
            "decided_at": req.decided_at.isoformat() if req.decided_at else None,
            "reasons": req.body.get("reasons", [])}
    if for_person:
        client = find_vendor(get_vault(), req.client_id)
        body |= {"client_id": req.client_id, "request": req.body.get("access", {}),
                 "vendor": vendor_profile(client) if client else {"id": req.client_id},
                 "terms_version": req.body.get("terms_version")}
    return body
