"""The scale-out store: PostgreSQL through psycopg 3, one connection per thread.

Key-store tables are prefixed `keystore_` so `pg_dump --exclude-table='keystore_*'`
makes a data backup without the data keys. Writers of one person are serialised with
`SELECT ... FOR UPDATE` on the person's row, which keeps the audit chain linear.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg

from ..errors import VaultError
from . import Backend, Tx

_MIGRATION_LOCK = 0x637573746F73  # "custos": one advisory lock id for migrations


class PostgresBackend(Backend):
    """Autocommit connections with explicit transactions, per thread."""

    dialect = "postgres"
    placeholder = "%s"
    key_prefix = "keystore_"
    blob_type = "BYTEA"
    lock_person_sql = "SELECT id FROM persons WHERE id = ? FOR UPDATE"
    integrity_errors = (psycopg.errors.IntegrityError,)

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self.created = False

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self.url, autocommit=True)
        except psycopg.OperationalError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise VaultError(f"cannot connect to PostgreSQL: {first}") from None

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Tx]:
        conn: psycopg.Connection[Any] = self.connection()
        with conn.transaction(), conn.cursor() as cur:
            if not write:
                cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield Tx(self, cur)

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
