"""Duties with follow-through: each notice a vendor must answer, and its signed answer.

A row per notice that asks something of the vendor (delete the data, the agreement ended,
give the data back): when it was sent, when the answer is due, when it came. Times are plain
(the person's pages and Home find overdue ones by them); the notice and the vendor's signed
acknowledgement are sealed with the person's key. The due time is the caller's: the server
computes it from its configured delay and its clock.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import audit, crypto
from .agreement_events import DutyChanged
from .db import Backend, from_iso, iso
from .errors import NotFound
from .keystore import KeyStore
from .persons import locked_key

DELETE, ENDED, PORTABILITY = "delete", "ended", "portability"
KINDS = (DELETE, ENDED, PORTABILITY)


@dataclass(frozen=True, kw_only=True)
class Duty:
    """One notice the vendor owes an answer to."""

    id: str
    grant_id: str
    person_id: str
    client_id: str
    kind: str
    sent_at: datetime
    due_at: datetime
    acknowledged_at: datetime | None
    notice: str  # the signed notice (compact JWS) as sent
    ack: str | None = None  # the vendor's signed acknowledgement (compact JWS)
    detail: dict[str, Any] | None = None

    def overdue(self, now: datetime) -> bool:
        """Unanswered past its due time."""
        return self.acknowledged_at is None and now >= self.due_at


_SELECT = ("SELECT id, grant_id, person_id, client_id, kind, sent_at, due_at, acknowledged_at, "
           "body FROM duties")


def _open(key: bytes, row: tuple) -> Duty:
    did, gid, pid, cid, kind, sent, due, acked, body = row
    data = crypto.open_json(key, body, pid, "duties", did, "body")
    return Duty(id=did, grant_id=gid, person_id=pid, client_id=cid, kind=kind,
                sent_at=from_iso(sent), due_at=from_iso(due),
                acknowledged_at=from_iso(acked) if acked else None, notice=data["notice"],
                ack=data.get("ack"), detail=data.get("detail"))


class Duties:
    """Record notices that await an answer, record the answers, list them."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    @staticmethod
    def new_id() -> str:
        """The id a notice carries (`jti`) before it is signed and stored."""
        return str(uuid.uuid4())

    def add(self, duty_id: str, grant_id: str, person_id: str, client_id: str, kind: str,
            notice: str, now: datetime, due_at: datetime,
            detail: dict[str, Any] | None = None) -> Duty:
        """Record a signed notice sent to the vendor and when its answer is due."""
        with self.db.write() as tx:
            key = locked_key(tx, self.keys, person_id)
            body = crypto.seal_json(key, {"notice": notice, "ack": None, "detail": detail},
                                    person_id, "duties", duty_id, "body")
            tx.run("INSERT INTO duties (id, grant_id, person_id, client_id, kind, sent_at, "
                   "due_at, acknowledged_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                   (duty_id, grant_id, person_id, client_id, kind, iso(now), iso(due_at), body))
            audit.append(tx, person_id, key, DutyChanged(
                duty_id=duty_id, grant_id=grant_id, client_id=client_id, duty=kind,
                change="sent", due_at=iso(due_at)), now)
        return self.get(duty_id)

    def acknowledge(self, duty_id: str, ack: str, now: datetime) -> Duty:
        """Keep the vendor's signed acknowledgement; a second one changes nothing."""
        with self.db.write() as tx:
            row = tx.one("SELECT person_id FROM duties WHERE id = ?", (duty_id,))
            if row is None:
                raise NotFound("duty", duty_id)
            key = locked_key(tx, self.keys, row[0])
            duty = _open(key, tx.row(_SELECT + " WHERE id = ?", (duty_id,)))
            if duty.acknowledged_at is not None:
                return duty
            body = crypto.seal_json(key, {"notice": duty.notice, "ack": ack,
                                          "detail": duty.detail},
                                    duty.person_id, "duties", duty_id, "body")
            tx.run("UPDATE duties SET acknowledged_at = ?, body = ? WHERE id = ?",
                   (iso(now), body, duty_id))
            audit.append(tx, duty.person_id, key, DutyChanged(
                duty_id=duty_id, grant_id=duty.grant_id, client_id=duty.client_id,
                duty=duty.kind, change="acknowledged", due_at=iso(duty.due_at)), now)
            return _open(key, tx.row(_SELECT + " WHERE id = ?", (duty_id,)))

    def get(self, duty_id: str) -> Duty:
        """One duty; NotFound if none."""
        with self.db.read() as tx:
            row = tx.one(_SELECT + " WHERE id = ?", (duty_id,))
            if row is None:
                raise NotFound("duty", duty_id)
            return _open(self.keys.data_key(tx, row[2]), row)

    def for_person(self, person_id: str) -> list[Duty]:
        """Every duty owed to a person, newest first."""
        with self.db.read() as tx:
            rows = tx.all(_SELECT + " WHERE person_id = ? ORDER BY sent_at DESC", (person_id,))
            if not rows:
                return []
            key = self.keys.data_key(tx, person_id)
            return [_open(key, r) for r in rows]

    def overdue_untold(self, now: datetime) -> dict[str, list[str]]:
        """Everyone's unanswered notices past due that she was not yet told of: the duty ids
        per person (plain columns only, nothing is opened)."""
        with self.db.read() as tx:
            rows = tx.all("SELECT person_id, id FROM duties WHERE told_at IS NULL AND "
                          "acknowledged_at IS NULL AND due_at <= ? ORDER BY person_id, due_at",
                          (iso(now),))
        out: dict[str, list[str]] = {}
        for person_id, duty_id in rows:
            out.setdefault(person_id, []).append(duty_id)
        return out

    def mark_told(self, duty_ids: list[str], now: datetime) -> list[str]:
        """Record that the person was told these notices are overdue; returns the ones this
        call marked (still unanswered and untold), so two job runs at once tell her once."""
        marked = []
        with self.db.write() as tx:
            for duty_id in duty_ids:
                if tx.run("UPDATE duties SET told_at = ? WHERE id = ? AND told_at IS NULL "
                          "AND acknowledged_at IS NULL", (iso(now), duty_id)):
                    marked.append(duty_id)
        return marked

    def overdue_count(self, person_id: str, now: datetime) -> int:
        """How many answers are past due (Home's flag; no decryption needed)."""
        with self.db.read() as tx:
            row = tx.row("SELECT COUNT(*) FROM duties WHERE person_id = ? AND "
                         "acknowledged_at IS NULL AND due_at <= ?", (person_id, iso(now)))
        return int(row[0])
