"""Emailed single-use links (verify the address, reset the password): the raw token goes into
the email, only its SHA-256 is stored, so a stolen database opens no link. A link is for one
purpose, expires, and is spent by the first use (one UPDATE, so two clicks cannot both win).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from . import crypto
from .db import Backend, iso

TOKEN_BYTES = 32
PURPOSES = ("verify", "reset")

SCHEMA: list[str] = [
    """CREATE TABLE mail_links (
        token_hash TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
        purpose TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        used_at TEXT
    )""",
    "CREATE INDEX mail_links_person ON mail_links(person_id, purpose)",
    "ALTER TABLE persons ADD COLUMN email_verified_at TEXT",
]


def _hash(token: str) -> str:
    return crypto.sha256_hex(token.encode("utf-8", "surrogatepass"))


class Links:
    """Issue, look at, spend and void single-use links; mark an address verified."""

    def __init__(self, db: Backend) -> None:
        self.db = db

    def issue(self, person_id: str, purpose: str, now: datetime, lifetime: timedelta) -> str:
        """A new link token (shown once, in the email); earlier open links of the same purpose
        are voided, so only the newest email works."""
        if purpose not in PURPOSES:
            raise ValueError(purpose)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        with self.db.write() as tx:
            self._void(tx, person_id, purpose, now)
            tx.run("INSERT INTO mail_links (token_hash, person_id, purpose, created_at, "
                   "expires_at) VALUES (?, ?, ?, ?, ?)",
                   (_hash(token), person_id, purpose, iso(now), iso(now + lifetime)))
        return token

    def person_for(self, token: str, purpose: str, now: datetime) -> str | None:
        """The person of a live, unused link (to show its page), else None."""
        with self.db.read() as tx:
            row = tx.one("SELECT person_id FROM mail_links WHERE token_hash = ? AND purpose = ? "
                         "AND used_at IS NULL AND expires_at > ?",
                         (_hash(token), purpose, iso(now)))
        return row[0] if row else None

    def spend(self, token: str, purpose: str, now: datetime) -> str | None:
        """Use a link once: its person, or None if unknown, used, expired or for another
        purpose (joins the caller's transaction, so the change it allows is in the same step)."""
        with self.db.write() as tx:
            row = tx.one("SELECT person_id FROM mail_links WHERE token_hash = ? AND purpose = ? "
                         "AND used_at IS NULL AND expires_at > ?",
                         (_hash(token), purpose, iso(now)))
            if row is None:
                return None
            spent = tx.run("UPDATE mail_links SET used_at = ? WHERE token_hash = ? "
                           "AND used_at IS NULL", (iso(now), _hash(token)))
        return row[0] if spent == 1 else None

    def void(self, person_id: str, purpose: str, now: datetime) -> None:
        """End every open link of one purpose (the address changed; the password was reset)."""
        with self.db.write() as tx:
            self._void(tx, person_id, purpose, now)

    @staticmethod
    def _void(tx, person_id: str, purpose: str, now: datetime) -> None:
        tx.run("UPDATE mail_links SET used_at = ? WHERE person_id = ? AND purpose = ? "
               "AND used_at IS NULL", (iso(now), person_id, purpose))

    def prune(self, now: datetime) -> int:
        """Drop used and expired links (the jobs): they open nothing, so they are not kept."""
        with self.db.write() as tx:
            return tx.run("DELETE FROM mail_links WHERE used_at IS NOT NULL OR expires_at <= ?",
                          (iso(now),))

    def set_verified(self, person_id: str, now: datetime | None) -> None:
        """Mark the address verified (None: not verified, after a change)."""
        with self.db.write() as tx:
            tx.run("UPDATE persons SET email_verified_at = ? WHERE id = ?",
                   (iso(now) if now else None, person_id))

    def verified_at(self, person_id: str) -> str | None:
        with self.db.read() as tx:
            row = tx.one("SELECT email_verified_at FROM persons WHERE id = ?", (person_id,))
        return row[0] if row else None
