"""Vendor names beside their metadata (migration 0006), on both backends: the person's pages
list vendors by name without reading any vendor's metadata (issue 9 item 11)."""

from __future__ import annotations

from tests.vault.test_agreements import _another_store
from vault import Vault
from vault.db import iso
from vault.migrations import MIGRATIONS


def test_names_are_kept_with_registration_and_updates(vault, now):
    clients = vault.agreements.clients
    acme, _ = clients.register({"client_name": "Acme"}, now, confidential=True)
    nameless, _ = clients.register({}, now, confidential=False)
    assert clients.names() == {acme.client_id: "Acme", nameless.client_id: nameless.client_id}
    clients.update_metadata(acme.client_id, {"client_name": "Acme Cars"})
    assert clients.names()[acme.client_id] == "Acme Cars"


def test_migration_fills_in_the_names_of_existing_vendors(store, monkeypatch, tmp_path, now):
    import vault.migrations as migrations

    with _another_store(store.kind, tmp_path) as (home, url):
        monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS[:5])
        with Vault.open(home, url, now=now) as old, old.db.write() as tx:
            for cid, metadata in (("cus_old", '{"client_name": "Old \\u00e9 Co", "x": [1]}'),
                                  ("cus_bare", '{"redirect_uris": []}')):
                tx.run("INSERT INTO oauth_clients (client_id, secret_hash, metadata, "
                       "created_at) VALUES (?, NULL, ?, ?)", (cid, metadata, iso(now)))
        monkeypatch.setattr(migrations, "MIGRATIONS", MIGRATIONS)
        with Vault.open(home, url, now=now) as new:
            assert new.agreements.clients.names() == {"cus_old": "Old é Co",
                                                      "cus_bare": "cus_bare"}



def test_names_come_from_the_covering_index(tmp_path, now):
    """The cause of slow person pages with bulky vendors, on SQLite: reading a column stored
    after a 1 MB `metadata` walks that row's overflow pages; the index answers alone.
    (PostgreSQL keeps large values out of line, TOAST, so its rows stay small anyway.)"""
    with Vault.open(tmp_path, None, now=now) as vault, vault.db.read() as tx:
        plan = tx.all("EXPLAIN QUERY PLAN SELECT client_id, client_name FROM oauth_clients")
    assert "COVERING INDEX oauth_clients_names" in " ".join(str(r[-1]) for r in plan)
