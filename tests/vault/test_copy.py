"""Moving a store: SQLite to PostgreSQL and back, every table as stored, checked afterwards."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from vault import Vault, copy, migrations
from vault.copy import CopyMismatch, CopyRefused, copy_store

from .conftest import NOW

HASH = "$argon2id$v=19$m=8,t=1,p=1$c2FsdA$aGFzaA"


def populate(vault: Vault) -> dict[str, Any]:
    """Two persons with data, intents, sessions, terms and an agreement with its records."""
    made: dict[str, Any] = {"persons": [], "sessions": []}
    client, _ = vault.agreements.clients.register(
        {"client_name": "Acme Cars", "redirect_uris": ["https://acme.example/cb"]},
        NOW,
        confidential=True,
    )
    vault.agreements.signing.add("kid-1", {"kty": "OKP", "x": "pub"}, {"d": "secret"}, NOW)
    for n, email in enumerate(["ann@example.org", "Bob@Example.org"]):
        pid = vault.create_person(email, HASH, NOW)
        made["persons"].append(pid)
        for i in range(7):  # more rows than one batch in the tests below
            vault.add_field(pid, category="contact.email", name=f"Mail {i}", kind="email",
                            value=f"{n}-{i}-zürich-✓@example.org", now=NOW)
        vault.add_field(pid, category="financial", name="Income", kind="number",
                        value={"amount": 42000, "currency": "EUR"}, now=NOW)
        intent = vault.add_intent(pid, {"what": "electric car", "budget": 30000,
                                        "status": "active", "visibility": "shown"}, NOW)
        vault.update_intent(pid, intent.id, {"what": "electric car", "budget": 28000,
                                             "status": "active", "visibility": "hidden"}, NOW)
        made["sessions"].append(vault.create_session(pid, NOW, timedelta(hours=12)))
        vault.agreements.terms.save(pid, {"default": "ask", "rules": []}, NOW)
        grant = vault.agreements.grants.create(
            pid, client.client_id,
            {"purpose": "ServiceProvision", "categories": ["contact.email"],
             "retention_days": 30, "decided_by": "person"},
            expires_at=NOW + timedelta(days=30), now=NOW)
        vault.agreements.tokens.save(
            access=f"access-{n}", refresh=f"refresh-{n}", client_id=client.client_id,
            person_id=pid, grant_id=grant.id, family_id=f"family-{n}", scope="data:contact",
            now=NOW, access_ttl=timedelta(hours=1))
        vault.agreements.tokens.save_code(
            f"code-{n}", client_id=client.client_id, person_id=pid, grant_id=grant.id,
            redirect_uri="https://acme.example/cb", challenge="c" * 43, challenge_method="S256",
            scope="data:contact", family_id=f"family-{n}", expires_at=NOW + timedelta(minutes=1))
        vault.agreements.requests.submit(pid, client.client_id, {"purpose": "Marketing"},
                                         "pending", NOW)
        vault.agreements.receipts.add(grant.id, pid, client.client_id, {"version": "KI-CR-v1.1.0"},
                                      "header.payload.signature", NOW)
    vault.agreements.outbox.add(client.client_id, "https://acme.example/notify", "{}", NOW)
    vault.end_session(made["sessions"][1], NOW)
    return made


def raw(vault: Vault) -> dict[str, list[tuple]]:
    """Every row of every table exactly as stored, in a stable order."""
    out = {}
    with vault.db.read() as tx:
        for table in copy.tables():
            rows = tx.all(f"SELECT * FROM {table}")
            out[copy.label(table)] = sorted(rows, key=repr)
    return out


def readable(vault: Vault, made: dict[str, Any]) -> dict[str, Any]:
    """Everything the vault gives back decrypted, for comparing two copies."""
    out: dict[str, Any] = {"clients": vault.agreements.clients.all(),
                           "signing": vault.agreements.signing.published()}
    for pid in made["persons"]:
        person = vault.get_person(pid)
        out[pid] = (person, vault.find_person_by_email(person.email.upper()),
                    vault.list_fields(pid), vault.list_intents(pid), vault.list_events(pid),
                    vault.agreements.terms.get(pid), vault.agreements.grants.for_person(pid),
                    vault.agreements.requests.for_person(pid))
    out["sessions"] = [vault.session_person(token, NOW) for token in made["sessions"]]
    return out


@pytest.fixture
def source(tmp_path: Path) -> Any:
    vault = Vault.open(tmp_path / "home", now=NOW)
    made = populate(vault)
    yield vault, made
    vault.close()


def test_tables_come_from_the_migrations_and_match_a_fresh_store(tmp_path):
    """Every table a fresh store has is copied: the list is read from MIGRATIONS, not typed."""
    Vault.open(tmp_path / "home", now=NOW).close()
    found = set()
    with sqlite3.connect(tmp_path / "home" / "custos.db") as data:
        found |= {r[0] for r in data.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    with sqlite3.connect(tmp_path / "home" / "keys.db") as keys:
        found |= {"keystore_" + r[0]
                  for r in keys.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert {copy.label(t) for t in copy.tables()} == found
    assert {"persons", "events", "oauth_clients", "keystore_data_keys"} <= found


def test_sqlite_to_sqlite_in_small_batches_reads_back_identically(source, tmp_path):
    vault, made = source
    seen: list[tuple[int, int]] = []
    report = copy_store(vault, f"sqlite:///{tmp_path / 'other'}", lambda d, t: seen.append((d, t)),
                        batch=3)
    assert seen[-1] == (report.total, report.total) and len(seen) > len(report.rows)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert report.rows["fields"] == 16 and report.rows["keystore_data_keys"] == 2
    assert report.persons == 2 and report.sampled == 2
    copied = Vault.open(tmp_path / "other", master_key_file=tmp_path / "home" / "master.key")
    try:
        assert raw(copied) == raw(vault)
        assert readable(copied, made) == readable(vault, made)
        assert copied.verify_log() == []
    finally:
        copied.close()


@pytest.mark.postgres
def test_sqlite_to_postgres_and_back(source, pg_url, tmp_path):
    vault, made = source
    before_raw, before = raw(vault), readable(vault, made)
    report = vault.copy_to(pg_url)
    assert report.migrations == [m.name for m in migrations.MIGRATIONS]
    assert report.rows == {name: len(rows) for name, rows in before_raw.items()}
    assert report.rows["events"] > 20 and report.rows["grants"] == 2

    on_pg = Vault.open(vault.db.home, pg_url)  # the same CUSTOS_HOME, for master.key
    try:
        assert raw(on_pg) == before_raw  # ciphertexts, MACs, hashes: byte for byte
        assert readable(on_pg, made) == before
        assert on_pg.verify_log() == []
        on_pg.add_field(made["persons"][0], category="address.city", name="City", kind="text",
                        value="Zürich", now=NOW)  # the copy is a working store, not a snapshot
        assert on_pg.verify_log() == []

        back_home = tmp_path / "back"
        back_home.mkdir()
        shutil.copy2(vault.db.home / "master.key", back_home / "master.key")
        on_pg.copy_to(f"sqlite:///{back_home}")
        expected_raw, expected = raw(on_pg), readable(on_pg, made)
    finally:
        on_pg.close()
    back = Vault.open(back_home)
    try:
        assert raw(back) == expected_raw
        assert readable(back, made) == expected
        assert back.verify_log() == []
    finally:
        back.close()


@pytest.mark.postgres
def test_a_started_postgres_store_is_refused(source, pg_url):
    vault, _ = source
    Vault.open(vault.db.home, pg_url).close()  # someone ran `custos serve` against it first
    with pytest.raises(CopyRefused, match=r"is not empty: it holds rows in keystore_server_keys"):
        vault.copy_to(pg_url)


@pytest.mark.postgres
def test_a_second_copy_is_refused_and_changes_nothing(source, pg_url):
    vault, _ = source
    vault.copy_to(pg_url)
    other = Vault.open(vault.db.home, pg_url)
    try:
        before = raw(other)
        vault.add_field(vault.person_ids()[0], category="address.city", name="City",
                        kind="text", value="Bern", now=NOW)
        with pytest.raises(CopyRefused, match=r"not empty: it holds rows in persons \(2\)"):
            vault.copy_to(pg_url)
        assert raw(other) == before
    finally:
        other.close()


def test_a_non_empty_sqlite_folder_is_refused(source, tmp_path):
    vault, _ = source
    target = f"sqlite:///{tmp_path / 'other'}"
    vault.copy_to(target)
    with pytest.raises(CopyRefused, match="Copy only into an empty database"):
        vault.copy_to(target)
    with pytest.raises(CopyRefused, match="is not empty"):
        vault.copy_to(f"sqlite:///{vault.db.home}")  # onto itself


@pytest.mark.parametrize("url", ["mysql://db/custos", "sqlite://", "sqlite:///", "custos.db"])
def test_a_target_that_is_not_a_store_url_is_refused(source, url):
    vault, _ = source
    with pytest.raises(CopyRefused):
        vault.copy_to(url)


def test_a_table_added_by_a_new_migration_is_copied(tmp_path, monkeypatch):
    probe = migrations.Migration(
        name="9999_probe",
        data=["CREATE TABLE probe (id TEXT PRIMARY KEY, body {blob} NOT NULL)"],
        keys=["CREATE TABLE {k}probe_keys (name TEXT PRIMARY KEY, n INTEGER)"],
    )
    monkeypatch.setattr(migrations, "MIGRATIONS", [*migrations.MIGRATIONS, probe])
    vault = Vault.open(tmp_path / "home", now=NOW)
    try:
        with vault.db.write() as tx:
            tx.run("INSERT INTO probe (id, body) VALUES (?, ?)", ("a", b"\x00\xff"))
            tx.run("INSERT INTO {k}probe_keys (name, n) VALUES (?, ?)", ("b", 7))
        report = vault.copy_to(f"sqlite:///{tmp_path / 'other'}")
    finally:
        vault.close()
    assert report.rows["probe"] == 1 and report.rows["keystore_probe_keys"] == 1
    assert "9999_probe" in report.migrations
    with sqlite3.connect(tmp_path / "other" / "custos.db") as db:
        assert db.execute("SELECT id, body FROM probe").fetchall() == [("a", b"\x00\xff")]


def test_a_copy_that_loses_a_row_is_reported(source, tmp_path, monkeypatch):
    vault, _ = source
    real = copy._batches

    def lossy(src, table, size):
        for rows in real(src, table, size):
            yield rows[:-1] if table == "events" else rows

    monkeypatch.setattr(copy, "_batches", lossy)
    with pytest.raises(CopyMismatch, match=r"events: \d+ copied, \d+ found"):
        vault.copy_to(f"sqlite:///{tmp_path / 'other'}")


def test_a_copy_that_changes_a_byte_is_reported(source, tmp_path, monkeypatch):
    vault, _ = source
    real = copy._batches

    def flip(src, table, size):
        for rows in real(src, table, size):
            if table == "events":
                seq, at, kind = rows[0][1:4]
                rows = [(rows[0][0], seq, at, kind + "x", *rows[0][4:]), *rows[1:]]
            yield rows

    monkeypatch.setattr(copy, "_batches", flip)
    with pytest.raises(CopyMismatch, match="audit chain problem"):
        vault.copy_to(f"sqlite:///{tmp_path / 'other'}")
