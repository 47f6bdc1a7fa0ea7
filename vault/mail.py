"""Email to the person: the mail outbox, the daily digest's waiting items and the person's
choices, each sealed under the person's data key (an address and what happened are about her).

A message is queued in the transaction of the change it reports and sent later by `api/`'s
jobs, retried with backoff, so a failing SMTP server never breaks a request. Deleting the
person destroys the key first, so queued mail becomes unreadable, then the rows go with her
(ON DELETE CASCADE).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import crypto
from .db import Backend, from_iso, iso
from .errors import NotFound
from .keystore import KeyStore
from .outbox import backoff
from .persons import locked_key

#: a message that failed this often is given up and dropped (about two days of backoff)
MAX_ATTEMPTS = 12
UNSUBSCRIBE_KEY = "mail-unsubscribe"

SCHEMA: list[str] = [
    """CREATE TABLE mail_outbox (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
        body {blob} NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_at TEXT NOT NULL,
        last_error TEXT
    )""",
    "CREATE INDEX mail_outbox_due ON mail_outbox(next_at)",
    """CREATE TABLE mail_prefs (
        person_id TEXT PRIMARY KEY REFERENCES persons(id) ON DELETE CASCADE,
        body {blob} NOT NULL,
        updated_at TEXT NOT NULL
    )""",
    """CREATE TABLE mail_digest (
        id TEXT PRIMARY KEY,
        person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
        body {blob} NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE INDEX mail_digest_person ON mail_digest(person_id, created_at)",
]


@dataclass(frozen=True, kw_only=True)
class Mail:
    """One queued message, opened: `message` holds to, subject, text (and headers)."""

    id: str
    person_id: str
    message: dict[str, Any]
    attempts: int


class MailStore:
    """Queue, find due, mark sent or failed; the person's choices; the digest's items."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def queue(self, person_id: str, message: dict[str, Any], now: datetime) -> str:
        """Seal and queue one message (joins the caller's transaction)."""
        mid = str(uuid.uuid4())
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            body = crypto.seal_json(key, message, person_id, "mail_outbox", mid, "body")
            tx.run("INSERT INTO mail_outbox (id, person_id, body, created_at, next_at) "
                   "VALUES (?, ?, ?, ?, ?)", (mid, person_id, body, iso(now), iso(now)))
        return mid

    def due(self, now: datetime, limit: int = 100) -> list[Mail]:
        """Messages whose next attempt is due, oldest first (sent ones are gone)."""
        found = []
        with self.db.read() as tx:
            rows = tx.all("SELECT id, person_id, body, attempts FROM mail_outbox "
                          "WHERE attempts < ? AND next_at <= ? ORDER BY next_at LIMIT ?",
                          (MAX_ATTEMPTS, iso(now), limit))
            for mid, person_id, body, attempts in rows:
                try:
                    key = self.keys.data_key(tx, person_id)
                except NotFound:  # shredded meanwhile: nothing left to send
                    continue
                message = crypto.open_json(key, body, person_id, "mail_outbox", mid, "body")
                found.append(Mail(id=mid, person_id=person_id, message=message,
                                  attempts=attempts))
        return found

    def sent(self, mail_id: str, now: datetime) -> None:
        """Sent: the message is dropped (nothing about the person is kept longer than needed)."""
        with self.db.write() as tx:
            tx.run("DELETE FROM mail_outbox WHERE id = ?", (mail_id,))

    def failed(self, mail_id: str, error: str, now: datetime) -> None:
        """Record a failed attempt (the error names a type, never an address) and back off;
        the last allowed failure drops the message."""
        with self.db.write() as tx:
            row = tx.one("SELECT attempts FROM mail_outbox WHERE id = ?", (mail_id,))
            attempts = (row[0] if row else 0) + 1
            if attempts >= MAX_ATTEMPTS:
                tx.run("DELETE FROM mail_outbox WHERE id = ?", (mail_id,))
                return
            tx.run("UPDATE mail_outbox SET attempts = ?, next_at = ?, last_error = ? "
                   "WHERE id = ?", (attempts, iso(now + backoff(attempts)), error[:200], mail_id))

    def waiting(self) -> int:
        """How many messages are not sent yet (the operator's view; no content)."""
        with self.db.read() as tx:
            row = tx.one("SELECT COUNT(*) FROM mail_outbox")
        return int(row[0]) if row else 0

    # the person's choices
    def prefs(self, person_id: str) -> dict[str, Any] | None:
        """The stored choices, or None when the person never chose (defaults apply)."""
        with self.db.read() as tx:
            row = tx.one("SELECT body FROM mail_prefs WHERE person_id = ?", (person_id,))
            if row is None:
                return None
            key = self.keys.data_key(tx, person_id)
            return crypto.open_json(key, row[0], person_id, "mail_prefs", person_id, "body")

    def set_prefs(self, person_id: str, prefs: dict[str, Any], now: datetime) -> None:
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            body = crypto.seal_json(key, prefs, person_id, "mail_prefs", person_id, "body")
            tx.run("INSERT INTO mail_prefs (person_id, body, updated_at) VALUES (?, ?, ?) "
                   "ON CONFLICT (person_id) DO UPDATE SET body = excluded.body, "
                   "updated_at = excluded.updated_at", (person_id, body, iso(now)))

    # the daily digest
    def add_to_digest(self, person_id: str, item: dict[str, Any], now: datetime) -> str:
        iid = str(uuid.uuid4())
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            body = crypto.seal_json(key, item, person_id, "mail_digest", iid, "body")
            tx.run("INSERT INTO mail_digest (id, person_id, body, created_at) "
                   "VALUES (?, ?, ?, ?)", (iid, person_id, body, iso(now)))
        return iid

    def digest_persons(self, before: datetime) -> list[str]:
        """Persons with an item waiting since before `before` (the start of today, UTC)."""
        with self.db.read() as tx:
            return [r[0] for r in tx.all("SELECT DISTINCT person_id FROM mail_digest "
                                         "WHERE created_at < ? ORDER BY person_id",
                                         (iso(before),))]

    def take_digest(self, person_id: str, before: datetime) -> list[tuple[datetime, dict]]:
        """Remove and return the person's items older than `before` (oldest first); call it
        in the transaction that queues the digest, so an item is mailed once."""
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            rows = tx.all("SELECT id, body, created_at FROM mail_digest WHERE person_id = ? "
                          "AND created_at < ? ORDER BY created_at", (person_id, iso(before)))
            tx.run("DELETE FROM mail_digest WHERE person_id = ? AND created_at < ?",
                   (person_id, iso(before)))
        return [(from_iso(at), crypto.open_json(key, body, person_id, "mail_digest", iid, "body"))
                for iid, body, at in rows]

    def unsubscribe_mac(self, person_id: str, kind: str, now: datetime) -> bytes:
        """The MAC of an unsubscribe link: bound to one person and one kind of email, under a
        server key that never leaves the key store."""
        key = self.keys.server_key(UNSUBSCRIBE_KEY, now)
        return crypto.mac(key, f"unsubscribe|{person_id}|{kind}".encode())
