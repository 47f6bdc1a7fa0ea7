"""Persons: the account row, with the email sealed and found by a keyed HMAC index.

The data key is committed before the person row exists, and destroyed before the rows
are deleted, so a crash between the two steps never leaves readable data without a key
being accounted for (an orphan key is harmless; a keyless row is already shredded).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from . import audit, crypto
from .db import Backend, Tx, from_iso, iso
from .errors import EmailTaken, NotFound
from .events import AccountCreated, EmailChanged, PasswordChanged
from .keystore import KeyStore


@dataclass(frozen=True, kw_only=True)
class Person:
    """A person's account as `api/` needs it; the password hash is argon2, made by `api/`."""

    id: str
    email: str
    password_hash: str
    created_at: datetime
    updated_at: datetime


def locked_key(tx: Tx, keys: KeyStore, person_id: str) -> bytes:
    """Lock the person's row for this transaction and return their data key."""
    if not tx.lock_person(person_id):
        raise NotFound("person", person_id)
    return keys.data_key(tx, person_id)


class Persons:
    """Sign up, find, change and delete persons; each change is in the person's log."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def create(self, email: str, password_hash: str, now: datetime) -> str:
        """Sign-up: key first, then the row and its AccountCreated event in one transaction."""
        db, keys = self.db, self.keys
        index = keys.email_index(email, now)
        with db.read() as tx:
            if tx.one("SELECT id FROM persons WHERE email_index = ?", (index,)):
                raise EmailTaken("an account with this email already exists")
        person_id = str(uuid.uuid4())
        key = keys.create_data_key(person_id, now)
        stamp = iso(now)
        try:
            with db.write() as tx:
                tx.run(
                    "INSERT INTO persons (id, email_index, email, password_hash, created_at, "
                    "updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        person_id,
                        index,
                        crypto.seal_json(key, email, person_id, "persons", person_id, "email"),
                        password_hash,
                        stamp,
                        stamp,
                    ),
                )
                audit.append(tx, person_id, key, AccountCreated(), now)
        except db.integrity_errors:
            keys.destroy_data_key(person_id)
            raise EmailTaken("an account with this email already exists") from None
        except BaseException:
            keys.destroy_data_key(person_id)
            raise
        return person_id

    def get(self, person_id: str) -> Person:
        """One person by id; NotFound if absent, Shredded if their key is gone."""
        with self.db.read() as tx:
            row = tx.one(f"SELECT {_COLUMNS} FROM persons WHERE id = ?", (person_id,))
            if row is None:
                raise NotFound("person", person_id)
            return _person(self.keys, tx, row)

    def find_by_email(self, email: str, now: datetime) -> Person | None:
        """Sign-in lookup through the HMAC index; None for unknown or shredded accounts."""
        index = self.keys.email_index(email, now)
        with self.db.read() as tx:
            row = tx.one(f"SELECT {_COLUMNS} FROM persons WHERE email_index = ?", (index,))
            if row is None:
                return None
            try:
                return _person(self.keys, tx, row)
            except NotFound:
                return None

    def set_password_hash(self, person_id: str, password_hash: str, now: datetime) -> None:
        """Replace the password hash and log PasswordChanged in the same transaction."""
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            tx.run(
                "UPDATE persons SET password_hash = ?, updated_at = ? WHERE id = ?",
                (password_hash, iso(now), person_id),
            )
            audit.append(tx, person_id, key, PasswordChanged(), now)

    def set_email(self, person_id: str, email: str, now: datetime) -> None:
        """New sealed address and index; unverified again; EmailChanged in the same step."""
        index = self.keys.email_index(email, now)
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            other = tx.one("SELECT id FROM persons WHERE email_index = ?", (index,))
            if other is not None:
                raise EmailTaken("an account with this email already exists")
            sealed = crypto.seal_json(key, email, person_id, "persons", person_id, "email")
            tx.run("UPDATE persons SET email = ?, email_index = ?, email_verified_at = NULL, "
                   "updated_at = ? WHERE id = ?", (sealed, index, iso(now), person_id))
            audit.append(tx, person_id, key, EmailChanged(), now)

    def delete(self, person_id: str) -> None:
        """Crypto-shred first (commit the key's deletion), then delete every row."""
        with self.db.read() as tx:
            exists = tx.one("SELECT id FROM persons WHERE id = ?", (person_id,)) is not None
        shredded = self.keys.destroy_data_key(person_id)
        if not exists and not shredded:
            raise NotFound("person", person_id)
        with self.db.write() as tx:
            for table in ("sessions", "fields", "intents", "events"):
                tx.run(f"DELETE FROM {table} WHERE person_id = ?", (person_id,))
            tx.run("DELETE FROM persons WHERE id = ?", (person_id,))

    def all_ids(self) -> list[str]:
        """Every person id (for verification and operator commands)."""
        with self.db.read() as tx:
            return [r[0] for r in tx.all("SELECT id FROM persons ORDER BY id")]


def _person(keys: KeyStore, tx: Tx, row: tuple) -> Person:
    person_id, email, password_hash, created, updated = row
    key = keys.data_key(tx, person_id)
    return Person(
        id=person_id,
        email=crypto.open_json(key, email, person_id, "persons", person_id, "email"),
        password_hash=password_hash,
        created_at=from_iso(created),
        updated_at=from_iso(updated),
    )


_COLUMNS = "id, email, password_hash, created_at, updated_at"
