"""The embedded store: SQLite through sqlite-utils, WAL, synchronous=FULL, BEGIN IMMEDIATE.

The data lives in `custos.db`; the wrapped keys live in `keys.db`, attached as `keystore`,
so a copy of `custos.db` never holds a data key (crypto-shredding reaches backups).

SQLite takes one writer at a time. This process's writers queue on one lock, in order, before
BEGIN IMMEDIATE: SQLite's own busy handler sleeps and retries instead (which gave reads that log
an entry a p99 of ~300 ms under 8 clients). Read transactions run with `query_only`, so a write
inside one fails here as it does on PostgreSQL (READ ONLY).

Group commit: writers that arrive while a write transaction is open join it instead of queuing
for the next one. Each runs in turn, in a SAVEPOINT of its own on the open transaction's
connection (its failure rolls back its part only); the last one to finish COMMITs, with
`synchronous=FULL`, and only then does any of them return. So one fsync serves every writer
that was waiting, and each is told "done" only once its work is durable, as before.
"""

from __future__ import annotations

import fcntl
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import sqlite_utils

from . import Backend, Tx

DATA_FILE = "custos.db"
KEYS_FILE = "keys.db"
BUSY_SECONDS = 30
TURNS_FILE = "writer.lock"  # an empty file, locked with flock while a process writes
GROUP_MAX = 64  # writers in one commit at most (a server has far fewer threads)


class _Group:
    """One open write transaction that writers of this process join, then commit together."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.turn = threading.Lock()  # one writer at a time on the shared connection
        self.members = 0  # joined and not finished
        self.joined = 0
        self.closed = False  # full or committing: later writers start the next group
        # held until the group has ended; each waiting member passes through it in turn (a
        # plain lock: an Event costs ~5 µs more a transaction, most of which have one member)
        self.done = threading.Lock()
        self.done.acquire()
        self.error: BaseException | None = None  # BEGIN or COMMIT failed: nobody's work holds
        self.holds_writer = False


class SQLiteBackend(Backend):
    """One sqlite3 connection per thread, each with the key store attached."""

    dialect = "sqlite"  # picks per-dialect migration statements (vault/migrations.py)
    placeholder = "?"
    key_prefix = "keystore."
    blob_type = "BLOB"
    lock_person_sql = "SELECT log_seq, log_head FROM persons WHERE id = ?"
    integrity_errors = (sqlite3.IntegrityError,)
    errors = (sqlite3.OperationalError,)

    def __init__(self, home: Path) -> None:
        super().__init__()
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.data_path = self.home / DATA_FILE
        self.keys_path = self.home / KEYS_FILE
        self.created = None if self.data_path.exists() else self.data_path
        self._writer = threading.Lock()
        self._groups = threading.Lock()  # guards `_group`
        self._turns: int | None = None  # the lock file writers of all processes take turns on
        self._group: _Group | None = None

    def _connect(self) -> sqlite_utils.Database:
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
        conn = sqlite3.connect(
            self.data_path, isolation_level=None, check_same_thread=False, timeout=BUSY_SECONDS
        )
        db = sqlite_utils.Database(conn, execute_plugins=False)
        db.execute("ATTACH DATABASE ? AS keystore", [str(self.keys_path)])
        for schema in ("main", "keystore"):
            db.execute(f"PRAGMA {schema}.journal_mode=WAL")
            db.execute(f"PRAGMA {schema}.synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute(f"PRAGMA busy_timeout={BUSY_SECONDS * 1000}")
        return db

    def _transaction(self, write: bool) -> AbstractContextManager[Tx]:
        return self._grouped() if write else self._reading()

    @contextmanager
    def _reading(self) -> Iterator[Tx]:
        db: sqlite_utils.Database = self.connection()
        self._query_only(db, True)
        db.conn.execute("BEGIN")
        tx = Tx(self, db.conn.cursor(), writable=False)
        try:
            yield tx
        finally:
            tx.cursor.close()
            db.conn.execute("ROLLBACK")  # nothing to keep: it could not write

    def _join(self) -> tuple[_Group, bool]:
        """The open group to join, or a new one this writer leads (holding its turn)."""
        with self._groups:
            group = self._group
            leader = group is None or group.closed
            if group is None or leader:
                group = self._group = _Group(self.connection())
                group.turn.acquire()
            group.members += 1
            group.joined += 1
            if group.joined >= GROUP_MAX:
                group.closed = True
            return group, leader

    def _begin(self, group: _Group) -> None:
        """The leader takes this process's write lock, then SQLite's, for the whole group."""
        try:
            if not self._writer.acquire(timeout=BUSY_SECONDS):
                raise sqlite3.OperationalError("database is locked")
            group.holds_writer = True
            self._between_processes(fcntl.LOCK_EX)
            self._query_only(group.db, False)
            group.db.conn.execute("BEGIN IMMEDIATE")  # sqlite3's own: no sqlite_utils parsing
        except BaseException as exc:
            group.error = exc
            with self._groups:
                group.closed = True
                if self._group is group:
                    self._group = None
            raise

    @contextmanager
    def _grouped(self) -> Iterator[Tx]:
        group, leader = self._join()
        failed: BaseException | None = None
        try:
            if leader:
                self._begin(group)
            else:
                group.turn.acquire()
                if group.error is not None:
                    raise sqlite3.OperationalError("the write transaction could not begin")
            tx = Tx(self, group.db.conn.cursor(), writable=True)
            try:
                tx.cursor.execute("SAVEPOINT writer")
                try:
                    yield tx
                except BaseException:
                    self._undo(group, tx)
                    raise
                tx.cursor.execute("RELEASE writer")
            finally:
                tx.cursor.close()
        except BaseException as exc:
            failed = exc
            raise
        finally:
            self._finish(group, failed)

    @staticmethod
    def _undo(group: _Group, tx: Tx) -> None:
        """Roll back this writer's part; if SQLite already ended the whole transaction (an
        I/O error), nobody's part holds and the group fails."""
        try:
            tx.cursor.execute("ROLLBACK TO writer")
            tx.cursor.execute("RELEASE writer")
        except sqlite3.Error as exc:
            group.error = group.error or exc

    def _finish(self, group: _Group, failed: BaseException | None) -> None:
        """Leave the group; the last writer out commits it. Every writer returns only once
        the group has ended (its connection is then free again); one whose own work succeeded
        fails if the commit did."""
        with self._groups:
            group.members -= 1
            last = group.members == 0
            if last:
                group.closed = True
                if self._group is group:
                    self._group = None
        if last:
            try:
                if group.error is None:
                    group.db.conn.execute("COMMIT")
                elif group.db.conn.in_transaction:
                    group.db.conn.execute("ROLLBACK")
            except BaseException as exc:
                group.error = group.error or exc
                if group.db.conn.in_transaction:
                    group.db.conn.execute("ROLLBACK")
            finally:
                if group.holds_writer:
                    self._between_processes(fcntl.LOCK_UN)
                    self._writer.release()
                group.done.release()
            group.turn.release()
        else:
            group.turn.release()
            group.done.acquire()  # until the last member has committed
            group.done.release()  # and the next waiting member may pass
        if failed is None and group.error is not None:
            raise sqlite3.OperationalError("the write transaction did not commit")

    def close(self) -> None:
        super().close()
        if self._turns is not None:
            os.close(self._turns)
            self._turns = None

    def _between_processes(self, how: int) -> None:
        """Writers of several processes on one store take turns on a lock file, polled every
        half millisecond: SQLite's own busy handler sleeps 1, 2, 5 … 100 ms between tries
        (p99 of 0.4–0.9 s with two server processes). A dead holder's lock goes with it."""
        if how == fcntl.LOCK_UN:
            if self._turns is not None:
                fcntl.flock(self._turns, fcntl.LOCK_UN)
            return
        if self._turns is None:
            self._turns = os.open(self.home / TURNS_FILE, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = None
        while True:
            try:
                fcntl.flock(self._turns, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                deadline = deadline or time.monotonic() + BUSY_SECONDS
                if time.monotonic() > deadline:
                    raise sqlite3.OperationalError("database is locked") from None
                time.sleep(0.0005)

    def _query_only(self, db: sqlite_utils.Database, on: bool) -> None:
        """Switch this connection's `query_only` when the kind of transaction changes."""
        if getattr(self._local, "query_only", False) != on:
            db.execute(f"PRAGMA query_only = {'ON' if on else 'OFF'}")
            self._local.query_only = on

    def is_read_only_error(self, exc: BaseException) -> bool:
        return "readonly" in str(exc)

    def tables_present(self) -> set[str]:
        with self.read() as tx:
            found = {r[0] for r in tx.all("SELECT name FROM main.sqlite_master WHERE type='table'")}
            keys = tx.all("SELECT name FROM keystore.sqlite_master WHERE type='table'")
        return found | {"keystore." + r[0] for r in keys}

    def describe(self) -> str:
        return f"SQLite, {self.data_path} (data) and {self.keys_path} (keys)"

    def location(self) -> str:
        return f"sqlite:///{self.home}"

    def backup(self, destination: Path, schema: str = "main") -> Path:
        """Copy the data (or, with schema="keystore", the keys) with SQLite's online backup."""
        destination = Path(destination)
        target = sqlite3.connect(destination)
        try:
            self.connection().conn.backup(target, name=schema)
        finally:
            target.close()
        return destination

    def integrity_check(self) -> list[str]:
        """`PRAGMA integrity_check` on both files; ['ok', 'ok'] when healthy."""
        db = self.connection()
        return [
            db.execute(f"PRAGMA {schema}.integrity_check").fetchone()[0]
            for schema in ("main", "keystore")
        ]
