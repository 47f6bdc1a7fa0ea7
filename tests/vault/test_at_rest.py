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
    _move(store, "SELECT body FROM fields WHERE id = ?",
          "UPDATE fields SET body = ? WHERE id = ?", (f_ann.id,), (f_bob.id,))
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
    _move(store, "SELECT body FROM fields WHERE id = ?",
          "UPDATE fields SET body = ? WHERE id = ?", (first.id,), (second.id,))
    with pytest.raises(CryptoError):
        v.get_field(pid, second.id)
    assert v.get_field(pid, first.id).value == SECRETS["value"]


def test_ciphertext_moved_to_another_column_fails(store, now):
    v = store.vault
    pid = _fill(v, now)
    f = v.list_fields(pid)[0]
    _move(store, "SELECT body FROM intents WHERE person_id = ?",
          "UPDATE fields SET body = ? WHERE id = ?", (pid,), (f.id,))
    with pytest.raises(CryptoError):
        v.get_field(pid, f.id)
    _move(store, "SELECT email FROM persons WHERE id = ?",
          "UPDATE intents SET body = ? WHERE person_id = ?", (pid,), (pid,))
    with pytest.raises(CryptoError):
        v.list_intents(pid)


def _legacy_field(store, pid: str, values: dict) -> str:
    """A field as written before migration 0005: each part in its own sealed slot."""
    import uuid

    from vault import crypto

    fid = str(uuid.uuid4())
    with store.vault.db.read() as tx:
        key = store.vault.keys.data_key(tx, pid)
    slots = [crypto.seal_json(key, values[c], pid, "fields", fid, c)
             for c in ("category", "name", "kind", "value")]
    store.execute("INSERT INTO fields (id, person_id, category, name, kind, value, created_at, "
                  "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                  (fid, pid, *slots, "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00+00:00"))
    return fid


def test_fields_from_before_0005_still_read_and_are_resealed_on_change(store, now):
    v = store.vault
    pid = _fill(v, now)
    old = {"category": "contact.phone", "name": "old phone", "kind": "phone", "value": "+1 555"}
    fid = _legacy_field(store, pid, old)
    assert v.get_field(pid, fid).value == "+1 555"
    assert store.execute("SELECT body FROM fields WHERE id = ?", (fid,)) == [(None,)]
    _move(store, "SELECT value FROM fields WHERE id = ?",
          "UPDATE fields SET name = ? WHERE id = ?", (fid,), (fid,))
    with pytest.raises(CryptoError):  # a legacy slot moved to another column fails too
        v.get_field(pid, fid)
    fresh = _legacy_field(store, pid, old)
    v.update_field(pid, fresh, now=now, **{**old, "value": "+1 556"})
    [(body, value)] = store.execute("SELECT body, value FROM fields WHERE id = ?", (fresh,))
    assert body is not None and bytes(value) == b""  # one sealed body now, old slots empty
    assert v.get_field(pid, fresh).value == "+1 556"
