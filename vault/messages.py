"""The reply channel of an offer: messages between the person and the vendor, through Custos.

One thread per offer. An entry is a message (`text`), or the person's answer to the offer:
`accepted` (with the agreement it made) or `declined`. What is said is sealed with the
person's key (AAD: person, row, `body`); who spoke, the kind and the time stay plain, for
ordering. The vendor knows the person only by its handle; her email never enters a thread.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import audit, crypto
from .db import Backend, from_iso, iso
from .events import Event, event_kind
from .keystore import KeyStore
from .persons import locked_key

SCHEMA = [
    """CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        offer_id TEXT NOT NULL REFERENCES offers(id) ON DELETE CASCADE,
        seq INTEGER NOT NULL,
        person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        sender TEXT NOT NULL,
        kind TEXT NOT NULL,
        body {blob} NOT NULL,
        created_at TEXT NOT NULL
    )""",
    "CREATE UNIQUE INDEX messages_offer ON messages(offer_id, seq)",
]
PERSON, VENDOR = "person", "vendor"
MESSAGE, ACCEPTED, DECLINED = "message", "accepted", "declined"
KINDS = (MESSAGE, ACCEPTED, DECLINED)


@event_kind("offer_message")
@dataclass(frozen=True, kw_only=True)
class OfferMessage(Event):
    """An entry in an offer's reply channel (what was said is not logged)."""

    offer_id: str
    client_id: str
    sender: str
    entry: str  # message, accepted or declined


@dataclass(frozen=True, kw_only=True)
class Message:
    id: str
    offer_id: str
    person_id: str
    client_id: str
    sender: str
    kind: str
    text: str
    agreement: str | None
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "from": self.sender, "kind": self.kind, "text": self.text,
                "agreement": self.agreement, "at": self.created_at.isoformat()}


_SELECT = ("SELECT id, offer_id, person_id, client_id, sender, kind, body, created_at "
           "FROM messages")


def _open(key: bytes | crypto.Sealer, row: tuple) -> Message:
    mid, oid, pid, cid, sender, kind, body, created = row
    said = crypto.open_json(key, body, pid, "messages", mid, "body")
    return Message(id=mid, offer_id=oid, person_id=pid, client_id=cid, sender=sender,
                   kind=kind, text=said.get("text", ""), agreement=said.get("agreement"),
                   created_at=from_iso(created))


class Messages:
    """Add to and read an offer's thread; each entry lands in the person's log."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def add(self, *, offer_id: str, person_id: str, client_id: str, sender: str, kind: str,
            text: str, now: datetime, agreement: str | None = None) -> Message:
        if sender not in (PERSON, VENDOR) or kind not in KINDS:
            raise ValueError("unknown sender or kind")
        mid = str(uuid.uuid4())
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            body = crypto.seal_json(key, {"text": text, "agreement": agreement}, person_id,
                                    "messages", mid, "body")
            # the thread's order: the person's row is locked, so no two writers share a seq
            count = tx.one("SELECT COUNT(*) FROM messages WHERE offer_id = ?", (offer_id,))
            seq = count[0] if count else 0
            tx.run("INSERT INTO messages (id, offer_id, seq, person_id, client_id, sender, kind, "
                   "body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                   (mid, offer_id, seq + 1, person_id, client_id, sender, kind, body, iso(now)))
            audit.append(tx, person_id, key, OfferMessage(
                offer_id=offer_id, client_id=client_id, sender=sender, entry=kind), now)
            return _open(key, tx.row(_SELECT + " WHERE id = ?", (mid,)))

    def thread(self, person_id: str, offer_id: str) -> list[Message]:
        """An offer's entries, oldest first."""
        with self.db.read() as tx:
            rows = tx.all(_SELECT + " WHERE person_id = ? AND offer_id = ? "
                          "ORDER BY seq", (person_id, offer_id))
            if not rows:
                return []
            key = crypto.Sealer(self.keys.data_key(tx, person_id))
            return [_open(key, r) for r in rows]
