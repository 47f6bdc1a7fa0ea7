"""Two-sided agreement records: what the person proffered, the vendor's answer, both signatures.

One row per agreement (grant) that proffers standard agreements. The status is plain (the IEEE
7012 negotiation status, so both sides' lists can be filtered); the record, the vendor's signed
acceptance, Custos's countersignature and any counter-offer speak of the person and are sealed.
Each change of status is logged for the person in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import audit, crypto
from .agreement_events import NegotiationChanged
from .db import Backend, Tx, from_iso, iso
from .errors import NotFound
from .keystore import KeyStore
from .persons import locked_key

# IEEE 7012 negotiation statuses (as the DPV P7012 extension lists them; docs/agreements.md).
# The standard's "requested" is not among them: a record exists only once an agreement was
# made, and a request before that is an access request (answered at once or in the inbox),
# so no record is ever "requested" (docs/agreements.md, "Statuses").
PENDING, COUNTERED, CONFIRM = "pending response", "counter-offer made", "confirmation required"
ACCEPTED, REFUSED, EXPIRED, TERMINATED = "accepted", "refused", "expired", "terminated"
STATUSES = (PENDING, COUNTERED, CONFIRM, ACCEPTED, REFUSED, EXPIRED, TERMINATED)
OPEN = (PENDING, COUNTERED, CONFIRM)


@dataclass(frozen=True, kw_only=True)
class Negotiation:
    """The two-sided record of one agreement."""

    grant_id: str
    person_id: str
    client_id: str
    status: str
    updated_at: datetime
    record: dict[str, Any]
    vendor_jws: str | None = None
    custos_jws: str | None = None
    counter: str | None = None


_SELECT = ("SELECT grant_id, person_id, client_id, status, updated_at, body FROM negotiations")
_UNSEEN = object()


def _open(key: bytes, row: tuple) -> Negotiation:
    gid, pid, cid, status, updated, body = row
    data = crypto.open_json(key, body, pid, "negotiations", gid, "body")
    return Negotiation(grant_id=gid, person_id=pid, client_id=cid, status=status,
                       updated_at=from_iso(updated), record=data["record"],
                       vendor_jws=data.get("vendor_jws"), custos_jws=data.get("custos_jws"),
                       counter=data.get("counter"))


class Negotiations:
    """Open, answer and read two-sided records."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def _write(self, tx: Tx, key: bytes, n: Negotiation, now: datetime, *, new: bool) -> None:
        body = crypto.seal_json(key, {"record": n.record, "vendor_jws": n.vendor_jws,
                                      "custos_jws": n.custos_jws, "counter": n.counter},
                                n.person_id, "negotiations", n.grant_id, "body")
        tx.memo.pop(("negotiation", n.grant_id), None)
        if new:
            tx.run("INSERT INTO negotiations (grant_id, person_id, client_id, status, "
                   "updated_at, body) VALUES (?, ?, ?, ?, ?, ?)",
                   (n.grant_id, n.person_id, n.client_id, n.status, iso(now), body))
        else:
            tx.run("UPDATE negotiations SET status = ?, updated_at = ?, body = ? "
                   "WHERE grant_id = ?", (n.status, iso(now), body, n.grant_id))
        audit.append(tx, n.person_id, key, NegotiationChanged(
            grant_id=n.grant_id, client_id=n.client_id, status=n.status,
            agreements=list(n.record.get("agreements", [])), counter=n.counter), now)

    def open(self, grant_id: str, person_id: str, client_id: str, record: dict[str, Any],
             now: datetime, status: str = PENDING) -> Negotiation:
        """Store the proffered record of a new agreement, awaiting the vendor's answer."""
        n = Negotiation(grant_id=grant_id, person_id=person_id, client_id=client_id,
                        status=status, updated_at=now, record=record)
        with self.db.write() as tx:
            self._write(tx, locked_key(tx, self.keys, person_id), n, now, new=True)
        return n

    def change(self, grant_id: str, now: datetime, *, expect: tuple[str, ...] | None = None,
               **changes: Any) -> Negotiation | None:
        """Set the status (and the record, signatures or counter) of one record; None, and
        nothing changed, when its status (read under the person's lock) is not in `expect`:
        two answers racing cannot both win."""
        with self.db.write() as tx:
            row = tx.one("SELECT person_id FROM negotiations WHERE grant_id = ?", (grant_id,))
            if row is None:
                raise NotFound("negotiation", grant_id)
            key = locked_key(tx, self.keys, row[0])
            current = _open(key, tx.row(_SELECT + " WHERE grant_id = ?", (grant_id,)))
            if expect is not None and current.status not in expect:
                return None
            changed = Negotiation(**{**current.__dict__, **changes, "updated_at": now})
            self._write(tx, key, changed, now, new=False)
        return changed

    def find(self, grant_id: str) -> Negotiation | None:
        """The record of one agreement, or None when it proffered nothing."""
        with self.db.read() as tx:
            row = tx.one(_SELECT + " WHERE grant_id = ?", (grant_id,))
            return _open(self.keys.data_key(tx, row[1]), row) if row else None

    def seen(self, tx: Tx, grant_id: str, status: str | None) -> None:
        """Keep the status of an agreement's record (None: it proffered nothing) as a lookup in
        `tx` read it (the token's, `vault/access.py`), so `waiting` need not read it again; a
        change of the record in `tx` forgets it."""
        tx.memo["negotiation", grant_id] = status

    def waiting(self, grant_id: str) -> Negotiation | None:
        """The record of an agreement whose proffered standard agreements the vendor has not
        accepted yet; None when it proffered none or they are accepted."""
        tx = self.db.current()
        if tx is not None and tx.memo.get(("negotiation", grant_id), _UNSEEN) in (None, ACCEPTED):
            return None  # as read with the token, in this transaction (`seen`)
        n = self.find(grant_id)
        return n if n is not None and n.status != ACCEPTED else None

    def for_person(self, person_id: str) -> list[Negotiation]:
        """Every record of a person, newest first."""
        with self.db.read() as tx:
            rows = tx.all(_SELECT + " WHERE person_id = ? ORDER BY updated_at DESC",
                          (person_id,))
            if not rows:
                return []
            key = self.keys.data_key(tx, person_id)
            return [_open(key, r) for r in rows]
