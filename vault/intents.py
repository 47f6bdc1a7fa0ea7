"""Intents: what a person wants to buy, sealed in one blob; status and visibility stay plain.

`status` and `visibility` are plain columns so vendors' intent searches can filter
without opening every blob; they are coarse states, not personal data.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import audit, crypto
from .db import Backend, Tx, from_iso, iso
from .errors import NotFound
from .events import IntentAdded, IntentChanged
from .keystore import KeyStore
from .persons import locked_key

DEFAULT_STATUS = "active"
DEFAULT_VISIBILITY = "hidden"


@dataclass(frozen=True, kw_only=True)
class Intent:
    """One intent; `data` is the validated dict `api/` gave (what, budget, window, ...)."""

    id: str
    person_id: str
    status: str
    visibility: str
    data: dict[str, Any]
    created_at: datetime
    updated_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form, used by the export."""
        return {
            "id": self.id,
            "status": self.status,
            "visibility": self.visibility,
            "data": self.data,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        }


_SELECT = "SELECT id, person_id, status, visibility, body, created_at, updated_at FROM intents"


def _open(key: bytes | crypto.Sealer, row: tuple) -> Intent:
    iid, pid, status, visibility, body, created, updated = row
    return Intent(
        id=iid,
        person_id=pid,
        status=status,
        visibility=visibility,
        data=crypto.open_json(key, body, pid, "intents", iid, "body"),
        created_at=from_iso(created),
        updated_at=from_iso(updated),
    )


def _plain(data: dict[str, Any]) -> tuple[str, str]:
    return str(data.get("status", DEFAULT_STATUS)), str(data.get("visibility", DEFAULT_VISIBILITY))


def _get(tx: Tx, key: bytes, person_id: str, intent_id: str) -> Intent:
    row = tx.one(_SELECT + " WHERE person_id = ? AND id = ?", (person_id, intent_id))
    if row is None:
        raise NotFound("intent", intent_id)
    return _open(key, row)


class Intents:
    """List, read, add and change a person's intents; each change is in their log."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def list_all(self, person_id: str) -> list[Intent]:
        """Every intent of a person, decrypted, oldest first."""
        with self.db.read() as tx:
            key = crypto.Sealer(self.keys.data_key(tx, person_id))  # one AES-GCM context per read
            rows = tx.all(_SELECT + " WHERE person_id = ? ORDER BY created_at, id", (person_id,))
        return [_open(key, r) for r in rows]

    def get(self, person_id: str, intent_id: str) -> Intent:
        """One intent of a person; NotFound if it belongs to someone else."""
        with self.db.read() as tx:
            return _get(tx, self.keys.data_key(tx, person_id), person_id, intent_id)

    def add(self, person_id: str, data: dict[str, Any], now: datetime) -> Intent:
        """Store a new intent and log IntentAdded in one transaction."""
        intent_id = str(uuid.uuid4())
        status, visibility = _plain(data)
        data = {**data, "status": status, "visibility": visibility}
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            body = crypto.seal_json(key, data, person_id, "intents", intent_id, "body")
            tx.run(
                "INSERT INTO intents (id, person_id, status, visibility, body, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (intent_id, person_id, status, visibility, body, iso(now), iso(now)),
            )
            event = IntentAdded(intent_id=intent_id, status=status, visibility=visibility)
            audit.append(tx, person_id, key, event, now)
            return _get(tx, key, person_id, intent_id)

    def update(self, person_id: str, intent_id: str, data: dict[str, Any], now: datetime) -> Intent:
        """Replace the intent's data (a full, validated dict) and log IntentChanged."""
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            _get(tx, key, person_id, intent_id)
            status, visibility = _plain(data)
            data = {**data, "status": status, "visibility": visibility}
            body = crypto.seal_json(key, data, person_id, "intents", intent_id, "body")
            tx.run(
                "UPDATE intents SET status = ?, visibility = ?, body = ?, updated_at = ? "
                "WHERE id = ? AND person_id = ?",
                (status, visibility, body, iso(now), intent_id, person_id),
            )
            event = IntentChanged(intent_id=intent_id, status=status, visibility=visibility)
            audit.append(tx, person_id, key, event, now)
            return _get(tx, key, person_id, intent_id)
