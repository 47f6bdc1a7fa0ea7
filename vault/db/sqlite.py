"""The embedded store: SQLite through sqlite-utils, WAL, synchronous=FULL, BEGIN IMMEDIATE.

The data lives in `custos.db`; the wrapped keys live in `keys.db`, attached as `keystore`,
so a copy of `custos.db` never holds a data key (crypto-shredding reaches backups).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlite_utils

from . import Backend, Tx

DATA_FILE = "custos.db"
KEYS_FILE = "keys.db"


class SQLiteBackend(Backend):
    """One sqlite3 connection per thread, each with the key store attached."""

    dialect = "sqlite"
    placeholder = "?"
    key_prefix = "keystore."
    blob_type = "BLOB"
    lock_person_sql = "SELECT id FROM persons WHERE id = ?"
    integrity_errors = (sqlite3.IntegrityError,)

    def __init__(self, home: Path) -> None:
        super().__init__()
        self.home = Path(home)
        self.home.mkdir(parents=True, exist_ok=True)
        self.data_path = self.home / DATA_FILE
        self.keys_path = self.home / KEYS_FILE
        self.created = not self.data_path.exists()

    def _connect(self) -> sqlite_utils.Database:
        # isolation_level=None: we issue BEGIN IMMEDIATE / COMMIT ourselves.
        conn = sqlite3.connect(
            self.data_path, isolation_level=None, check_same_thread=False, timeout=30
        )
        db = sqlite_utils.Database(conn, execute_plugins=False)
        db.execute("ATTACH DATABASE ? AS keystore", [str(self.keys_path)])
        for schema in ("main", "keystore"):
            db.execute(f"PRAGMA {schema}.journal_mode=WAL")
            db.execute(f"PRAGMA {schema}.synchronous=FULL")
        db.execute("PRAGMA foreign_keys=ON")
        db.execute("PRAGMA busy_timeout=30000")
        return db

    @contextmanager
    def _transaction(self, write: bool) -> Iterator[Tx]:
        db: sqlite_utils.Database = self.connection()
        db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        tx = Tx(self, db.conn.cursor())
        try:
            yield tx
        except BaseException:
            db.execute("ROLLBACK")
            raise
        else:
            db.execute("COMMIT")
        finally:
            tx.cursor.close()

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
