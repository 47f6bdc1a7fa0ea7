"""Encryption at rest: no plaintext in the files, WAL, key store or a backup; moved
ciphertext does not open in another person's, row's or column's slot."""

from __future__ import annotations

import sqlite3

import pytest

from vault import CryptoError, Vault

SECRETS = {
    "email": "zyxwquartz.ann@example.org",
    "category": "health.zorblaxcondition",
    "name": "qwvjtfieldname",
    "kind": "kindofplumbob",
    "value": "Vexillum-Quokka-4471",
    "intent": "Electric Zamboni within 3 months",
    "constraint": "only-from-Kvarnholmen",
}


def _needles() -> list[bytes]:
    out = []
    for text in SECRETS.values():
        raw = text.encode()
        out += [raw, raw.lower(), raw.hex().encode(), text.encode("utf-16-le")]
    return out


def _fill(vault: Vault, now) -> str:
    pid = vault.create_person(SECRETS["email"], "$argon2id$h", now)
    vault.add_field(pid, category=SECRETS["category"], name=SECRETS["name"],
                    kind=SECRETS["kind"], value=SECRETS["value"], now=now)
    vault.add_intent(pid, {"text": SECRETS["intent"], "constraints": [SECRETS["constraint"]]}, now)
    return pid


def test_plaintext_scan(store, now, tmp_path):
    pid = _fill(store.vault, now)
    assert store.vault.get_field(pid, store.vault.list_fields(pid)[0].id).value == SECRETS["value"]
    blobs = [store.stored_bytes()]
    if store.kind == "sqlite":
        names = {p.name for p in store.home.iterdir()}
        assert {"custos.db", "custos.db-wal", "keys.db"} <= names  # the WAL is really scanned
        backup = store.vault.backup(tmp_path / "backup.db")
        blobs.append(backup.read_bytes())
        with sqlite3.connect(backup) as conn:  # the backup holds data, never the keys
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        assert "persons" in tables and "data_keys" not in tables
    else:
        assert len(blobs[0]) > 500
    hits = [n for n in _needles() for b in blobs if n in b]
    assert hits == []


def _move(store, sql_get: str, sql_put: str, get_params: tuple, put_params: tuple) -> None:
    (blob,) = store.execute(sql_get, get_params)[0]
    store.execute(sql_put, (blob, *put_params))


def test_ciphertext_moved_to_another_person_fails(store, now):
    v = store.vault
    ann = _fill(v, now)
    bob = v.create_person("bob@example.org", "h", now)
    f_ann = v.list_fields(ann)[0]
    f_bob = v.add_field(bob, category="c", name="n", kind="text", value="bob's", now=now)
    _move(store, "SELECT value FROM fields WHERE id = ?",
          "UPDATE fields SET value = ? WHERE id = ?", (f_ann.id,), (f_bob.id,))
    with pytest.raises(CryptoError):
        v.get_field(bob, f_bob.id)
    # Even under the same id (the row re-pointed to bob), ann's sealed values do not open.
    store.execute("UPDATE fields SET person_id = ? WHERE id = ?", (bob, f_ann.id))
    with pytest.raises(CryptoError):
        v.get_field(bob, f_ann.id)


def test_ciphertext_moved_to_another_row_fails(store, now):
    v = store.vault
    pid = _fill(v, now)
    first = v.list_fields(pid)[0]
    second = v.add_field(pid, category="c", name="n", kind="text", value="other", now=now)
    _move(store, "SELECT value FROM fields WHERE id = ?",
          "UPDATE fields SET value = ? WHERE id = ?", (first.id,), (second.id,))
    with pytest.raises(CryptoError):
        v.get_field(pid, second.id)
    assert v.get_field(pid, first.id).value == SECRETS["value"]


def test_ciphertext_moved_to_another_column_fails(store, now):
    v = store.vault
    pid = _fill(v, now)
    f = v.list_fields(pid)[0]
    _move(store, "SELECT value FROM fields WHERE id = ?",
          "UPDATE fields SET name = ? WHERE id = ?", (f.id,), (f.id,))
    with pytest.raises(CryptoError):
        v.get_field(pid, f.id)
    _move(store, "SELECT email FROM persons WHERE id = ?",
          "UPDATE intents SET body = ? WHERE person_id = ?", (pid,), (pid,))
    with pytest.raises(CryptoError):
        v.list_intents(pid)
