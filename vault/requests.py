"""Asynchronous access requests: a vendor asks while the person is away (UMA-style inbox).

The request body (purpose, categories, ...) speaks of the person and is sealed; the status is
plain so the inbox and the vendor's poll can find it: pending, approved, denied.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import audit, crypto
from .agreement_events import RequestDecided, RequestSubmitted
from .db import Backend, from_iso, iso
from .errors import NotFound
from .keystore import KeyStore
from .persons import locked_key

PENDING, APPROVED, DENIED = "pending", "approved", "denied"


@dataclass(frozen=True, kw_only=True)
class AccessRequest:
    """One request: who asked whom for what, what was answered, and the agreement made."""

    id: str
    person_id: str
    client_id: str
    status: str
    created_at: datetime
    decided_at: datetime | None
    grant_id: str | None
    body: dict[str, Any]


_SELECT = ("SELECT id, person_id, client_id, status, created_at, decided_at, grant_id, body "
           "FROM access_requests")


def _open(key: bytes, row: tuple) -> AccessRequest:
    rid, pid, cid, status, created, decided, gid, body = row
    return AccessRequest(id=rid, person_id=pid, client_id=cid, status=status,
                         created_at=from_iso(created),
                         decided_at=from_iso(decided) if decided else None, grant_id=gid,
                         body=crypto.open_json(key, body, pid, "access_requests", rid, "body"))


class Requests:
    """Submit, list, read and decide access requests; each step is in the person's log."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def submit(self, person_id: str, client_id: str, body: dict[str, Any], status: str,
               now: datetime, grant_id: str | None = None) -> AccessRequest:
        """Store a request with the status the terms gave at once (pending when asked)."""
        rid = str(uuid.uuid4())
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            sealed = crypto.seal_json(key, body, person_id, "access_requests", rid, "body")
            decided = None if status == PENDING else iso(now)
            tx.run("INSERT INTO access_requests (id, person_id, client_id, status, created_at, "
                   "decided_at, grant_id, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                   (rid, person_id, client_id, status, iso(now), decided, grant_id, sealed))
            audit.append(tx, person_id, key, RequestSubmitted(
                request_id=rid, client_id=client_id, purpose=body.get("purpose", ""),
                categories=list(body.get("categories", [])), status=status), now)
            return _open(key, tx.row(_SELECT + " WHERE id = ?", (rid,)))

    def get(self, request_id: str) -> AccessRequest:
        """One request; NotFound if none."""
        with self.db.read() as tx:
            row = tx.one(_SELECT + " WHERE id = ?", (request_id,))
            if row is None:
                raise NotFound("request", request_id)
            return _open(self.keys.data_key(tx, row[1]), row)

    def for_person(self, person_id: str, status: str | None = None) -> list[AccessRequest]:
        """The person's inbox, newest first, optionally by status."""
        sql, params = _SELECT + " WHERE person_id = ?", [person_id]
        if status:
            sql, params = sql + " AND status = ?", params + [status]
        with self.db.read() as tx:
            rows = tx.all(sql + " ORDER BY created_at DESC", params)
            if not rows:
                return []
            key = self.keys.data_key(tx, person_id)
            return [_open(key, r) for r in rows]

    def decide(self, request_id: str, status: str, now: datetime, *,
               grant_id: str | None = None, categories: list[str] | None = None) -> bool:
        """Answer a pending request; False if it was already answered (nothing changes)."""
        with self.db.write() as tx:
            row = tx.one("SELECT person_id, client_id FROM access_requests WHERE id = ?",
                         (request_id,))
            if row is None:
                raise NotFound("request", request_id)
            key = locked_key(tx, self.keys, row[0])
            changed = tx.run("UPDATE access_requests SET status = ?, decided_at = ?, grant_id = ? "
                             "WHERE id = ? AND status = ?",
                             (status, iso(now), grant_id, request_id, PENDING))
            if changed:
                audit.append(tx, row[0], key, RequestDecided(
                    request_id=request_id, client_id=row[1], decision=status,
                    categories=list(categories or [])), now)
            return changed == 1
