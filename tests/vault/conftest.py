"""Vault fixtures: a `store` on SQLite (tmp_path) and on PostgreSQL (a schema per test)."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from vault import Vault
from vault.db.postgres import PostgresBackend

DEFAULT_PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def postgres_url() -> str:
    """The test server: $CUSTOS_TEST_POSTGRES_URL or the local trust-auth one."""
    return os.environ.get("CUSTOS_TEST_POSTGRES_URL", DEFAULT_PG_URL)


def _admin_connection() -> Any:
    """A connection to the test server, or a skip (a failure when CI requires PostgreSQL)."""
    import psycopg

    try:
        return psycopg.connect(postgres_url(), autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as exc:
        reason = f"PostgreSQL unreachable at {postgres_url()}: {str(exc).strip()[:200]}"
        if os.environ.get("CUSTOS_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)


def with_search_path(url: str, schema: str) -> str:
    """The URL with libpq options that put every table in one schema."""
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{schema}"


class Store:
    """One vault under test plus the raw access tests need to tamper and to scan."""

    def __init__(self, kind: str, home: Path, url: str | None) -> None:
        self.kind = kind
        self.home = home
        self.url = url
        self.vault = self.open()

    def open(self, **kwargs: Any) -> Vault:
        """Open another Vault on the same store (a restart)."""
        return Vault.open(self.home, self.url, now=NOW, **kwargs)

    def reopen(self) -> Vault:
        """Close and open again, as a server restart would."""
        self.vault.close()
        self.vault = self.open()
        return self.vault

    def execute(self, sql: str, params: tuple = ()) -> list[tuple]:
        """Raw SQL (`?` placeholders, `{k}` key tables) in a write transaction."""
        with self.vault.db.write() as tx:
            if sql.lstrip().upper().startswith("SELECT"):
                return tx.all(sql, params)
            tx.run(sql, params)
            return []

    def stored_bytes(self) -> bytes:
        """Everything at rest: SQLite files (with WAL) or every PostgreSQL row as text."""
        return stored_bytes(self.vault, self.home)


def stored_bytes(vault: Vault, home: Path) -> bytes:
    """Everything a vault keeps at rest: its SQLite files (with WAL) in `home`, or every
    PostgreSQL row as text (the one place outside vault/ that reads the store raw)."""
    if isinstance(vault.db, PostgresBackend):
        return vault.db.dump_text().encode()
    return b"".join(p.read_bytes() for p in sorted(home.glob("*.db*")))


@pytest.fixture
def now() -> datetime:
    return NOW


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """A fresh, isolated store on each backend; PostgreSQL gets its own schema, dropped after."""
    home = tmp_path / "home"
    if request.param == "sqlite":
        s = Store("sqlite", home, None)
        yield s
        s.vault.close()
        return
    admin = _admin_connection()
    schema = f"custos_test_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    try:
        s = Store("postgres", home, with_search_path(postgres_url(), schema))
        yield s
        s.vault.close()
    finally:
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


@pytest.fixture
def vault(store: Store) -> Vault:
    return store.vault


@pytest.fixture
def person(vault: Vault, now: datetime) -> str:
    return vault.create_person("ann@example.org", "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA", now)
