"""Sign-in sessions: the raw token goes to the browser, only its SHA-256 is stored.

A stolen database therefore holds no usable session; ending a session or all of them
takes effect on the next request, because every request looks the hash up.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from . import audit, crypto
from .db import Backend, iso
from .events import SessionsEnded, SignedIn, SignedOut
from .keystore import KeyStore
from .persons import locked_key

TOKEN_BYTES = 32


def _hash(token: str) -> str:
    return crypto.sha256_hex(token.encode())


class Sessions:
    """Open, look up and end sign-in sessions; opening and ending are in the person's log."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def create(
        self, person_id: str, now: datetime, lifetime: timedelta, event: SignedIn | None = None
    ) -> str:
        """Open a session, log SignedIn, and return the raw token (shown once, never stored)."""
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            tx.run(
                "INSERT INTO sessions (token_hash, person_id, created_at, expires_at) "
                "VALUES (?, ?, ?, ?)",
                (_hash(token), person_id, iso(now), iso(now + lifetime)),
            )
            audit.append(tx, person_id, key, event or SignedIn(), now)
        return token

    def person_for(self, token: str, now: datetime) -> str | None:
        """The person a live token belongs to, or None if unknown, ended or expired."""
        if not token:
            return None
        with self.db.read() as tx:
            row = tx.one(
                "SELECT person_id FROM sessions WHERE token_hash = ? AND ended_at IS NULL "
                "AND expires_at > ?",
                (_hash(token), iso(now)),
            )
        return row[0] if row else None

    def end(self, token: str, now: datetime) -> bool:
        """Sign out one session (and log it); False if it was not live."""
        with self.db.write() as tx:
            row = tx.one(
                "SELECT person_id FROM sessions WHERE token_hash = ? AND ended_at IS NULL",
                (_hash(token),),
            )
            if row is None:
                return False
            key = locked_key(tx, self.keys, row[0])
            tx.run(
                "UPDATE sessions SET ended_at = ? WHERE token_hash = ?", (iso(now), _hash(token))
            )
            audit.append(tx, row[0], key, SignedOut(), now)
        return True

    def end_all(self, person_id: str, now: datetime) -> int:
        """Sign out everywhere: end every live session of the person; returns how many."""
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            count = tx.run(
                "UPDATE sessions SET ended_at = ? WHERE person_id = ? AND ended_at IS NULL",
                (iso(now), person_id),
            )
            audit.append(tx, person_id, key, SessionsEnded(count=count), now)
        return count

    def list_for(self, person_id: str) -> list[dict[str, str | None]]:
        """Session times for the export (never the hashes)."""
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT created_at, expires_at, ended_at FROM sessions WHERE person_id = ? "
                "ORDER BY created_at",
                (person_id,),
            )
        return [{"created_at": c, "expires_at": e, "ended_at": x} for c, e, x in rows]
