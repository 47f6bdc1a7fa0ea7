"""The master key ring: created 0600, refused when too readable, wrong key stops start-up."""

from __future__ import annotations

import json
import stat

import pytest

from vault import KeyRingError, Vault, WrongMasterKey
from vault.keys import load_ring

from .conftest import NOW


def test_first_open_creates_ring_with_mode_0600(tmp_path):
    home = tmp_path / "h"
    with Vault.open(home, now=NOW) as v:
        assert {p.name for p in v.created} == {"master.key", "custos.db"}
    mode = stat.S_IMODE((home / "master.key").stat().st_mode)
    assert mode == 0o600
    doc = json.loads((home / "master.key").read_text())
    assert doc["format"] == "custos-master-key-ring/1" and doc["active"] == 1
    with Vault.open(home, now=NOW) as v:
        assert v.created == []


def test_group_readable_ring_is_refused_with_a_clear_message(tmp_path):
    home = tmp_path / "h"
    Vault.open(home, now=NOW).close()
    (home / "master.key").chmod(0o640)
    with pytest.raises(KeyRingError, match=r"readable by group or others \(mode 0640\).*chmod 600"):
        Vault.open(home, now=NOW)


def test_malformed_ring_is_refused(tmp_path):
    path = tmp_path / "master.key"
    path.write_text("{not json")
    path.chmod(0o600)
    with pytest.raises(KeyRingError, match="not a valid Custos key ring"):
        load_ring(path)


def test_env_override_for_the_ring_path(tmp_path, monkeypatch):
    elsewhere = tmp_path / "secrets" / "ring.json"
    monkeypatch.setenv("CUSTOS_MASTER_KEY_FILE", str(elsewhere))
    Vault.open(tmp_path / "h", now=NOW).close()
    assert elsewhere.exists() and not (tmp_path / "h" / "master.key").exists()


def test_wrong_master_key_stops_open(store, person, tmp_path):
    store.vault.close()
    other = tmp_path / "other.key"
    Vault.open(tmp_path / "other-home", now=NOW, master_key_file=other).close()
    with pytest.raises(WrongMasterKey) as info:
        store.open(master_key_file=other)
    message = str(info.value)
    assert "\n" not in message and "wrong master key" in message
    store.vault = store.open()  # the right ring still opens
    assert store.vault.get_person(person).email == "ann@example.org"


def test_ring_missing_a_used_version_is_wrong_key(store, person, tmp_path):
    store.vault.rotate_master_key(now=NOW)
    store.vault.close()
    ring = json.loads((store.home / "master.key").read_text())
    del ring["keys"]["1"]
    (store.home / "master.key").write_text(json.dumps(ring))
    with pytest.raises(WrongMasterKey, match="version 1"):
        store.open()


def test_a_server_key_made_in_a_rolled_back_transaction_is_not_remembered(store, now):
    """The key cache holds only committed keys: a key first made inside a transaction that
    then rolls back was never stored, so remembering it would change every pairwise subject
    after a restart (perf2's note). The next use makes (and stores) the key anew."""
    vault = store.vault
    with pytest.raises(RuntimeError):
        with vault.transaction("write"):
            lost = vault.keys.server_key("test key", now)
            raise RuntimeError("rolled back")
    kept = vault.keys.server_key("test key", now)
    assert kept != lost
    restarted = store.open()
    try:
        assert restarted.keys.server_key("test key", now) == kept  # what a restart sees
    finally:
        restarted.close()
