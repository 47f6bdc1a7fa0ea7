"""The person's log as a store: record an event, read the log, verify its chain.

The chain itself (how entries are sealed, linked and checked) is `audit.py`; other stores
append to it inside their own transactions. This is the entry point for everyone else.
"""

from __future__ import annotations

from datetime import datetime

from . import audit
from .audit import ChainProblem
from .db import Backend
from .errors import NotFound, Shredded
from .events import Event, LoggedEvent
from .keystore import KeyStore
from .persons import locked_key


class AuditLog:
    """Append typed events to a person's log, read them back, and verify the chain."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def record(self, person_id: str, event: Event, now: datetime) -> int:
        """Append one event in its own transaction (or the caller's); returns its seq."""
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            return audit.append(tx, person_id, key, event, now)

    def events(
        self,
        person_id: str,
        *,
        kinds: list[str] | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> list[LoggedEvent]:
        """The person's log, decrypted, oldest first, filtered by kind and [since, until)."""
        with self.db.read() as tx:
            key = self.keys.data_key(tx, person_id)
            return audit.read_events(tx, person_id, key, kinds=kinds, since=since, until=until)

    def verify(self, person_ids: list[str], one: bool) -> list[ChainProblem]:
        """Check the chains of these persons; `one`: a single person named by the caller, so a
        missing or shredded one is an error rather than skipped."""
        problems: list[ChainProblem] = []
        for pid in person_ids:
            with self.db.read() as tx:
                try:
                    key = self.keys.data_key(tx, pid)
                except Shredded:
                    if one:
                        raise
                    continue
                if one and tx.one("SELECT id FROM persons WHERE id = ?", (pid,)) is None:
                    raise NotFound("person", pid)
                problems += audit.verify_chain(tx, pid, key)
        return problems
