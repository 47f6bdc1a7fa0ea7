"""The `Vault` facade: the one object `api/` holds, a table of contents of the vault.

Each method delegates to the module named for the concept; see docs/architecture.md
for the contract. Times are always passed in (`now`), so tests never sleep.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from . import export, rotation
from .agreements import AgreementsMixin
from .audit import ChainProblem
from .audit_log import AuditLog
from .copy import CopyReport, copy_store
from .db import Backend, Mode, Tx, open_backend
from .errors import VaultError
from .events import Event, LoggedEvent, SignedIn
from .fields import Field, Fields
from .intents import Intent, Intents
from .inventory import StoreInfo, store_info
from .keys import MasterKeyRing, load_or_create_ring, ring_path
from .keystore import KeyStore
from .links import Links
from .mail import MailStore
from .migrations import apply_migrations
from .persons import Person, Persons
from .pseudonyms import Pseudonyms
from .rotation import RotationReport
from .sessions import Sessions


class Vault(AgreementsMixin):
    """The encrypted per-person store; thread-safe (one connection per thread)."""

    def __init__(self, db: Backend, ring: MasterKeyRing, created: list[Path]) -> None:
        self.db = db  # the backend: internal to the vault; callers use `transaction()`
        self.ring = ring
        self.keys = KeyStore(db, ring)
        self.created = created  # files made on this first start, for the CLI to announce
        self._persons = Persons(db, self.keys)
        self._sessions = Sessions(db, self.keys)
        self._fields = Fields(db, self.keys)
        self._intents = Intents(db, self.keys)
        self.pseudonyms = Pseudonyms(self.keys)  # per-vendor subjects and intent handles
        self._log = AuditLog(db, self.keys)
        self.mail = MailStore(db, self.keys)  # email to the person, sealed (vault/mail.py)
        self.links = Links(db)  # emailed single-use links, hashed (vault/links.py)

    @classmethod
    def open(
        cls,
        home: Path | str,
        database_url: str | None = None,
        *,
        master_key_file: Path | str | None = None,
        now: datetime | None = None,
    ) -> Vault:
        """Open (creating on first use) the store and the ring; stops on a wrong master key."""
        home = Path(home)
        now = now or datetime.now(UTC)
        db = open_backend(home, database_url)
        created: list[Path] = []
        try:
            ring, new_ring = load_or_create_ring(ring_path(home, master_key_file), now)
            if new_ring:
                created.append(ring.path)
            if db.created is not None:
                created.append(db.created)
            apply_migrations(db, now)
            vault = cls(db, ring, created)
            vault.keys.check_ring(now)
        except BaseException:
            db.close()
            raise
        return vault

    def close(self) -> None:
        """Close every database connection."""
        self.db.close()

    def __enter__(self) -> Vault:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def transaction(self, mode: Mode = "read", actor: str | None = None
                    ) -> AbstractContextManager[Tx]:
        """One transaction for several calls, the same on SQLite and PostgreSQL.

        "read" sees one consistent snapshot and refuses writes; "write" serialises writers.
        Vault calls made inside join it; a write inside a read raises `ReadOnlyTransaction`.
        With `actor`, every log entry written inside records who acted (`actor` in its payload).
        """
        return self.db.transaction(mode, actor)

    def acting(self, actor: str) -> AbstractContextManager[None]:
        """Who acts in every transaction this thread opens inside the block (see transaction)."""
        return self.db.acting(actor)

    # persons
    def create_person(self, email: str, password_hash: str, now: datetime) -> str:
        """Sign-up; raises EmailTaken if the email is in use. Logs AccountCreated."""
        return self._persons.create(email, password_hash, now)

    def find_person_by_email(self, email: str, now: datetime | None = None) -> Person | None:
        """Sign-in lookup (case-insensitive); None if unknown."""
        return self._persons.find_by_email(email, now or datetime.now(UTC))

    def get_person(self, person_id: str) -> Person:
        """A person by id; NotFound (or its subclass Shredded) if gone."""
        return self._persons.get(person_id)

    def set_password_hash(self, person_id: str, password_hash: str, now: datetime) -> None:
        """Store a new argon2 hash made by `api/`. Logs PasswordChanged."""
        self._persons.set_password_hash(person_id, password_hash, now)

    def set_email(self, person_id: str, email: str, now: datetime) -> None:
        """Change the sign-in address (EmailTaken if in use); unverified until confirmed.
        Logs EmailChanged."""
        self._persons.set_email(person_id, email, now)

    def delete_person(self, person_id: str) -> None:
        """Crypto-shred the person's key, then delete their rows."""
        self._persons.delete(person_id)

    def person_ids(self) -> list[str]:
        """Every person id (operator commands, verification)."""
        return self._persons.all_ids()

    # sessions
    def create_session(
        self,
        person_id: str,
        now: datetime,
        lifetime: timedelta,
        event: SignedIn | None = None,
    ) -> str:
        """Open a session, log SignedIn (pass one to record ip/user agent); returns the token."""
        return self._sessions.create(person_id, now, lifetime, event)

    def session_person(self, token: str, now: datetime) -> str | None:
        """The person id of a live session token, else None."""
        return self._sessions.person_for(token, now)

    def end_session(self, token: str, now: datetime | None = None) -> bool:
        """Sign out one session; logs SignedOut. False if it was not live."""
        return self._sessions.end(token, now or datetime.now(UTC))

    def list_sessions(self, person_id: str) -> list[dict[str, str | None]]:
        """When each of the person's sessions started, expires and ended (never the hashes)."""
        return self._sessions.list_for(person_id)

    def end_all_sessions(self, person_id: str, now: datetime) -> int:
        """Sign out everywhere; logs SessionsEnded; returns how many were live."""
        return self._sessions.end_all(person_id, now)

    # personal data
    def list_fields(self, person_id: str) -> list[Field]:
        """Every field of the person, decrypted."""
        return self._fields.list_all(person_id)

    def list_fields_in(self, person_id: str, categories: Collection[str]) -> list[Field]:
        """The person's fields of these categories, decrypted; the others stay sealed."""
        return self._fields.in_categories(person_id, categories)

    def send_fields_ahead(self, tx: Tx, reader: str) -> None:
        """A vendor's read on PostgreSQL: the fields its token read last time, asked in the
        round trip under way (`Fields.send_ahead`); pass to `agreements.access`."""
        self._fields.send_ahead(tx, reader)

    def get_field(self, person_id: str, field_id: str) -> Field:
        """One field; NotFound if absent or someone else's."""
        return self._fields.get(person_id, field_id)

    def add_field(
        self, person_id: str, *, category: str, name: str, kind: str, value: Any, now: datetime,
        source: str | None = None, event: Callable[[str], Event] | None = None,
    ) -> Field:
        """Add a field (value: any JSON-able value). Logs FieldAdded, or `event(field_id)`:
        a vendor's record (`source`, its client id) is logged as its write."""
        values = {"category": category, "name": name, "kind": kind, "value": value,
                  "source": source}
        return self._fields.add(person_id, values, now, event)

    def update_field(
        self,
        person_id: str,
        field_id: str,
        *,
        category: str,
        name: str,
        kind: str,
        value: Any,
        now: datetime,
    ) -> Field:
        """Replace a field's columns. Logs FieldChanged naming the changed columns."""
        values = {"category": category, "name": name, "kind": kind, "value": value}
        return self._fields.update(person_id, field_id, values, now)

    def delete_field(self, person_id: str, field_id: str, now: datetime) -> None:
        """Delete a field. Logs FieldDeleted."""
        self._fields.delete(person_id, field_id, now)

    # intents
    def list_intents(self, person_id: str) -> list[Intent]:
        """Every intent of the person, decrypted."""
        return self._intents.list_all(person_id)

    def get_intent(self, person_id: str, intent_id: str) -> Intent:
        """One intent; NotFound if absent or someone else's."""
        return self._intents.get(person_id, intent_id)

    def add_intent(self, person_id: str, data: dict[str, Any], now: datetime) -> Intent:
        """Add a validated intent dict. Logs IntentAdded."""
        return self._intents.add(person_id, data, now)

    def update_intent(
        self, person_id: str, intent_id: str, data: dict[str, Any], now: datetime
    ) -> Intent:
        """Replace an intent's data with a full validated dict. Logs IntentChanged."""
        return self._intents.update(person_id, intent_id, data, now)

    # audit
    def record(self, person_id: str, event: Event, now: datetime) -> int:
        """Append a typed event to the person's log; returns its seq."""
        return self._log.record(person_id, event, now)

    def list_events(
        self,
        person_id: str,
        *,
        kinds: list[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[LoggedEvent]:
        """The person's log, decrypted, oldest first, filtered by kind and [since, until)."""
        return self._log.events(person_id, kinds=kinds, since=since, until=until)

    def verify_log(self, person_id: str | None = None) -> list[ChainProblem]:
        """Check one person's chain, or everyone's; an empty list means intact."""
        return self._log.verify([person_id] if person_id else self.person_ids(), bool(person_id))

    # export / keys / backup
    def export_person(self, person_id: str, now: datetime) -> dict[str, Any]:
        """Everything the vault holds on the person, decrypted (docs/export.md)."""
        return export.export_person(self, person_id, now)

    def rotate_master_key(
        self, progress: Callable[[int, int], None] | None = None, now: datetime | None = None
    ) -> RotationReport:
        """New master key version; re-wrap every key (resumes an interrupted run)."""
        return rotation.rotate(self.keys, progress, now)

    def retire_master_key(self, version: int) -> None:
        """Drop an old version; RotationInProgress while any key still uses it."""
        rotation.retire(self.keys, version)

    def key_versions(self) -> dict[int, int]:
        """Master key versions in the ring and how many wrapped keys use each."""
        in_use = self.keys.versions_in_use()
        return {v: in_use.get(v, 0) for v in sorted(self.ring.keys)}

    def backup(self, destination: Path | str, keys: Path | str | None = None) -> Path:
        """SQLite only: the data (never keys) online; `keys` copies the key store apart."""
        if not hasattr(self.db, "backup"):
            raise VaultError("on PostgreSQL, back up with pg_dump --exclude-table='keystore_*'")
        for path in (destination, keys):
            if path is not None and os.path.exists(path):
                raise VaultError(f"backup destination {path} already exists")
        if keys is not None:
            self.db.backup(Path(keys), schema="keystore")
        return self.db.backup(Path(destination))

    def describe(self) -> str:
        """Where the store lives, in words for the operator (never a password)."""
        return self.db.describe()

    def store_info(self) -> StoreInfo:
        """Where the store lives, its migrations and rows per table (`custos store info`)."""
        return store_info(self)

    def copy_to(self, url: str, progress: Callable[[int, int], None] | None = None) -> CopyReport:
        """Copy every table as stored into the empty store at `url`, then check it (copy.py)."""
        return copy_store(self, url, progress)
