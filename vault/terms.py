"""A person's terms, every version kept and sealed: terms name the person's data and choices.

The vault stores the JSON the policy engine validated; it never interprets it. The version is
storage metadata, not part of the document: numbers count up per person from 1 (0 means "never
saved"), so "the terms version" of an agreement names one stored document. A `version` key in
a saved document is dropped, and one in a document saved before this rule is not returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import audit, crypto
from .agreement_events import TermsChanged
from .db import Backend, Tx, from_iso, iso
from .keystore import KeyStore
from .persons import locked_key


@dataclass(frozen=True, kw_only=True)
class StoredTerms:
    """One version of a person's terms as saved (JSON, already validated by `policies`)."""

    person_id: str
    version: int
    body: dict[str, Any]
    created_at: datetime


_SELECT = "SELECT version, body, created_at FROM person_terms"


def _newest(tx: Tx, person_id: str) -> int:
    row = tx.one("SELECT MAX(version) FROM person_terms WHERE person_id = ?", (person_id,))
    return int(row[0] or 0) if row else 0


def _open(key: bytes | crypto.Sealer, person_id: str, row: tuple) -> StoredTerms:
    version, sealed, created = row
    body = crypto.open_json(key, sealed, person_id, "person_terms", str(version), "body")
    body.pop("version", None)  # kept in the document before it became metadata
    return StoredTerms(
        person_id=person_id, version=version, body=body, created_at=from_iso(created)
    )


class TermsStore:
    """Save a new version, read the current one or any earlier one."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def current_version(self, person_id: str) -> int:
        """The newest version number, 0 when the person has never saved terms (cheap)."""
        with self.db.read() as tx:
            return _newest(tx, person_id)

    def get(self, person_id: str, version: int | None = None) -> StoredTerms | None:
        """One version (default: the newest), decrypted; None when there is none."""
        with self.db.read() as tx:
            if version is None:
                row = tx.one(
                    _SELECT + " WHERE person_id = ? ORDER BY version DESC LIMIT 1", (person_id,)
                )
            else:
                row = tx.one(_SELECT + " WHERE person_id = ? AND version = ?", (person_id, version))
            if row is None:
                return None
            key = self.keys.data_key(tx, person_id)
        return _open(key, person_id, row)

    def every(self, person_id: str) -> list[StoredTerms]:
        """Every version, oldest first, decrypted (the export)."""
        with self.db.read() as tx:
            rows = tx.all(_SELECT + " WHERE person_id = ? ORDER BY version", (person_id,))
            if not rows:
                return []
            key = crypto.Sealer(self.keys.data_key(tx, person_id))
        return [_open(key, person_id, row) for row in rows]

    def versions(self, person_id: str) -> list[tuple[int, datetime]]:
        """(version, saved at) of every version, oldest first."""
        with self.db.read() as tx:
            rows = tx.all(
                "SELECT version, created_at FROM person_terms WHERE person_id = ? ORDER BY version",
                (person_id,),
            )
        return [(v, from_iso(at)) for v, at in rows]

    def save(
        self, person_id: str, body: dict[str, Any], now: datetime, cut: list[str] | None = None
    ) -> int:
        """Store `body` as the next version and log it; returns the version number."""
        body = {k: v for k, v in body.items() if k != "version"}
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            version = _newest(tx, person_id) + 1
            sealed = crypto.seal_json(key, body, person_id, "person_terms", str(version), "body")
            tx.run(
                "INSERT INTO person_terms (person_id, version, body, created_at) "
                "VALUES (?, ?, ?, ?)",
                (person_id, version, sealed, iso(now)),
            )
            audit.append(
                tx,
                person_id,
                key,
                TermsChanged(
                    version=version,
                    rules=len(body.get("rules", [])),
                    default=str(body.get("default", "ask")),
                    cut=list(cut or []),
                ),
                now,
            )
        return version
