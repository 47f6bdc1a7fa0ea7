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

def test_person_pages_never_read_vendors_metadata(app, auth, client, clock):
    """The cause of 4x slower pages with 20 clients of ~1 MB each: `/`, `/log` and `/terms`
    loaded every client's metadata to find names. They read the name column only now
    (clients planted through the vault, as registered before the size cap existed)."""
    auth.signup()
    vault = app.extensions["custos.vault"]
    for i in range(3):
        vault.agreements.clients.register({"client_name": f"Bulky {i}", "pad": "x" * 100_000},
                                          clock(), confidential=True)
    statements: list[str] = []
    connection = vault.db.connection().conn
    connection.set_trace_callback(statements.append)
    try:
        pages = {path: client.get(path) for path in ("/", "/log", "/terms")}
    finally:
        connection.set_trace_callback(None)
    assert all(page.status_code == 200 for page in pages.values())
    assert "Bulky 2" in pages["/terms"].get_data(as_text=True)  # the vendor list still names
    reads = [s for s in statements if "oauth_clients" in s]
    assert reads and not any("metadata" in s for s in reads), reads
