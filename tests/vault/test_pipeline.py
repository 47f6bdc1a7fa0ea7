"""Issue 15 follow-up: PostgreSQL write transactions in psycopg's pipeline mode.

A statement whose answer nobody reads (`Tx.send`: the log entry, the read counts, `last used`)
goes out with the next one that waits for an answer, and the fields query a token ran on its
last read is sent ahead with its lookup (`Tx.ahead`), so an authorized read is two round trips:
BEGIN + person lock + fields + lookup; log entry + counts + COMMIT (three when the read asks
other fields than last time). These tests pin the counts, that rows sent ahead are taken only
while still good, and that a failing `send` still fails its transaction before COMMIT returns.
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


@pytest.fixture
def pg_vault(tmp_path):
    """A vault on PostgreSQL in a schema of its own."""
    import uuid

    from tests.vault.conftest import Store, _admin_connection, postgres_url, with_search_path

    admin = _admin_connection()
    schema = f"custos_rt_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE SCHEMA "{schema}"')
    store = Store("postgres", tmp_path / "home", with_search_path(postgres_url(), schema))
    try:
        yield store.vault
    finally:
        store.vault.close()
        admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
        admin.close()


def _traced(vault, path, work):
    """`work()`'s result, and (round trips, statements) of this thread's connection."""
    import psycopg

    conn = vault.db.connection()
    with path.open("w") as out:
        conn.pgconn.trace(out.fileno())
        conn.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS
                                    | psycopg.pq.Trace.REGRESS_MODE)
        try:
            result = work()
        finally:
            conn.pgconn.untrace()
    return result, _round_trips(path.read_text())


@pytest.mark.postgres
def test_an_authorized_read_is_two_round_trips_on_postgresql(pg_vault, tmp_path, now):
    vault = pg_vault
    _setup(vault, now)
    assert len(read(vault, RAW, now)) == 6  # warm: keys, `last used`, tags, the token's query
    trace = tmp_path / "trace.txt"
    fields, counted = _traced(vault, trace, lambda: read(vault, RAW, now))
    assert sorted({f.category for f in fields}) == sorted(CATEGORIES)
    # BEGIN, lock, fields (sent ahead), lookup | log entry and head (one statement), counts,
    # COMMIT
    assert counted == (2, 7), trace.read_text()
    assert vault.verify_log() == []


@pytest.mark.postgres
def test_a_read_that_asks_other_fields_than_last_time_gets_those(pg_vault, tmp_path, now):
    """The query sent ahead is a guess from the token's last read: a read that asks for
    other fields (the terms now withhold a category) gets exactly those, one round trip
    later, and the next read of those is two round trips again."""
    vault = pg_vault
    _setup(vault, now)
    read(vault, RAW, now)
    trace = tmp_path / "trace.txt"
    fewer, counted = _traced(vault, trace, lambda: read(vault, RAW, now,
                                                        categories=CATEGORIES[:1]))
    assert {f.category for f in fewer} == set(CATEGORIES[:1]) and len(fewer) == 3
    assert counted == (3, 8), trace.read_text()  # the guess, unused, and the fields asked
    again, counted = _traced(vault, trace, lambda: read(vault, RAW, now,
                                                        categories=CATEGORIES[:1]))
    assert [f.id for f in again] == [f.id for f in fewer]
    assert counted == (2, 7), trace.read_text()
    assert vault.verify_log() == []


@pytest.mark.postgres
def test_rows_sent_ahead_are_those_of_when_they_were_sent(pg_vault, now):
    """Taken by the same query, they are what the query saw when it went out (not what a
    write committed by another transaction since would show): the reason the read sends
    them only after the person's lock, which keeps every writer of her fields out."""
    vault = pg_vault
    person = vault.create_person("ann@example.org", "x", now)
    query = ("SELECT COUNT(*) FROM fields WHERE person_id = ?", (person,))
    with vault.transaction("write") as tx:
        tx.ahead(*query)
        tx.one("SELECT 1")  # a SELECT between leaves it good
        writer = threading.Thread(target=lambda: vault.add_field(
            person, category="c", name="n", kind="text", value="v", now=now))
        writer.start()
        writer.join(30)
        assert tx.all(*query) == [(0,)]  # sent ahead: before the other's commit
        assert tx.all(*query) == [(1,)]  # asked now: after it
    assert len(vault.list_fields(person)) == 1


def test_rows_sent_ahead_are_dropped_once_a_write_went_out(store, vault, person, now):
    """Any statement but a SELECT after the query sent ahead may have changed its rows: the
    same query is then asked afresh and sees this transaction's own write. A query with other
    parameters never takes them. On SQLite `ahead` sends nothing: the same answers."""
    vault.add_field(person, category="c", name="n", kind="text", value="v", now=now)
    query = ("SELECT updated_at FROM fields WHERE person_id = ?", (person,))
    renamed = ("UPDATE fields SET updated_at = ? WHERE person_id = ?", ("renamed", person))
    with pytest.raises(RuntimeError):  # roll back: the change only lives in here
        with vault.transaction("write") as tx:
            tx.ahead(*query)
            tx.send(*renamed)
            assert tx.all(*query) == [("renamed",)]
            tx.ahead(*query)
            assert tx.all(query[0], ("someone else",)) == []
            tx.ahead(query[0], ("someone else",))
            tx.many(*renamed[:1], [("again", person)])
            assert tx.all(query[0], ("someone else",)) == []
            assert tx.all(*query) == [("again",)]
            raise RuntimeError("roll back")


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


@pytest.mark.postgres
def test_the_fast_read_follows_new_terms_whatever_it_sent_ahead(pg_vault, tmp_path, now):
    """The fast read's own steps (`bearer_caller`, then `read`): once the person's new terms
    withhold a category, the next read sends last time's query ahead, does not use it, and
    releases only what the new terms permit; the read after that is two round trips again."""
    from api.resource.auth import bearer_caller
    from api.resource.data import read as read_data

    def fast_read():
        with pg_vault.transaction("write") as tx:
            return read_data(pg_vault, tx, bearer_caller(pg_vault, tx, RAW, now), now)

    person, _ = _setup(pg_vault, now)
    trace = tmp_path / "trace.txt"
    for _ in range(2):
        before, counted = _traced(pg_vault, trace, fast_read)
    assert {f["category"] for f in before["fields"]} == set(CATEGORIES)
    assert counted[0] == 2, trace.read_text()
    pg_vault.agreements.terms.save(person, {"default": "ask", "rules": [
        {"id": "no-names", "effect": "deny", "purposes": ["ServiceProvision"],
         "categories": ["identity"]}]}, now)
    after, counted = _traced(pg_vault, trace, fast_read)
    assert {f["category"] for f in after["fields"]} == {"contact.email"}
    assert [w["category"] for w in after["withheld"]] == ["identity.name"]
    assert counted[0] == 4, trace.read_text()  # and one to load the new terms
    again, counted = _traced(pg_vault, trace, fast_read)
    assert again["fields"] == after["fields"] and counted[0] == 2, trace.read_text()
    assert pg_vault.verify_log() == []
