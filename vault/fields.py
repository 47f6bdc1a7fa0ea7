"""Personal data fields: category, name, kind and value, sealed together in one slot.

Sealing every part (not just the value) matters: "health.condition = diabetes" leaks through
the category and name alone. The slot's AAD names the person, the row and the `body` column.
Rows written before migration 0005 hold the four parts in four slots (the old columns, now
empty for new rows); they still read, and are re-sealed as one body when next changed.

A record a vendor added under an agreement (write-back) also carries its `source`, the
vendor's client id, sealed in the same body: which vendors a person deals with is about her.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from common.lru import Lru

from . import audit, crypto
from .db import Backend, Tx, from_iso, iso
from .errors import CryptoError, NotFound
from .events import Event, FieldAdded, FieldChanged, FieldDeleted
from .keystore import KeyStore
from .persons import locked_key

SEALED = ("category", "name", "kind", "value")
_BODY_KEYS = (frozenset(SEALED), frozenset((*SEALED, "source")))  # what one body may hold


@dataclass(frozen=True, kw_only=True)
class Field:
    """One typed personal data value; `category` is a friendly id such as `contact.email`."""

    id: str
    person_id: str
    category: str
    name: str
    kind: str
    value: Any
    created_at: datetime
    updated_at: datetime
    source: str | None = None  # the vendor (client id) that added it; None: the person's own

    def as_dict(self) -> dict[str, Any]:
        """JSON-able form, used by the export."""
        out = {
            "id": self.id,
            "category": self.category,
            "name": self.name,
            "kind": self.kind,
            "value": self.value,
            "created_at": iso(self.created_at),
            "updated_at": iso(self.updated_at),
        }
        return out | ({"source": self.source} if self.source else {})

    def readable_by(self, client_id: str) -> bool:
        """Whether a vendor may be given this field without more (its terms then decide): the
        person's own data, or a record this vendor itself added. Another vendor's record
        needs a `pass_on` rule of hers (`api/services/judge.readable_fields`)."""
        return self.source is None or self.source == client_id


_SELECT = (
    "SELECT id, person_id, body, category, name, kind, value, created_at, updated_at FROM fields"
)
#: a read's fields: the body only (the four old slots are empty on every row that has one)
_SELECT_TAGGED = "SELECT id, body, created_at, updated_at, tag FROM fields"
_EMPTY = b""  # what the four old slots hold for rows sealed as one body


def tag_key(data_key: bytes) -> bytes:
    """The key of a person's category tags: tags of two persons never match."""
    return crypto.derive(data_key, b"custos field tag v1")


def category_tag(key: bytes, category: str) -> str:
    """The stored tag of a category (migration 0060): equal for equal categories of one
    person, and nothing about which category it is without the person's data key."""
    return crypto.mac(key, b"category|" + category.encode()).hex()[:32]


def _open(key: bytes | crypto.Sealer, row: tuple) -> Field:
    fid, pid, body, *legacy, created, updated = row
    if body is not None:
        return _opened(key, pid, fid, body, created, updated)
    # written before migration 0005: one slot per part
    opened = {
        c: crypto.open_json(key, b, pid, "fields", fid, c)
        for c, b in zip(SEALED, legacy, strict=True)
    }
    return _built(opened, fid, pid, created, updated)


def _opened(key: bytes | crypto.Sealer, pid: str, fid: str, body: bytes, created: str,
            updated: str) -> Field:
    """A field sealed as one body (every row since migration 0005)."""
    opened = crypto.open_json(key, body, pid, "fields", fid, "body")
    if not isinstance(opened, dict) or opened.keys() not in _BODY_KEYS:
        raise CryptoError()
    return _built(opened, fid, pid, created, updated)


def _built(opened: dict[str, Any], fid: str, pid: str, created: str, updated: str) -> Field:
    """The Field of an opened body, whose keys are checked: set at once instead of through
    the frozen dataclass's `__init__`, which sets each attribute with `object.__setattr__`
    (1.1 of its 1.5 µs, ten fields a vendor's read)."""
    field = object.__new__(Field)
    field.__dict__.update(opened, id=fid, person_id=pid, created_at=from_iso(created),
                          updated_at=from_iso(updated))
    if "source" not in opened:
        field.__dict__["source"] = None
    return field


def _sealed(key: bytes, person_id: str, field_id: str, values: dict[str, Any]) -> bytes:
    body = {c: values[c] for c in SEALED}
    if values.get("source"):
        body["source"] = values["source"]
    return crypto.seal_json(key, body, person_id, "fields", field_id, "body")


def _get(tx: Tx, key: bytes | crypto.Sealer, person_id: str, field_id: str) -> Field:
    row = tx.one(_SELECT + " WHERE person_id = ? AND id = ?", (person_id, field_id))
    if row is None:
        raise NotFound("field", field_id)
    return _open(key, row)


class Fields:
    """List, read, add, change and delete a person's fields; each change is in their log."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys
        self._tags_of: Lru[tuple[str, frozenset[str]], list[str]] = Lru(1024)
        #: the fields query of each reader's (a token's hash) last read, for `send_ahead`
        self._last_read: Lru[str, tuple[str, tuple[str, ...]]] = Lru(1024)

    def _tags(self, person_id: str, data_key: bytes, categories: frozenset[str]) -> list[str]:
        """The tags of a read's categories, remembered for the 1,024 latest (person, set)
        pairs: a vendor reads the same categories of a person again and again. Tags are
        what the rows store, nothing more secret."""
        name = (person_id, categories)
        if (hit := self._tags_of.get(name)) is not None:
            return hit
        key = tag_key(data_key)  # derived only on a miss
        tags = sorted({category_tag(key, c) for c in categories})
        self._tags_of.put(name, tags)
        return tags

    def send_ahead(self, tx: Tx, reader: str) -> None:
        """Send, in the round trip under way, the fields query `reader` ran on its last read
        in a write transaction (`Tx.ahead`): a vendor's token reads the same fields read
        after read, so on PostgreSQL the read takes two round trips instead of three. Called
        right after the person is locked (`vault/access.py`); `in_categories` then takes the
        rows if it asks the same, and remembers what it asked for `reader`'s next read."""
        if tx.pipeline is None:  # SQLite, or a read transaction: nothing to gain
            return
        tx.memo["reader", ""] = reader
        if (last := self._last_read.get(reader)) is not None:
            tx.ahead(*last)

    def list_all(self, person_id: str) -> list[Field]:
        """Every field of a person, decrypted, oldest first."""
        with self.db.read() as tx:
            key = crypto.Sealer(self.keys.data_key(tx, person_id))  # one AES-GCM context per read
            rows = tx.all(_SELECT + " WHERE person_id = ? ORDER BY created_at, id", (person_id,))
        return [_open(key, r) for r in rows]

    def in_categories(self, person_id: str, categories: Collection[str]) -> list[Field]:
        """The person's fields of these categories, oldest first: only their rows (and any
        not tagged yet, which are tagged now in a write transaction) are opened."""
        with self.db.read() as tx:
            data_key = self.keys.data_key(tx, person_id)
            key = self.keys.sealer(tx, person_id)
            tags = self._tags(person_id, data_key, frozenset(categories))
            marks = ", ".join("?" * len(tags)) or "NULL"  # a read of 10 categories: 26 tags
            # two halves, each found through the (person_id, tag) index: with `tag IN (…) OR
            # tag IS NULL` SQLite read every row of the person instead (1,000 fields read
            # under 2 categories: 1.2-1.35x the read of 20, now 0.95-1.25x; docs/benchmarks.md)
            query = (f"{_SELECT_TAGGED} WHERE person_id = ? AND tag IN ({marks}) "
                     f"UNION ALL {_SELECT_TAGGED} WHERE person_id = ? AND tag IS NULL "
                     "ORDER BY created_at, id", (person_id, *tags, person_id))
            rows = tx.all(*query)
            if (reader := tx.memo.get(("reader", ""))) is not None:
                self._last_read.put(reader, query)
            found = []
            for fid, body, created, updated, tag in rows:
                field = (_opened(key, person_id, fid, body, created, updated) if body is not None
                         else _get(tx, key, person_id, fid))
                if tag is None and tx.writable:
                    tx.send("UPDATE fields SET tag = ? WHERE id = ?",
                           (category_tag(tag_key(data_key), field.category), field.id))
                if field.category in categories:
                    found.append(field)
        return found

    def get(self, person_id: str, field_id: str) -> Field:
        """One field of a person; NotFound if it belongs to someone else."""
        with self.db.read() as tx:
            return _get(tx, self.keys.data_key(tx, person_id), person_id, field_id)

    def add(self, person_id: str, values: dict[str, Any], now: datetime,
            event: Callable[[str], Event] | None = None) -> Field:
        """Store a new field and log FieldAdded (or the caller's event for the new id, such
        as a vendor's write) in one transaction."""
        field_id = str(uuid.uuid4())
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            tx.run(
                "INSERT INTO fields (id, person_id, body, category, name, kind, value, "
                "created_at, updated_at, tag) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (field_id, person_id, _sealed(key, person_id, field_id, values),
                 *[_EMPTY] * len(SEALED), iso(now), iso(now),
                 category_tag(tag_key(key), values["category"])),
            )
            logged = event(field_id) if event else FieldAdded(
                field_id=field_id, category=values["category"], name=values["name"])
            audit.append(tx, person_id, key, logged, now)
            return _get(tx, key, person_id, field_id)

    def update(
        self, person_id: str, field_id: str, values: dict[str, Any], now: datetime
    ) -> Field:
        """Re-seal the field as one body (fresh nonce) and log FieldChanged naming what changed."""
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            old = _get(tx, key, person_id, field_id)
            changed = [c for c in SEALED if getattr(old, c) != values[c]]
            values = {**values, "source": old.source}  # an edited record keeps its source
            tx.run(
                "UPDATE fields SET body = ?, category = ?, name = ?, kind = ?, value = ?, "
                "updated_at = ?, tag = ? WHERE id = ? AND person_id = ?",
                (_sealed(key, person_id, field_id, values), *[_EMPTY] * len(SEALED), iso(now),
                 category_tag(tag_key(key), values["category"]), field_id, person_id),
            )
            event = FieldChanged(
                field_id=field_id, category=values["category"], name=values["name"],
                changed=changed,
            )
            audit.append(tx, person_id, key, event, now)
            return _get(tx, key, person_id, field_id)

    def delete(self, person_id: str, field_id: str, now: datetime) -> None:
        """Delete a field and log FieldDeleted in one transaction."""
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            old = _get(tx, key, person_id, field_id)
            tx.run("DELETE FROM fields WHERE id = ? AND person_id = ?", (field_id, person_id))
            event = FieldDeleted(field_id=field_id, category=old.category, name=old.name)
            audit.append(tx, person_id, key, event, now)
