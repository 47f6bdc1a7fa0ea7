"""Issue 15 follow-up: PostgreSQL write transactions in psycopg's pipeline mode.

A statement whose answer nobody reads (`Tx.send`: the log entry, the read counts, `last used`)
goes out with the next one that waits for an answer, so an authorized read is three round
trips: BEGIN + person lock + lookup; log entry + fields; counts + COMMIT. These tests pin the
count, and that a failing `send` still fails its own transaction before COMMIT returns.
"""

from __future__ import annotations

import threading

import pytest

from tests.vault.test_revoke_race import CATEGORIES, RAW, _setup, read
from vault.db.postgres import PostgresBackend


def _round_trips(trace: str) -> tuple[int, int]:
    """(round trips, statements) in a libpq trace: a round trip is a run of messages sent
    (`F`) answered by messages received (`B`)."""
    trips = statements = 0
    last = ""
    for line in trace.splitlines():
        side, _, rest = line.partition("\t")
        parts = rest.split("\t")
        if side == "F" and len(parts) > 1 and parts[1] in ("Execute", "Query"):
            statements += 1
        if side == "B" and last == "F":
            trips += 1
        if side in ("F", "B"):
            last = side
    return trips, statements


@pytest.mark.postgres
def test_an_authorized_read_is_three_round_trips_on_postgresql(tmp_path, now):
    import uuid

    import psycopg

    from tests.vault.conftest import Store, _admin_connection, postgres_url, with_search_path

    admin = _admin_connection()
    schema = f"custos_rt_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    store = Store("postgres", tmp_path / "home", with_search_path(postgres_url(), schema))
    try:
        vault = store.vault
        _setup(vault, now)
        assert len(read(vault, RAW, now)) == 6  # warm: keys, `last used`, tags
        conn = vault.db.connection()
        path = tmp_path / "trace.txt"
        with path.open("w") as out:
            conn.pgconn.trace(out.fileno())
            conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS
                                        | psycopg.pq.Trace.REGRESS_MODE)
            fields = read(vault, RAW, now)
            conn.pgconn.untrace()
        assert sorted({f.category for f in fields}) == sorted(CATEGORIES)
        trips, statements = _round_trips(path.read_text())
        # BEGIN, lock, lookup | log entry and head (one statement), fields | counts, COMMIT
        assert (trips, statements) == (3, 7), path.read_text()
        assert vault.verify_log() == []
    finally:
        store.vault.close()
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def test_a_failing_send_fails_its_transaction_before_commit_returns(store, vault, person, now):
    """On PostgreSQL the error arrives with the COMMIT's round trip; on SQLite at once. Either
    way nothing of the transaction stays, and the connection is usable again."""
    with pytest.raises(vault.db.integrity_errors):
        with vault.transaction("write") as tx:
            vault.add_field(person, category="c", name="lost", kind="text", value="v", now=now)
            tx.send("INSERT INTO persons (id) VALUES (?)", (person,))  # a duplicate key
    assert vault.list_fields(person) == []
    with pytest.raises(vault.db.integrity_errors):
        with vault.transaction("write") as tx:
            tx.send("INSERT INTO persons (id) VALUES (?)", (person,))
            tx.one("SELECT 1")  # the next statement that waits raises the error sent before
    vault.add_field(person, category="c", name="kept", kind="text", value="v", now=now)
    assert [f.name for f in vault.list_fields(person)] == ["kept"]
    assert vault.verify_log() == []


def test_a_read_transaction_keeps_its_snapshot(store, vault, person, now):
    """Read transactions begin in one statement on PostgreSQL (REPEATABLE READ, READ ONLY)
    and keep one snapshot: a write committed meanwhile by another thread is not seen."""
    with vault.transaction("read") as tx:
        first = tx.row("SELECT COUNT(*) FROM fields")[0]
        writer = threading.Thread(target=lambda: vault.add_field(
            person, category="c", name="n", kind="text", value="v", now=now))
        writer.start()
        writer.join(30)
        assert tx.row("SELECT COUNT(*) FROM fields")[0] == first
    assert len(vault.list_fields(person)) == first + 1
    if isinstance(vault.db, PostgresBackend):
        with vault.transaction("read") as tx:
            assert tx.row("SHOW transaction_isolation")[0] == "repeatable read"
            assert tx.row("SHOW transaction_read_only")[0] == "on"
        with vault.transaction("write") as tx:
            assert tx.row("SHOW transaction_isolation")[0] == "read committed"
            assert tx.row("SHOW transaction_read_only")[0] == "off"


@pytest.mark.postgres
def test_a_connection_lost_mid_transaction_is_replaced(tmp_path, now):
    """A backend killed under a write: that transaction fails, nothing of it stays, and the
    thread's next transaction opens a new connection instead of failing for ever."""
    import uuid

    import psycopg

    from tests.vault.conftest import Store, _admin_connection, postgres_url, with_search_path

    admin = _admin_connection()
    schema = f"custos_rt_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    store = Store("postgres", tmp_path / "home", with_search_path(postgres_url(), schema))
    try:
        vault = store.vault
        person = vault.create_person("ann@example.org", "x", now)
        with pytest.raises(psycopg.OperationalError):
            with vault.transaction("write") as tx:
                vault.add_field(person, category="c", name="lost", kind="text", value="v",
                                now=now)
                pid = tx.row("SELECT pg_backend_pid()")[0]
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
                tx.one("SELECT 1")
        vault.add_field(person, category="c", name="kept", kind="text", value="v", now=now)
        assert [f.name for f in vault.list_fields(person)] == ["kept"]
        assert vault.verify_log() == []
    finally:
        store.vault.close()
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()
