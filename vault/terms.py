"""A person's terms, every version kept and sealed: terms name the person's data and choices.

The vault stores the JSON the policy engine validated; it never interprets it. Version numbers
count up per person from 1, so "the terms version" of an agreement names one stored document.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import audit, crypto
from .agreement_events import TermsChanged
from .db import Backend, from_iso, iso
from .keystore import KeyStore
from .persons import locked_key


@dataclass(frozen=True, kw_only=True)
class StoredTerms:
    """One version of a person's terms as saved (JSON, already validated by `policies`)."""

    person_id: str
    version: int
    body: dict[str, Any]
    created_at: datetime


class TermsStore:
    """Save a new version, read the current one or any earlier one."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def current_version(self, person_id: str) -> int:
        """The newest version number, 0 when the person has never saved terms (cheap)."""
        with self.db.read() as tx:
            row = tx.one("SELECT MAX(version) FROM person_terms WHERE person_id = ?", (person_id,))
        return int(row[0] or 0) if row else 0

    def get(self, person_id: str, version: int | None = None) -> StoredTerms | None:
        """One version (default: the newest), decrypted; None when there is none."""
        with self.db.read() as tx:
            if version is None:
                row = tx.one(
                    "SELECT version, body, created_at FROM person_terms "
                    "WHERE person_id = ? ORDER BY version DESC LIMIT 1",
                    (person_id,),
                )
            else:
                row = tx.one(
                    "SELECT version, body, created_at FROM person_terms "
                    "WHERE person_id = ? AND version = ?",
                    (person_id, version),
                )
            if row is None:
                return None
            key = self.keys.data_key(tx, person_id)
        body = crypto.open_json(key, row[1], person_id, "person_terms", str(row[0]), "body")
        return StoredTerms(
            person_id=person_id, version=row[0], body=body, created_at=from_iso(row[2])
        )

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
        """Store `body` as the next version (its `version` key is set to match) and log it."""
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            row = tx.one("SELECT MAX(version) FROM person_terms WHERE person_id = ?", (person_id,))
            version = int(row[0] or 0) + 1
            body = {**body, "version": version}
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
