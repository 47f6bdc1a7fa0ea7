"""`vault.transaction("read" | "write")`: one API that behaves the same on both backends."""

from __future__ import annotations

import threading

import pytest

from vault import ReadOnlyTransaction


def test_a_write_inside_a_read_raises(vault, person, now):
    with pytest.raises(ReadOnlyTransaction), vault.transaction("read"):
        vault.add_field(person, category="contact.email", name="Email", kind="text",
                        value="ann@example.org", now=now)
    assert vault.list_fields(person) == []


def test_a_write_statement_in_a_read_transaction_raises(vault, person):
    with pytest.raises(ReadOnlyTransaction), vault.transaction("read") as tx:
        tx.run("UPDATE persons SET password_hash = ? WHERE id = ?", ("changed", person))
    assert vault.get_person(person).password_hash != "changed"


def test_calls_inside_a_write_join_it_and_roll_back_together(vault, person, now):
    with pytest.raises(RuntimeError), vault.transaction("write"):
        vault.add_field(person, category="contact.email", name="Email", kind="text",
                        value="ann@example.org", now=now)
        with vault.transaction("read"):  # a read inside a write joins it
            assert len(vault.list_fields(person)) == 1
        raise RuntimeError("the caller fails after the vault wrote")
    assert vault.list_fields(person) == []


def test_a_read_after_a_refused_write_still_works(vault, person):
    with pytest.raises(ReadOnlyTransaction), vault.transaction("read") as tx:
        tx.run("DELETE FROM persons WHERE id = ?", (person,))
    with vault.transaction("write"):
        assert vault.get_person(person).id == person


@pytest.mark.parametrize("mode", ["READ", "rw", ""])
def test_an_unknown_mode_is_refused(vault, mode):
    with pytest.raises(ValueError, match="'read' or 'write'"), vault.transaction(mode):
        pass


def test_writers_on_many_threads_all_commit(vault, person, now):
    """Writers queue (SQLite: in this process, before BEGIN IMMEDIATE) and none is lost."""
    errors: list[BaseException] = []
    start = threading.Barrier(6)

    def add(i: int) -> None:
        try:
            start.wait()
            for j in range(5):
                vault.add_field(person, category="preferences", name=f"n{i}-{j}", kind="text",
                                value=str(j), now=now)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(vault.list_fields(person)) == 30
    assert vault.verify_log(person) == []
