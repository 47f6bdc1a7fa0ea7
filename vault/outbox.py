"""The outbox: notices to vendors, written in the same transaction as the change they report,
then delivered and retried with backoff until acknowledged, so none is lost across a restart.

A notice holds only what the vendor may know (its agreement id, its pairwise subject, the
reason), signed by `api/`; no personal value, so it is stored as given.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from .db import Backend, from_iso, iso

MAX_BACKOFF = timedelta(hours=6)


@dataclass(frozen=True, kw_only=True)
class Notice:
    """One notice waiting for (or past) delivery."""

    id: str
    client_id: str
    url: str
    body: str
    created_at: datetime
    attempts: int
    next_at: datetime
    delivered_at: datetime | None
    last_error: str | None


_SELECT = ("SELECT id, client_id, url, body, created_at, attempts, next_at, delivered_at, "
           "last_error FROM outbox")


def _notice(row: tuple) -> Notice:
    nid, cid, url, body, created, attempts, next_at, delivered, error = row
    return Notice(id=nid, client_id=cid, url=url, body=body, created_at=from_iso(created),
                  attempts=attempts, next_at=from_iso(next_at),
                  delivered_at=from_iso(delivered) if delivered else None, last_error=error)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... capped at six hours."""
    return min(timedelta(seconds=30 * 2 ** max(0, attempts - 1)), MAX_BACKOFF)


class Outbox:
    """Add notices, find the due ones, record each attempt."""

    def __init__(self, db: Backend) -> None:
        self.db = db

    def add(self, client_id: str, url: str, body: str, now: datetime) -> str:
        """Queue a notice (joins the caller's transaction when there is one)."""
        nid = str(uuid.uuid4())
        with self.db.write() as tx:
            tx.run("INSERT INTO outbox (id, client_id, url, body, created_at, next_at) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (nid, client_id, url, body, iso(now), iso(now)))
        return nid

    def due(self, now: datetime, limit: int = 100) -> list[Notice]:
        """Undelivered notices whose next attempt is due, oldest first."""
        with self.db.read() as tx:
            return [_notice(r) for r in tx.all(
                _SELECT + " WHERE delivered_at IS NULL AND next_at <= ? ORDER BY next_at LIMIT ?",
                (iso(now), limit))]

    def for_client(self, client_id: str) -> list[Notice]:
        """Every notice of one vendor, newest first."""
        with self.db.read() as tx:
            return [_notice(r) for r in tx.all(
                _SELECT + " WHERE client_id = ? ORDER BY created_at DESC", (client_id,))]

    def delivered(self, notice_id: str, now: datetime) -> None:
        with self.db.write() as tx:
            tx.run("UPDATE outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?",
                   (iso(now), notice_id))

    def failed(self, notice_id: str, error: str, now: datetime) -> None:
        """Record a failed attempt and schedule the next one with backoff."""
        with self.db.write() as tx:
            row = tx.one("SELECT attempts FROM outbox WHERE id = ?", (notice_id,))
            attempts = (row[0] if row else 0) + 1
            tx.run("UPDATE outbox SET attempts = ?, next_at = ?, last_error = ? WHERE id = ?",
                   (attempts, iso(now + backoff(attempts)), error[:200], notice_id))
