"""Pseudonyms one vendor sees: pairwise subjects for persons, handles for intents.

Pairwise subjects follow OpenID Connect Core section 8.1: sub = HMAC-SHA256(server key,
person id | sector), where the sector is the vendor's client id. Intent handles are made the
same way under a key of their own. Two vendors get unrelated values for the same person or
intent and cannot join their records on them; the same vendor always gets the same one. The
server keys never leave the key store, so nobody without them can link a pseudonym to an id.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable
from datetime import datetime

from . import crypto
from .keystore import KeyStore

SUBJECT_KEY = "pairwise_subject"
HANDLE_KEY = "intent_handle"
HANDLE_PREFIX = "int_"


def _pseudonym(key: bytes, value: str, sector: str) -> str:
    digest = crypto.mac(key, f"{value}|{sector}".encode())
    return base64.urlsafe_b64encode(digest[:24]).decode().rstrip("=")


class Pseudonyms:
    """Make and resolve per-vendor pseudonyms with the server keys of the key store."""

    def __init__(self, keys: KeyStore) -> None:
        self.keys = keys

    def subject(self, person_id: str, sector: str, now: datetime) -> str:
        """The person's identifier as one vendor (sector) sees it."""
        return _pseudonym(self.keys.server_key(SUBJECT_KEY, now), person_id, sector)

    def person_for(
        self, subject: str, sector: str, person_ids: Iterable[str], now: datetime
    ) -> str | None:
        """The person behind a vendor's subject among candidates (compared in constant time)."""
        key = self.keys.server_key(SUBJECT_KEY, now)
        for person_id in person_ids:
            if crypto.same(_pseudonym(key, person_id, sector).encode(), subject.encode()):
                return person_id
        return None

    def intent_handle(self, intent_id: str, sector: str, now: datetime) -> str:
        """The handle under which one vendor sees an intent (no intent or person id leaks)."""
        key = self.keys.server_key(HANDLE_KEY, now)
        return HANDLE_PREFIX + _pseudonym(key, intent_id, sector)
