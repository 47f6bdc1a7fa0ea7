"""Deletion crypto-shreds: a copy of the data made before deletion cannot be read for that
person afterwards, while everyone else's data in the same copy still reads."""

from __future__ import annotations

import shutil

import pytest

from vault import NotFound, Shredded, Vault

from .conftest import NOW


def _two(vault: Vault, now) -> tuple[str, str]:
    ann = vault.create_person("ann@example.org", "h", now)
    bob = vault.create_person("bob@example.org", "h", now)
    for pid, value in ((ann, "ann-secret"), (bob, "bob-secret")):
        vault.add_field(pid, category="c", name="n", kind="text", value=value, now=now)
    return ann, bob


def test_delete_removes_rows_and_key(store, now):
    ann, bob = _two(store.vault, now)
    store.vault.delete_person(ann)
    assert store.execute("SELECT COUNT(*) FROM fields WHERE person_id = ?", (ann,)) == [(0,)]
    assert store.execute("SELECT COUNT(*) FROM {k}data_keys WHERE person_id = ?", (ann,)) == [(0,)]
    assert store.vault.person_ids() == [bob]
    with pytest.raises(NotFound):
        store.vault.delete_person(ann)
    assert store.vault.find_person_by_email("ann@example.org") is None


def test_rows_restored_after_deletion_are_unreadable(store, now):
    """Backend-neutral: save the person's rows, delete, put the rows back."""
    v = store.vault
    ann, bob = _two(v, now)
    saved = {t: store.execute(f"SELECT * FROM {t} WHERE person_id = ?", (ann,))
             for t in ("fields", "events")}
    person_row = store.execute("SELECT * FROM persons WHERE id = ?", (ann,))
    v.delete_person(ann)
    store.execute(f"INSERT INTO persons VALUES ({', '.join('?' * len(person_row[0]))})",
                  person_row[0])
    for table, rows in saved.items():
        for row in rows:
            marks = ", ".join("?" for _ in row)
            store.execute(f"INSERT INTO {table} VALUES ({marks})", row)
    with pytest.raises(Shredded):
        v.get_person(ann)
    with pytest.raises(Shredded):
        v.list_fields(ann)
    assert [f.value for f in v.list_fields(bob)] == ["bob-secret"]
    assert v.verify_log() == []  # a shredded chain is skipped, not a false alarm


def test_sqlite_backup_made_before_deletion_is_shredded(tmp_path, now):
    home = tmp_path / "home"
    v = Vault.open(home, now=NOW)
    ann, bob = _two(v, now)
    v.backup(tmp_path / "before.db")
    v.delete_person(ann)
    v.close()
    restored = tmp_path / "restored"
    restored.mkdir()
    shutil.copy(tmp_path / "before.db", restored / "custos.db")
    for name in ("keys.db", "master.key"):
        shutil.copy2(home / name, restored / name)
    with Vault.open(restored, now=NOW) as old:
        assert set(old.person_ids()) == {ann, bob}  # the rows are in the copy...
        with pytest.raises(Shredded):  # ...but ann's key is gone everywhere
            old.list_fields(ann)
        with pytest.raises(Shredded):
            old.get_person(ann)
        assert old.find_person_by_email("ann@example.org") is None
        assert [f.value for f in old.list_fields(bob)] == ["bob-secret"]
