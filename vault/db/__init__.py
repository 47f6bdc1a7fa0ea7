"""One storage interface over SQLite and PostgreSQL, so the vault's SQL is written once.

SQL is written with `?` placeholders, `{k}` before key-store tables and `{blob}` for binary
columns; each backend translates it (`%s`, `keystore.` or `keystore_`, BLOB or BYTEA).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

Row = tuple[Any, ...]


def iso(when: datetime) -> str:
    """A sortable UTC timestamp; naive datetimes are taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    """Parse a timestamp written by `iso`."""
    return datetime.fromisoformat(text)


class Tx:
    """One open transaction on this thread's connection: run SQL, fetch rows."""

    def __init__(self, backend: Backend, cursor: Any) -> None:
        self.backend = backend
        self.cursor = cursor

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute one statement; returns the number of rows it changed."""
        self.cursor.execute(self.backend.sql(sql), tuple(params))
        return self.cursor.rowcount

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Execute one statement for many parameter rows (bulk loads, batches)."""
        self.cursor.executemany(self.backend.sql(sql), [tuple(r) for r in rows])

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query."""
        self.cursor.execute(self.backend.sql(sql), tuple(params))
        return [tuple(r) for r in self.cursor.fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        self.cursor.execute(self.backend.sql(sql), tuple(params))
        row = self.cursor.fetchone()
        return tuple(row) if row is not None else None

    def lock_person(self, person_id: str) -> bool:
        """Serialise writers of one person (audit chain); True if the person exists."""
        return self.one(self.backend.lock_person_sql, (person_id,)) is not None


class Backend:
    """What both stores share: per-thread connections and nested-safe transactions."""

    dialect = "generic"
    placeholder = "?"
    key_prefix = "keystore."
    blob_type = "BLOB"
    lock_person_sql = "SELECT id FROM persons WHERE id = ?"
    integrity_errors: tuple[type[BaseException], ...] = ()

    def __init__(self) -> None:
        self._local = threading.local()
        self._all: list[Any] = []
        self._lock = threading.Lock()

    def sql(self, text: str) -> str:
        """Translate portable SQL into this dialect (cached: statements are few)."""
        return _translate(text, self.placeholder, self.key_prefix, self.blob_type)

    def connection(self) -> Any:
        """This thread's connection, opened on first use (the server is multi-threaded)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    @contextmanager
    def write(self) -> Iterator[Tx]:
        """A write transaction; nested calls on one thread join the outer one."""
        outer = getattr(self._local, "tx", None)
        if outer is not None:
            yield outer
            return
        with self._transaction(write=True) as tx:
            self._local.tx = tx
            try:
                yield tx
            finally:
                self._local.tx = None

    @contextmanager
    def read(self) -> Iterator[Tx]:
        """A read transaction, so a multi-query read sees one consistent snapshot."""
        outer = getattr(self._local, "tx", None)
        if outer is not None:
            yield outer
            return
        with self._transaction(write=False) as tx:
            self._local.tx = tx
            try:
                yield tx
            finally:
                self._local.tx = None

    def close(self) -> None:
        """Close every connection this backend opened, on any thread."""
        with self._lock:
            conns, self._all = self._all, []
        for conn in conns:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing must not mask the caller's error
                pass
        self._local = threading.local()

    def _connect(self) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _transaction(self, write: bool) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def migration_lock(self, tx: Tx) -> None:
        """Keep two processes from migrating at once (SQLite: BEGIN IMMEDIATE already does)."""


@lru_cache(maxsize=512)
def _translate(text: str, placeholder: str, key_prefix: str, blob_type: str) -> str:
    out = text.replace("{k}", key_prefix).replace("{blob}", blob_type)
    return out.replace("?", placeholder) if placeholder != "?" else out


def open_backend(home: Any, database_url: str | None) -> Backend:
    """SQLite in `home` when no URL is given, PostgreSQL for a postgres:// URL."""
    if database_url is None or database_url.startswith("sqlite"):
        from .sqlite import SQLiteBackend

        return SQLiteBackend(home)
    if database_url.startswith(("postgresql://", "postgres://")):
        from .postgres import PostgresBackend

        return PostgresBackend(database_url)
    from ..errors import VaultError

    raise VaultError("database URL must start with postgresql:// (or be unset for SQLite)")
