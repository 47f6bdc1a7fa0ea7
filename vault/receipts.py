"""Consent receipts: the signed record of an agreement, the same for the person and the vendor.

The receipt speaks of the person (what they agreed to share, under their pairwise identifier),
so its JSON and its JWS are sealed with the person's key; the grant id links it to the
agreement whose live status is shown beside it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from . import crypto
from .db import Backend, from_iso, iso
from .errors import NotFound
from .keystore import KeyStore


@dataclass(frozen=True, kw_only=True)
class Receipt:
    """A receipt as stored: the Kantara JSON and its compact JWS."""

    id: str
    grant_id: str
    person_id: str
    client_id: str
    created_at: datetime
    receipt: dict
    jws: str


_SELECT = "SELECT id, grant_id, person_id, client_id, created_at, body FROM receipts"


class Receipts:
    """Store and fetch receipts by id or by agreement."""

    def __init__(self, db: Backend, keys: KeyStore) -> None:
        self.db = db
        self.keys = keys

    def add(self, grant_id: str, person_id: str, client_id: str, receipt: dict, jws: str,
            now: datetime, receipt_id: str | None = None) -> Receipt:
        """Seal and store the receipt of one agreement."""
        rid = receipt_id or str(uuid.uuid4())
        with self.db.write() as tx:
            key = self.keys.data_key(tx, person_id)
            body = crypto.seal_json(key, {"receipt": receipt, "jws": jws}, person_id, "receipts",
                                    rid, "body")
            tx.run("INSERT INTO receipts (id, grant_id, person_id, client_id, created_at, body) "
                   "VALUES (?, ?, ?, ?, ?, ?)", (rid, grant_id, person_id, client_id, iso(now),
                                                body))
        return Receipt(id=rid, grant_id=grant_id, person_id=person_id, client_id=client_id,
                       created_at=now, receipt=receipt, jws=jws)

    def _one(self, where: str, value: str) -> Receipt:
        with self.db.read() as tx:
            row = tx.one(_SELECT + f" WHERE {where} = ?", (value,))
            if row is None:
                raise NotFound("receipt", value)
            rid, gid, pid, cid, created, body = row
            data = crypto.open_json(self.keys.data_key(tx, pid), body, pid, "receipts", rid,
                                    "body")
        return Receipt(id=rid, grant_id=gid, person_id=pid, client_id=cid,
                       created_at=from_iso(created), receipt=data["receipt"], jws=data["jws"])

    def get(self, receipt_id: str) -> Receipt:
        """A receipt by id; NotFound if none."""
        return self._one("id", receipt_id)

    def for_grant(self, grant_id: str) -> Receipt:
        """The receipt of one agreement; NotFound if none."""
        return self._one("grant_id", grant_id)

    def replace(self, grant_id: str, receipt: dict, jws: str) -> Receipt:
        """Put a newer signed receipt in place of an agreement's (when the vendor's acceptance
        is added to it); its id and time stay, so both sides still name it the same."""
        with self.db.write() as tx:
            row = tx.one("SELECT id, person_id FROM receipts WHERE grant_id = ?", (grant_id,))
            if row is None:
                raise NotFound("receipt", grant_id)
            rid, pid = row
            body = crypto.seal_json(self.keys.data_key(tx, pid), {"receipt": receipt, "jws": jws},
                                    pid, "receipts", rid, "body")
            tx.run("UPDATE receipts SET body = ? WHERE id = ?", (body, rid))
        return self.for_grant(grant_id)
