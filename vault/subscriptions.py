"""Vendors' subscriptions to new intents (intentcast): which categories and regions a vendor
wants to hear of. About the vendor, not about any person, so kept as plain JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from .db import Backend, from_iso, iso

SCHEMA = [
    """CREATE TABLE intent_subscriptions (
        client_id TEXT PRIMARY KEY REFERENCES oauth_clients(client_id) ON DELETE CASCADE,
        categories TEXT NOT NULL,
        regions TEXT NOT NULL,
        updated_at TEXT NOT NULL
    )""",
]


@dataclass(frozen=True, kw_only=True)
class Subscription:
    """Intent categories (a category covers its narrower ones) and regions (none: any)."""

    client_id: str
    categories: tuple[str, ...]
    regions: tuple[str, ...]
    updated_at: datetime

    def as_dict(self) -> dict:
        return {"categories": list(self.categories), "regions": list(self.regions),
                "updated_at": self.updated_at.isoformat()}


def _row(row: tuple) -> Subscription:
    cid, cats, regions, updated = row
    return Subscription(client_id=cid, categories=tuple(json.loads(cats)),
                        regions=tuple(json.loads(regions)), updated_at=from_iso(updated))


_SELECT = "SELECT client_id, categories, regions, updated_at FROM intent_subscriptions"


class Subscriptions:
    """One subscription per vendor: set, read, drop, and list them all for matching."""

    def __init__(self, db: Backend) -> None:
        self.db = db

    def put(self, client_id: str, categories: list[str], regions: list[str],
            now: datetime) -> Subscription:
        """Replace the vendor's subscription."""
        with self.db.write() as tx:
            tx.run("DELETE FROM intent_subscriptions WHERE client_id = ?", (client_id,))
            tx.run("INSERT INTO intent_subscriptions (client_id, categories, regions, "
                   "updated_at) VALUES (?, ?, ?, ?)",
                   (client_id, json.dumps(categories), json.dumps(regions), iso(now)))
            row = tx.one(_SELECT + " WHERE client_id = ?", (client_id,))
        assert row is not None  # just written, in this transaction
        return _row(row)

    def get(self, client_id: str) -> Subscription | None:
        with self.db.read() as tx:
            row = tx.one(_SELECT + " WHERE client_id = ?", (client_id,))
        return _row(row) if row else None

    def drop(self, client_id: str) -> bool:
        """Remove the vendor's subscription; whether there was one."""
        with self.db.write() as tx:
            found = tx.one("SELECT 1 FROM intent_subscriptions WHERE client_id = ?",
                           (client_id,))
            tx.run("DELETE FROM intent_subscriptions WHERE client_id = ?", (client_id,))
        return found is not None

    def all(self) -> list[Subscription]:
        with self.db.read() as tx:
            return [_row(r) for r in tx.all(_SELECT + " ORDER BY client_id")]
