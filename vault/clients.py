"""Vendors as OAuth clients: metadata (RFC 7591) in plain JSON, the secret as SHA-256 only.

A vendor's profile speaks of the vendor, not of a person, so it is not sealed. The client id is
random and chosen here (RFC 7591 section 3.2.1: the server issues it); the secret is shown once.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import crypto
from .db import Backend, from_iso, iso
from .errors import NotFound


@dataclass(frozen=True, kw_only=True)
class Client:
    """A registered vendor (or butler): id, whether it has a secret, and its metadata."""

    client_id: str
    secret_hash: str | None
    metadata: dict[str, Any]
    created_at: datetime
    disabled: bool = False

    @property
    def public(self) -> bool:
        """Public clients (no secret) must use PKCE and cannot use client credentials."""
        return self.secret_hash is None

    def check_secret(self, secret: str) -> bool:
        """Constant-time comparison of the secret's SHA-256 with the stored one."""
        if self.secret_hash is None or not secret:
            return False
        return crypto.same(crypto.sha256_hex(secret.encode()).encode(), self.secret_hash.encode())


def _row(row: tuple) -> Client:
    cid, secret_hash, metadata, created, disabled = row
    return Client(
        client_id=cid,
        secret_hash=secret_hash,
        metadata=json.loads(metadata),
        created_at=from_iso(created),
        disabled=disabled is not None,
    )


_SELECT = "SELECT client_id, secret_hash, metadata, created_at, disabled_at FROM oauth_clients"


class Clients:
    """Register, find and disable clients."""

    def __init__(self, db: Backend) -> None:
        self.db = db

    def register(
        self, metadata: dict[str, Any], now: datetime, *, confidential: bool
    ) -> tuple[Client, str | None]:
        """Store validated metadata; returns the client and the raw secret (None if public)."""
        client_id = "cus_" + secrets.token_urlsafe(18)
        secret = secrets.token_urlsafe(32) if confidential else None
        secret_hash = crypto.sha256_hex(secret.encode()) if secret else None
        with self.db.write() as tx:
            tx.run(
                "INSERT INTO oauth_clients (client_id, secret_hash, metadata, created_at, "
                "client_name) VALUES (?, ?, ?, ?, ?)",
                (client_id, secret_hash, json.dumps(metadata, sort_keys=True), iso(now),
                 metadata.get("client_name")),
            )
        return Client(
            client_id=client_id, secret_hash=secret_hash, metadata=metadata, created_at=now
        ), secret

    def find(self, client_id: str) -> Client | None:
        """The client, or None when unknown or disabled."""
        with self.db.read() as tx:
            row = tx.one(_SELECT + " WHERE client_id = ?", (client_id,))
        client = _row(row) if row else None
        return client if client and not client.disabled else None

    def get(self, client_id: str) -> Client:
        """The client even if disabled; NotFound if it never existed."""
        with self.db.read() as tx:
            row = tx.one(_SELECT + " WHERE client_id = ?", (client_id,))
        if row is None:
            raise NotFound("client", client_id)
        return _row(row)

    def names(self) -> dict[str, str]:
        """Every client's display name by id, without reading any metadata (person pages)."""
        with self.db.read() as tx:
            rows = tx.all("SELECT client_id, client_name FROM oauth_clients")
        return {cid: name or cid for cid, name in rows}

    def all(self) -> list[Client]:
        """Every client, oldest first (operator listing)."""
        with self.db.read() as tx:
            return [_row(r) for r in tx.all(_SELECT + " ORDER BY created_at")]

    def update_metadata(self, client_id: str, metadata: dict[str, Any]) -> None:
        """Replace metadata, e.g. when the operator verifies a vendor's certifications."""
        with self.db.write() as tx:
            if not tx.run(
                "UPDATE oauth_clients SET metadata = ?, client_name = ? WHERE client_id = ?",
                (json.dumps(metadata, sort_keys=True), metadata.get("client_name"), client_id),
            ):
                raise NotFound("client", client_id)

    def disable(self, client_id: str, now: datetime) -> None:
        """Stop a client from authenticating; its tokens stop working at once."""
        with self.db.write() as tx:
            tx.run(
                "UPDATE oauth_clients SET disabled_at = ? WHERE client_id = ?",
                (iso(now), client_id),
            )
