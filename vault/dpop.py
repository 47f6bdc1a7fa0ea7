"""The DPoP proof replay cache (RFC 9449 section 11.1), shared by every app process.

A proof's `jti` is remembered, as a SHA-256 of the key's thumbprint and the `jti` (never the
proof), until the proof could no longer be accepted anyway; a second use of the same pair is a
replay. The cache is a table, not memory, so a proof replayed to another process behind the
same load balancer is refused too. Expired rows go as new ones come.

`first_use` joins the write transaction open on this thread, if any: a resource read records
its proof in its own transaction (one commit, not two), and the row is there exactly when the
read's work is. Concurrent uses of one proof still meet at the primary key: the second waits
for the first transaction and then finds the row (or, if it rolled back, takes it).
"""

from __future__ import annotations

from datetime import datetime

from . import crypto
from .db import Backend, iso

SCHEMA = [
    """CREATE TABLE dpop_proofs (
        proof_hash TEXT PRIMARY KEY,
        expires_at TEXT NOT NULL
    )""",
    "CREATE INDEX dpop_proofs_expiry ON dpop_proofs(expires_at)",
]


class DpopProofs:
    """Remember each proof once; `first_use` is False for a proof seen before."""

    def __init__(self, db: Backend) -> None:
        self.db = db

    def first_use(self, jkt: str, jti: str, *, until: datetime, now: datetime) -> bool:
        """Record (jkt, jti) until `until`; True for exactly one caller, even concurrently."""
        digest = crypto.sha256_hex(f"{jkt}\x00{jti}".encode())
        with self.db.write() as tx:
            # nobody reads the sweep's answer: on PostgreSQL it shares the INSERT's round trip,
            # and rows a concurrent sweep holds are skipped, not waited for
            tx.send("DELETE FROM dpop_proofs WHERE proof_hash IN (SELECT proof_hash FROM "
                    f"dpop_proofs WHERE expires_at < ?{self.db.skip_locked})", (iso(now),))
            return tx.run(
                "INSERT INTO dpop_proofs (proof_hash, expires_at) VALUES (?, ?) "
                "ON CONFLICT (proof_hash) DO NOTHING", (digest, iso(until))) == 1
