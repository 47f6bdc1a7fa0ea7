"""One storage interface over SQLite and PostgreSQL, so the vault's SQL is written once.

SQL is written with `?` placeholders, `{k}` before key-store tables and `{blob}` for binary
columns; each backend translates it (`%s`, `keystore.` or `keystore_`, BLOB or BYTEA).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from ..errors import ReadOnlyTransaction

Row = tuple[Any, ...]
Mode = Literal["read", "write"]


def redact(url: str) -> str:
    """A database URL without its password, for messages and reports."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def iso(when: datetime) -> str:
    """A sortable UTC timestamp; naive datetimes are taken as UTC."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).isoformat(timespec="microseconds")


#: parse a timestamp written by `iso` (the method itself: a read parses 26 timestamps)
from_iso: Callable[[str], datetime] = datetime.fromisoformat


class Tx:
    """One open transaction on this thread's connection: run SQL, fetch rows."""

    def __init__(self, backend: Backend, cursor: Any, *, writable: bool,
                 pipeline: Any = None) -> None:
        self.backend = backend
        self.cursor = cursor
        self.writable = writable
        #: PostgreSQL write transactions run in psycopg's pipeline mode: statements go out
        #: as they are executed, and the app waits for the server only when it needs an
        #: answer (a row, a row count, the COMMIT), so statements nobody waits for (`send`)
        #: share the next round trip
        self.pipeline = pipeline
        #: what this transaction already worked out (a person's unwrapped data key, the chain
        #: head of a locked person): gone with the transaction, never shared between two
        self.memo: dict[tuple[str, str], Any] = {}
        #: run once this transaction has committed (never after a rollback): caches of what
        #: it wrote, so a cache never holds a row that was rolled back
        self.after_commit: list[Callable[[], None]] = []
        self.actor: str | None = None  # who acts, stamped on the log entries (audit.append)
        #: queries sent ahead (`ahead`), by statement and parameters, until taken or stale
        self._ahead: dict[tuple[str, tuple[Any, ...]], Any] = {}

    def run(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Execute one statement; returns the number of rows it changed."""
        self._execute(sql, params)
        self.sync()
        return self.cursor.rowcount

    def send(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Execute one statement whose answer nobody reads (an INSERT, an UPDATE, a lock).

        On PostgreSQL it costs no round trip of its own: it goes out at once and its answer
        is collected with the next statement that waits for one (at the latest the COMMIT),
        in order, in this transaction. An error it raises is raised there, so still before
        the transaction commits, and the whole transaction rolls back as with `run`."""
        self._execute(sql, params)

    def ahead(self, sql: str, params: Sequence[Any] = ()) -> None:
        """Send a query whose rows this transaction is likely to ask for soon, by `all` with
        the very same statement and parameters (a guess: the fields of a vendor's last read).

        On PostgreSQL's pipeline it goes out now, with the round trip under way, instead of
        costing one of its own later. `all` takes its rows only while nothing but SELECTs
        went out after it, so no statement of this transaction can have changed them; else,
        or when the guess was wrong, `all` asks afresh. Its rows are then those of the moment
        it ran, which the caller makes no different from a later one by sending it after the
        lock that keeps other writers out (`vault/access.py`). Elsewhere a no-op."""
        if self.pipeline is not None:
            params = tuple(params)
            self._ahead[sql, params] = self.pipeline.ask(self.backend.sql(sql), params)

    def many(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        """Execute one statement for many parameter rows (bulk loads, batches)."""
        self._ahead.clear()
        try:
            self.cursor.executemany(self.backend.sql(sql), [tuple(r) for r in rows])
        except self.backend.errors as exc:
            self._refused(exc)
            raise
        self.sync()

    def sync(self) -> None:
        """Wait for the answers of every statement sent so far (PostgreSQL's pipeline; a
        no-op elsewhere), raising the first error among them."""
        if self.pipeline is not None:
            self.pipeline.sync()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Every row of a query (those of the same query sent `ahead`, if still good)."""
        if self._ahead and (sent := self._ahead.pop((sql, tuple(params)), None)) is not None:
            return self.pipeline.rows(sent)
        self._execute(sql, params)
        return [tuple(r) for r in self.cursor.fetchall()]

    def one(self, sql: str, params: Sequence[Any] = ()) -> Row | None:
        """The first row of a query, or None."""
        self._execute(sql, params)
        row = self.cursor.fetchone()
        return tuple(row) if row is not None else None

    def row(self, sql: str, params: Sequence[Any] = ()) -> Row:
        """The first row of a query that always finds one (a count, or a row this transaction
        wrote or locked); none is a bug, raised as `LookupError`."""
        found = self.one(sql, params)
        if found is None:
            raise LookupError(f"no row for: {sql}")
        return found

    def _execute(self, sql: str, params: Sequence[Any]) -> None:
        if self._ahead and not sql.startswith("SELECT"):
            self._ahead.clear()  # it may change what a query sent ahead has read
        try:
            self.cursor.execute(self.backend.sql(sql), tuple(params))
        except self.backend.errors as exc:
            self._refused(exc)
            raise

    def _refused(self, exc: BaseException) -> None:
        """A write statement in a read transaction: the same error on every backend."""
        if not self.writable and self.backend.is_read_only_error(exc):
            raise ReadOnlyTransaction() from None

    def lock_person(self, person_id: str) -> bool:
        """Serialise writers of one person (audit chain); True if the person exists. The same
        statement reads the chain head (seq, MAC), kept for `audit.append` in this transaction."""
        if ("head", person_id) in self.memo:
            return True
        row = self.one(self.backend.lock_person_sql, (person_id,))
        if row is None:
            return False
        self.memo["head", person_id] = (row[0], row[1])
        return True


class _Joined:
    """A nested transaction: the outer one, with its own actor for the block if it names one
    (a plain object, not a generator: a vendor's read joins its transaction three times)."""

    __slots__ = ("tx", "actor", "before")

    def __init__(self, tx: Tx, actor: str | None) -> None:
        self.tx, self.actor = tx, actor
        self.before: str | None = None

    def __enter__(self) -> Tx:
        self.before = self.tx.actor
        self.tx.actor = self.actor or self.before
        return self.tx

    def __exit__(self, *exc: object) -> None:
        self.tx.actor = self.before


class Backend:
    """What both stores share: per-thread connections and nested-safe transactions."""

    dialect = ""  # "sqlite" or "postgres": for vault/migrations.py only, never outside vault/
    placeholder = "?"
    key_prefix = "keystore."
    blob_type = "BLOB"
    lock_person_sql = "SELECT log_seq, log_head FROM persons WHERE id = ?"
    #: appended to a SELECT of rows a sweep deletes: rows another transaction holds are
    #: left for a later sweep instead of waited for (PostgreSQL; SQLite has one writer)
    skip_locked = ""
    #: a log entry and the new chain head: two statements, or one where the dialect allows
    #: (parameters: the entry's 7 columns, then seq, head, person)
    append_sql: tuple[str, ...] = (
        "INSERT INTO events (person_id, seq, at, kind, payload, prev_mac, mac) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        "UPDATE persons SET log_seq = ?, log_head = ? WHERE id = ?",
    )
    row_locks = False  # PostgreSQL locks rows (FOR UPDATE); SQLite's write lock is the store's
    integrity_errors: tuple[type[BaseException], ...] = ()
    created: Path | None = None  # the file this backend made on opening, if it made one
    errors: tuple[type[BaseException], ...] = ()  # the driver's errors, for `is_read_only_error`

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

    def transaction(self, mode: Mode, actor: str | None = None) -> AbstractContextManager[Tx]:
        """A read (one consistent snapshot, no writes) or write transaction on this thread.

        Nested calls join the outer transaction; a write asked for inside a read raises
        `ReadOnlyTransaction` on every backend, before anything runs. `actor` names who acts
        (the caller's vocabulary): every log entry appended inside says so; a nested call
        that names one does so for its own block only.
        """
        if mode not in ("read", "write"):
            raise ValueError(f"a transaction is 'read' or 'write', not {mode!r}")
        outer: Tx | None = getattr(self._local, "tx", None)
        if outer is not None:
            if mode == "write" and not outer.writable:
                raise ReadOnlyTransaction()
            return _Joined(outer, actor)
        return self._outermost(mode == "write", actor)

    @contextmanager
    def _outermost(self, write: bool, actor: str | None) -> Iterator[Tx]:
        with self._transaction(write=write) as tx:
            tx.actor = actor or getattr(self._local, "actor", None)
            self._local.tx = tx
            try:
                yield tx
            finally:
                self._local.tx = None
        for hook in tx.after_commit:  # reached only when the commit succeeded
            hook()

    @contextmanager
    def acting(self, actor: str) -> Iterator[None]:
        """Who acts in the transactions this thread opens inside the block, unless one names
        another (a person's page request: every entry it logs says she did it)."""
        before = getattr(self._local, "actor", None)
        self._local.actor = actor
        try:
            yield
        finally:
            self._local.actor = before

    def current(self) -> Tx | None:
        """The transaction open on this thread, if any."""
        return getattr(self._local, "tx", None)

    def write(self) -> AbstractContextManager[Tx]:
        """Short for `transaction("write")`, inside the vault."""
        return self.transaction("write")

    def read(self) -> AbstractContextManager[Tx]:
        """Short for `transaction("read")`, inside the vault."""
        return self.transaction("read")

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

    def is_read_only_error(self, exc: BaseException) -> bool:
        """Whether the driver refused a write because the transaction is read-only."""
        return False

    def tables_present(self) -> set[str]:  # pragma: no cover - abstract
        """The tables present in the store, named as this backend's SQL names them."""
        raise NotImplementedError

    def batches(self, tx: Tx, sql: str, size: int) -> Iterator[Sequence[Any]]:
        """The rows of a query in batches of `size` (a copy of a whole table)."""
        tx.cursor.execute(self.sql(sql))
        while rows := tx.cursor.fetchmany(size):
            yield rows

    def describe(self) -> str:  # pragma: no cover - abstract
        """Where the store lives, in words for the operator (never a password)."""
        raise NotImplementedError

    def location(self) -> str:  # pragma: no cover - abstract
        """Where the store lives, as a URL without its password."""
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
