"""Pairwise pseudonymous subjects (OpenID Connect Core section 8.1 style): one per vendor.

sub = HMAC-SHA256(server key, person id | sector), where the sector is the client id. Two
vendors get unrelated identifiers for the same person and cannot join their records on it;
the same vendor always gets the same one. The server key never leaves the key store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from ..clock import now
from ..store import get_vault

SERVER_KEY = "pairwise_subject"


def pairwise_subject(person_id: str, sector: str) -> str:
    """The person's identifier as one vendor (sector) sees it."""
    key = get_vault().keys.server_key(SERVER_KEY, now())
    digest = hmac.new(key, f"{person_id}|{sector}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


def person_for_subject(subject: str, sector: str, person_ids: list[str]) -> str | None:
    """Find the person behind a vendor's subject among candidates (e.g. an agreement's)."""
    for pid in person_ids:
        if hmac.compare_digest(pairwise_subject(pid, sector).encode(), subject.encode()):
            return pid
    return None
