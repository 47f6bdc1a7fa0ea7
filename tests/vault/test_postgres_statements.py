"""PostgreSQL's statements on libpq directly (vault/db/postgres.py `_Statements`): what a psycopg
cursor gave the vault before must still hold. Frequent statements are prepared, a plan that a
DROP, ALTER or ROLLBACK may have made stale is prepared afresh, an error leaves the connection
usable, and values come back as psycopg loads them."""

from __future__ import annotations

import psycopg
import pytest

from vault.errors import ReadOnlyTransaction

pytestmark = [pytest.mark.postgres,
              pytest.mark.parametrize("store", ["postgres"], indirect=True)]


@pytest.fixture
def db(store):
    return store.vault.db


def _prepared(db) -> set[str]:
    with db.read() as tx:
        return {name for (name,) in tx.all("SELECT name FROM pg_prepared_statements")}


def test_a_statement_run_twice_is_prepared_and_answers_the_same(db):
    with db.write() as tx:
        tx.run("CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT, data BYTEA, at TIMESTAMPTZ)")
        tx.many("INSERT INTO t (id, label, data) VALUES (?, ?, ?)",
                [(i, f"n{i}", bytes([i])) for i in range(5)])
    answers = []
    for _ in range(3):
        with db.write() as tx:
            answers.append(tx.all("SELECT id, label, data, at FROM t WHERE id >= ? ORDER BY id",
                                  (3,)))
    assert answers == [[(3, "n3", b"\x03", None), (4, "n4", b"\x04", None)]] * 3
    assert any(name.startswith("custos_") for name in _prepared(db))


def test_rowcount_description_and_no_row(db):
    with db.write() as tx:
        tx.run("CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT)")
        tx.many("INSERT INTO t (id, label) VALUES (?, ?)", [(1, "a"), (2, "b"), (3, "c")])
        assert tx.run("UPDATE t SET label = ? WHERE id > ?", ("x", 1)) == 2
        assert tx.one("SELECT label FROM t WHERE id = ?", (9,)) is None
        tx.cursor.execute("SELECT * FROM t WHERE 1 = 0")  # as vault/copy.py reads columns
        assert [d[0] for d in tx.cursor.description] == ["id", "label"]
        assert tx.row("SELECT COUNT(*) FROM t WHERE label LIKE '%%x'")[0] == 2
        assert [r for rows in db.batches(tx, "SELECT id FROM t ORDER BY id", 2)
                for r in rows] == [(1,), (2,), (3,)]  # in a write transaction too


def test_a_prepared_plan_is_made_again_after_alter_table(db):
    with db.write() as tx:
        tx.run("CREATE TABLE t (id INTEGER PRIMARY KEY)")
        tx.run("INSERT INTO t (id) VALUES (1)")
    for _ in range(3):
        with db.write() as tx:
            assert tx.all("SELECT * FROM t") == [(1,)]
    with db.write() as tx:
        tx.run("ALTER TABLE t ADD COLUMN label TEXT DEFAULT 'z'")
    for _ in range(3):  # no "cached plan must not change result type"
        with db.write() as tx:
            assert tx.all("SELECT * FROM t") == [(1, "z")]


def test_an_error_rolls_back_and_the_connection_goes_on(db):
    with db.write() as tx:
        tx.run("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    for _ in range(3):  # prepared by now
        with db.write() as tx:
            tx.send("INSERT INTO t (id) VALUES (?)", (1,))
            tx.run("DELETE FROM t WHERE id = ?", (1,))
    for _ in range(2):
        with pytest.raises(psycopg.errors.UniqueViolation):
            with db.write() as tx:
                tx.send("INSERT INTO t (id) VALUES (?)", (2,))
                tx.send("INSERT INTO t (id) VALUES (?)", (2,))  # fails; the rest is skipped
                tx.send("INSERT INTO t (id) VALUES (?)", (3,))
        with db.read() as tx:
            assert tx.all("SELECT id FROM t") == []
    with db.write() as tx:
        tx.send("INSERT INTO t (id) VALUES (?)", (1,))
        assert tx.all("SELECT id FROM t") == [(1,)]
    with pytest.raises(ReadOnlyTransaction):
        with db.read() as tx:
            tx.run("INSERT INTO t (id) VALUES (?)", (5,))
    with db.read() as tx:
        assert tx.all("SELECT id FROM t") == [(1,)]


def test_a_python_error_mid_pipeline_rolls_back(db):
    with db.write() as tx:
        tx.run("CREATE TABLE t (id INTEGER PRIMARY KEY)")
    with pytest.raises(RuntimeError):
        with db.write() as tx:
            tx.send("INSERT INTO t (id) VALUES (?)", (1,))
            raise RuntimeError("the caller gave up before anything was answered")
    with db.write() as tx:
        assert tx.all("SELECT id FROM t") == []
