"""Offers: a vendor's answer to one of a person's intents, and what the butler made of it.

The offer itself (text, price, currency, category, validity, the vendor's profile as it was
when it offered) and the decision with its reasons are sealed under the person's key; only
what queries need stays plain: status, intent id, person id, client id and the time it came.
Status: `received` (waiting for the butler), `delivered` or `filtered`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import audit, crypto
from .agreement_events import OfferDecided, OfferReceived
from .db import Backend, Tx, from_iso, iso
from .errors import NotFound
from .keystore import KeyStore
from .persons import locked_key

RECEIVED, DELIVERED, FILTERED = "received", "delivered", "filtered"
STATUSES = (RECEIVED, DELIVERED, FILTERED)


@dataclass(frozen=True, kw_only=True)
class Offer:
    """One offer; `body` holds the offer and, once decided, `decision` with its reasons."""

    id: str
    person_id: str
    intent_id: str
    client_id: str
    status: str
    created_at: datetime
    body: dict[str, Any]

    @property
    def decision(self) -> dict[str, Any] | None:
        return self.body.get("decision")


_SELECT = "SELECT id, person_id, intent_id, client_id, status, created_at, body FROM offers"


def _open(key: bytes | crypto.Sealer, row: tuple) -> Offer:
    oid, pid, iid, cid, status, created, body = row
    return Offer(id=oid, person_id=pid, intent_id=iid, client_id=cid, status=status,
                 created_at=from_iso(created),
                 body=crypto.open_json(key, body, pid, "offers", oid, "body"))


class Offers:
    """Receive, list and decide offers; each step lands in the person's log."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def visible_intents(self) -> list[tuple[str, str]]:
        """(intent id, person id) of every shown, active intent (the `intents_visible` index)."""
        with self.db.read() as tx:
            return [(r[0], r[1]) for r in tx.all(
                "SELECT id, person_id FROM intents WHERE visibility = ? AND status = ?",
                ("shown", "active"))]

    def receive(self, person_id: str, intent_id: str, client_id: str, body: dict[str, Any],
                now: datetime) -> Offer:
        """Store a new offer as `received`, waiting for the butler, and log OfferReceived."""
        oid = str(uuid.uuid4())
        status = RECEIVED
        body = {**body, "decision": None}
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            sealed = crypto.seal_json(key, body, person_id, "offers", oid, "body")
            tx.run("INSERT INTO offers (id, person_id, intent_id, client_id, status, created_at, "
                   "body) VALUES (?, ?, ?, ?, ?, ?, ?)",
                   (oid, person_id, intent_id, client_id, status, iso(now), sealed))
            audit.append(tx, person_id, key, OfferReceived(
                offer_id=oid, intent_id=intent_id, client_id=client_id, status=status), now)
            return _open(key, tx.row(_SELECT + " WHERE id = ?", (oid,)))

    def get(self, offer_id: str) -> Offer:
        """One offer; NotFound if none."""
        with self.db.read() as tx:
            row = tx.one(_SELECT + " WHERE id = ?", (offer_id,))
            if row is None:
                raise NotFound("offer", offer_id)
            return _open(self.keys.data_key(tx, row[1]), row)

    def for_person(self, person_id: str, status: str | None = None) -> list[Offer]:
        """The person's offers, newest first, optionally of one status."""
        sql, params = _SELECT + " WHERE person_id = ?", [person_id]
        if status:
            sql, params = sql + " AND status = ?", params + [status]
        with self.db.read() as tx:
            rows = tx.all(sql + " ORDER BY created_at DESC, id", params)
            if not rows:
                return []
            key = crypto.Sealer(self.keys.data_key(tx, person_id))
            return [_open(key, r) for r in rows]

    def for_client(self, client_id: str) -> list[Offer]:
        """Every offer one vendor sent, newest first (each person's key opened in turn)."""
        with self.db.read() as tx:
            rows = tx.all(_SELECT + " WHERE client_id = ? ORDER BY created_at DESC, id",
                          (client_id,))
            return [_open(self.keys.data_key(tx, r[1]), r) for r in rows]

    def decide(self, offer_id: str, decision: dict[str, Any], now: datetime) -> Offer:
        """Record a decision (`action` deliver or filter, reasons, who) and log OfferDecided.

        A later decision replaces an earlier one (the person's override); the earlier one is
        kept in `history` so the person can see what the butler had said.
        """
        with self.db.write() as tx:
            row = tx.one("SELECT person_id FROM offers WHERE id = ?", (offer_id,))
            if row is None:
                raise NotFound("offer", offer_id)
            key = locked_key(tx, self.keys, row[0])
            offer = _load(tx, key, offer_id)
            history = list(offer.body.get("history", []))
            if offer.decision:
                history.append(offer.decision)
            body = {**offer.body, "decision": {**decision, "at": iso(now)}, "history": history}
            status = _status(decision["action"])
            tx.run("UPDATE offers SET status = ?, body = ? WHERE id = ?",
                   (status, crypto.seal_json(key, body, offer.person_id, "offers", offer_id,
                                             "body"), offer_id))
            audit.append(tx, offer.person_id, key,
                         OfferDecided(offer_id=offer_id, decision=status), now)
            return _load(tx, key, offer_id)


def _load(tx: Tx, key: bytes, offer_id: str) -> Offer:
    return _open(key, tx.row(_SELECT + " WHERE id = ?", (offer_id,)))


def _status(action: str) -> str:
    if action not in ("deliver", "filter"):
        raise ValueError(f"unknown offer action {action!r}")
    return DELIVERED if action == "deliver" else FILTERED
