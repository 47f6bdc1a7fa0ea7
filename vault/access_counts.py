"""How often a vendor read a person's data, per calendar period: the input of `frequency` rules.

One row per (person, vendor, period, bucket), bumped in the transaction of each allowed read,
so a frequency check is one indexed lookup per period the person's rules use, however many
reads there were. Buckets are the calendar periods of `common.periods` (UTC): hour
`2026-11-25T09`, day `2026-11-25`, ISO week `2026-W48`, month `2026-11`, year `2026`. The counts
say *that* a vendor read, never what; they are plain like an agreement's `last_used_at`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from common.periods import PERIODS, bucket, buckets

from .db import Backend, Tx

#: how long the fine-grained buckets are kept (coarse ones are few)
KEEP = {"hour": timedelta(days=2), "day": timedelta(days=62)}

SCHEMA: list[str] = [
    """CREATE TABLE access_counts (
        person_id TEXT NOT NULL REFERENCES persons(id) ON DELETE CASCADE,
        client_id TEXT NOT NULL,
        period TEXT NOT NULL,
        bucket TEXT NOT NULL,
        count INTEGER NOT NULL,
        PRIMARY KEY (person_id, client_id, period, bucket)
    )""",
]


# one statement (one round trip on PostgreSQL) bumps every period's bucket
_BUMP = ("INSERT INTO access_counts (person_id, client_id, period, bucket, count) VALUES "
         + ", ".join("(?, ?, ?, ?, 1)" for _ in PERIODS)
         + " ON CONFLICT (person_id, client_id, period, bucket) "
         "DO UPDATE SET count = access_counts.count + 1")


class AccessCounts:
    """Read and bump the per-period counters of vendor reads."""

    def __init__(self, db: Backend) -> None:
        self.db = db

    def counts(self, tx: Tx, person_id: str, client_id: str, periods: set[str] | frozenset[str],
               at: datetime) -> dict[str, int]:
        """Reads so far in the current bucket of each period asked for."""
        found = {}
        for period in sorted(periods):
            row = tx.one("SELECT count FROM access_counts WHERE person_id = ? AND client_id = ? "
                         "AND period = ? AND bucket = ?",
                         (person_id, client_id, period, bucket(period, at)))
            found[period] = int(row[0]) if row else 0
        return found

    def add(self, tx: Tx, person_id: str, client_id: str, at: datetime) -> None:
        """Count one read in every period (inside the read's write transaction)."""
        tx.send(_BUMP, [v for p, b in zip(PERIODS, buckets(at), strict=True)
                        for v in (person_id, client_id, p, b)])

    def prune(self, at: datetime) -> int:
        """Drop hour and day buckets too old for any rule to look at."""
        removed = 0
        with self.db.write() as tx:
            for period, keep in KEEP.items():
                removed += tx.run("DELETE FROM access_counts WHERE period = ? AND bucket < ?",
                                  (period, bucket(period, at - keep)))
        return removed
