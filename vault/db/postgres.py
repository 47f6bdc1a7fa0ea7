"""The scale-out store: PostgreSQL through psycopg 3, one connection per thread.

Key-store tables are prefixed `keystore_` so `pg_dump --exclude-table='keystore_*'`
makes a data backup without the data keys. Writers of one person are serialised with
`SELECT ... FOR UPDATE` on the person's row, which keeps the audit chain linear.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg

from ..errors import VaultError
from . import Backend, Tx, redact

_MIGRATION_LOCK = 0x637573746F73  # "custos": one advisory lock id for migrations
_OPEN = (psycopg.pq.TransactionStatus.INTRANS, psycopg.pq.TransactionStatus.INERROR)


class PostgresBackend(Backend):
    """Autocommit connections with explicit transactions, per thread."""

    dialect = "postgres"
    placeholder = "%s"
    key_prefix = "keystore_"
    blob_type = "BYTEA"
    skip_locked = " FOR UPDATE SKIP LOCKED"
    lock_person_sql = "SELECT log_seq, log_head FROM persons WHERE id = ? FOR UPDATE"
    append_sql = (
        "WITH entry AS (INSERT INTO events (person_id, seq, at, kind, payload, prev_mac, mac) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)) "
        "UPDATE persons SET log_seq = ?, log_head = ? WHERE id = ?",
    )
    row_locks = True
    integrity_errors = (psycopg.errors.IntegrityError,)
    errors = (psycopg.errors.ReadOnlySqlTransaction,)

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise VaultError(f"cannot connect to PostgreSQL: {first}") from None

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Tx]:
        """BEGIN … COMMIT on this thread's connection, COMMIT waited for before returning.

        A read is one statement to begin (`BEGIN ISOLATION LEVEL REPEATABLE READ, READ
        ONLY`). A write runs in pipeline mode: BEGIN goes out with the first statement, a
        `Tx.send` with the next one that waits for an answer, and the COMMIT with the last
        sends, answered before this returns (pipeline exit syncs; an error raises here).
        Whatever fails, a transaction left open or aborted is rolled back."""
        conn: psycopg.Connection[Any] = self.connection()
        try:
            with conn.cursor() as cur:
                if write:
                    with conn.pipeline() as pipeline:
                        cur.execute("BEGIN")
                        yield Tx(self, cur, writable=True, pipeline=pipeline)
                        cur.execute("COMMIT")
                else:
                    cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    yield Tx(self, cur, writable=False)
                    cur.execute("COMMIT")
        finally:
            if conn.broken:
                self._forget(conn)  # the next transaction on this thread reconnects
            elif conn.pgconn.transaction_status in _OPEN:  # only on an error (raised above)
                try:
                    conn.execute("ROLLBACK")
                except psycopg.Error:
                    conn.close()
                    self._forget(conn)

    def _forget(self, conn: psycopg.Connection[Any]) -> None:
        if getattr(self._local, "conn", None) is conn:
            self._local.conn = None

    def is_read_only_error(self, exc: BaseException) -> bool:
        return isinstance(exc, psycopg.errors.ReadOnlySqlTransaction)

    def tables_present(self) -> set[str]:
        with self.read() as tx:
            rows = tx.all(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
        return {r[0] for r in rows}

    def batches(self, tx: Tx, sql: str, size: int) -> Iterator[Sequence[Any]]:
        """Through a server-side cursor, so memory stays flat however big the table."""
        with tx.cursor.connection.cursor(name="custos_copy") as cursor:
            cursor.itersize = size
            cursor.execute(self.sql(sql))
            while rows := cursor.fetchmany(size):
                yield rows

    def describe(self) -> str:
        return f"PostgreSQL, {redact(self.url)}"

    def location(self) -> str:
        return redact(self.url)

    def migration_lock(self, tx: Tx) -> None:
        """Several app processes may start together; only one migrates at a time."""
        tx.run(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})")

    def dump_text(self) -> str:
        """Every row of every table as text, for tests that scan for plaintext."""
        out: list[str] = []
        with self.read() as tx:
            tables = tx.all(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
            )
            for (name,) in tables:
                for (text,) in tx.all(f'SELECT t::text FROM "{name}" t'):
                    out.append(text)
        return "\n".join(out)
