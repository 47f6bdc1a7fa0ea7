"""The server's signing keys (receipts, notifications): public JWK plain, private JWK sealed.

The private key is sealed with a server key from the key store, so it is as safe as the data
keys and is re-wrapped with them on master-key rotation. Retired keys stay published (their
public half) so old receipts still verify.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from . import crypto
from .db import Backend, iso
from .keystore import KeyStore

SERVER_KEY = "signing_keys"


@dataclass(frozen=True, kw_only=True)
class SigningKey:
    """One key pair as JWKs (dicts); `private` is None when only the public half is loaded."""

    kid: str
    public: dict
    private: dict | None
    retired: bool


class SigningKeys:
    """Add, find the active key, list the published ones, retire."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def _aad(self, kid: str) -> bytes:
        return crypto.slot_aad("server", "signing_keys", kid, "private_jwk")

    def add(self, kid: str, public: dict, private: dict, now: datetime) -> None:
        """Store a new key pair; it becomes the active one."""
        sealed = crypto.seal(self.keys.server_key(SERVER_KEY, now),
                             json.dumps(private).encode(), self._aad(kid))
        with self.db.write() as tx:
            tx.run("INSERT INTO signing_keys (kid, public_jwk, private_jwk, created_at) "
                   "VALUES (?, ?, ?, ?)", (kid, json.dumps(public), sealed, iso(now)))

    def active(self, now: datetime) -> SigningKey | None:
        """The newest key that is not retired, with its private half."""
        with self.db.read() as tx:
            row = tx.one("SELECT kid, public_jwk, private_jwk FROM signing_keys WHERE "
                         "retired_at IS NULL ORDER BY created_at DESC LIMIT 1")
        if row is None:
            return None
        private = json.loads(crypto.unseal(self.keys.server_key(SERVER_KEY, now), row[2],
                                           self._aad(row[0])))
        return SigningKey(kid=row[0], public=json.loads(row[1]), private=private, retired=False)

    def published(self) -> list[SigningKey]:
        """Every public key, newest first (the JWKS)."""
        with self.db.read() as tx:
            rows = tx.all("SELECT kid, public_jwk, retired_at FROM signing_keys "
                          "ORDER BY created_at DESC")
        return [SigningKey(kid=k, public=json.loads(p), private=None, retired=r is not None)
                for k, p, r in rows]

    def retire(self, kid: str, now: datetime) -> None:
        """Stop signing with a key; it stays in the JWKS for verification."""
        with self.db.write() as tx:
            tx.run("UPDATE signing_keys SET retired_at = ? WHERE kid = ?", (iso(now), kid))
