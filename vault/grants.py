"""Agreements (grants): what a vendor may have of a person, for what, how long, and how decided.

What the agreement covers is sealed (it names the person's data and choices); status and times
are plain so the server can find live agreements. Ending an agreement revokes every token of it
in the same transaction, so no request with those tokens succeeds once the end is committed.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import audit, crypto
from .agreement_events import GrantChanged
from .db import Backend, Tx, from_iso, iso
from .errors import NotFound
from .keystore import KeyStore
from .persons import locked_key

ACTIVE = "active"
TOUCH_EVERY = timedelta(minutes=1)
ENDINGS = ("revoked", "expired", "cut", "replaced", "refused")


@dataclass(frozen=True, kw_only=True)
class Grant:
    """One agreement between a person and a vendor."""

    id: str
    person_id: str
    client_id: str
    status: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    last_used_at: datetime | None
    purpose: str
    categories: tuple[str, ...]
    retention_days: int | None
    third_party_sharing: bool
    recipients: tuple[str, ...]
    terms_version: int
    decided_by: str
    end_reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def live(self, now: datetime) -> bool:
        """Active and not past its expiry."""
        return self.status == ACTIVE and now < self.expires_at


_SELECT = (
    "SELECT id, person_id, client_id, status, created_at, expires_at, ended_at, "
    "last_used_at, body FROM grants"
)
_BODY = (
    "purpose",
    "categories",
    "retention_days",
    "third_party_sharing",
    "recipients",
    "terms_version",
    "decided_by",
    "end_reason",
    "extra",
)


def _open(key: bytes | crypto.Sealer, row: tuple) -> Grant:
    gid, pid, cid, status, created, expires, ended, used, body = row
    data = crypto.open_json(key, body, pid, "grants", gid, "body")
    return Grant(
        id=gid,
        person_id=pid,
        client_id=cid,
        status=status,
        created_at=from_iso(created),
        expires_at=from_iso(expires),
        ended_at=from_iso(ended) if ended else None,
        last_used_at=from_iso(used) if used else None,
        purpose=data["purpose"],
        categories=tuple(data["categories"]),
        retention_days=data.get("retention_days"),
        third_party_sharing=bool(data.get("third_party_sharing")),
        recipients=tuple(data.get("recipients", ())),
        terms_version=data["terms_version"],
        decided_by=data["decided_by"],
        end_reason=data.get("end_reason"),
        extra=data.get("extra", {}),
    )


class Grants:
    """Create, read, list and end agreements; each change is logged for the person."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def create(
        self,
        person_id: str,
        client_id: str,
        terms: dict[str, Any],
        *,
        expires_at: datetime,
        now: datetime,
    ) -> Grant:
        """Store an agreement; `terms` holds purpose, categories, retention, sharing, ..."""
        grant_id = str(uuid.uuid4())
        body: dict[str, Any] = {k: terms.get(k) for k in _BODY}
        body["categories"] = list(body["categories"] or [])
        body["recipients"] = list(body["recipients"] or [])
        body["extra"] = body["extra"] or {}
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            sealed = crypto.seal_json(key, body, person_id, "grants", grant_id, "body")
            tx.run(
                "INSERT INTO grants (id, person_id, client_id, status, created_at, expires_at, "
                "body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (grant_id, person_id, client_id, ACTIVE, iso(now), iso(expires_at), sealed),
            )
            audit.append(
                tx,
                person_id,
                key,
                GrantChanged(
                    grant_id=grant_id,
                    client_id=client_id,
                    change="created",
                    purpose=body["purpose"],
                    categories=body["categories"],
                    decided_by=body["decided_by"] or "",
                    expires_at=iso(expires_at),
                ),
                now,
            )
            return _open(key, tx.row(_SELECT + " WHERE id = ?", (grant_id,)))

    def load(self, tx: Tx, grant_id: str) -> Grant | None:
        """Read one agreement inside the caller's transaction."""
        row = tx.one(_SELECT + " WHERE id = ?", (grant_id,))
        if row is None:
            return None
        return _open(self.keys.data_key(tx, row[1]), row)

    def get(self, grant_id: str) -> Grant:
        """One agreement; NotFound if there is none."""
        with self.db.read() as tx:
            grant = self.load(tx, grant_id)
        if grant is None:
            raise NotFound("grant", grant_id)
        return grant

    def for_person(self, person_id: str) -> list[Grant]:
        """Every agreement of a person, newest first."""
        with self.db.read() as tx:
            rows = tx.all(_SELECT + " WHERE person_id = ? ORDER BY created_at DESC", (person_id,))
            if not rows:
                return []
            key = self.keys.data_key(tx, person_id)
            return [_open(key, r) for r in rows]

    def for_client(self, client_id: str) -> list[Grant]:
        """Every agreement a vendor holds, newest first (persons' keys opened one by one)."""
        with self.db.read() as tx:
            rows = tx.all(_SELECT + " WHERE client_id = ? ORDER BY created_at DESC", (client_id,))
            return [_open(self.keys.data_key(tx, r[1]), r) for r in rows]

    def touch(self, tx: Tx, grant: Grant, now: datetime) -> None:
        """Note the last use (shown on the person's connections page), at most once every
        `TOUCH_EVERY`: the log holds every read; this is the page's rough "last used"."""
        if grant.last_used_at is None or now - grant.last_used_at >= TOUCH_EVERY:
            tx.send("UPDATE grants SET last_used_at = ? WHERE id = ?", (iso(now), grant.id))

    def end(self, grant_id: str, reason: str, now: datetime) -> Grant | None:
        """End a live agreement and revoke its tokens at once; None if it had already ended."""
        with self.db.write() as tx:
            row = tx.one("SELECT person_id FROM grants WHERE id = ?", (grant_id,))
            if row is None:
                raise NotFound("grant", grant_id)
            key = locked_key(tx, self.keys, row[0])
            grant = _open(key, tx.row(_SELECT + " WHERE id = ?", (grant_id,)))
            if grant.status != ACTIVE:
                return None
            body = {k: getattr(grant, k) for k in _BODY} | {"end_reason": reason}
            body["categories"], body["recipients"] = list(grant.categories), list(grant.recipients)
            status = reason if reason in ENDINGS else "revoked"
            tx.run(
                "UPDATE grants SET status = ?, ended_at = ?, body = ? WHERE id = ?",
                (
                    status,
                    iso(now),
                    crypto.seal_json(key, body, grant.person_id, "grants", grant_id, "body"),
                    grant_id,
                ),
            )
            tx.run(
                "UPDATE tokens SET revoked_at = ? WHERE grant_id = ? AND revoked_at IS NULL",
                (iso(now), grant_id),
            )
            audit.append(
                tx,
                grant.person_id,
                key,
                GrantChanged(
                    grant_id=grant_id,
                    client_id=grant.client_id,
                    change=status,
                    purpose=grant.purpose,
                    categories=list(grant.categories),
                    decided_by=grant.decided_by,
                    expires_at=iso(grant.expires_at),
                ),
                now,
            )
            return _open(key, tx.row(_SELECT + " WHERE id = ?", (grant_id,)))

    def due_to_expire(self, now: datetime) -> list[str]:
        """Ids of active agreements past their expiry (ended by a periodic sweep)."""
        with self.db.read() as tx:
            return [
                r[0]
                for r in tx.all(
                    "SELECT id FROM grants WHERE status = ? AND expires_at <= ?", (ACTIVE, iso(now))
                )
            ]
