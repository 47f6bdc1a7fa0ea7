"""Issue 15's read path in the vault: the joined token lookup, the keyed category tags that
keep unneeded fields sealed, and SQLite's group commit."""

from __future__ import annotations

import threading
from contextlib import nullcontext
from datetime import timedelta

import pytest

from tests.vault.conftest import Store
from vault.errors import CryptoError
from vault.fields import category_tag, tag_key
from vault.negotiations import ACCEPTED, TERMINATED

PURPOSE = {"purpose": "ServiceProvision", "categories": ["contact.email"], "terms_version": 0,
           "decided_by": "person"}


def _agreement(vault, person, now, token="raw-token"):
    client, _ = vault.agreements.clients.register(
        {"client_name": "V", "redirect_uris": ["https://v.example/cb"]}, now, confidential=True)
    grant = vault.agreements.grants.create(person, client.client_id, PURPOSE,
                                           expires_at=now + timedelta(days=1), now=now)
    vault.agreements.tokens.save(access=token, refresh=None, client_id=client.client_id,
                                 person_id=person, grant_id=grant.id, family_id="f", scope="",
                                 now=now, access_ttl=timedelta(hours=1))
    return client, grant


def test_one_lookup_gives_token_client_agreement_and_terms_version(vault, person, now):
    client, grant = _agreement(vault, person, now)
    vault.agreements.terms.save(person, {"default": "ask", "rules": []}, now)
    with vault.transaction("write") as tx:
        found = vault.agreements.access(tx, "raw-token")
        assert vault.agreements.access(tx, "other-token") is None
    assert found.token.grant_id == grant.id and found.token.active(now)
    assert found.client.client_id == client.client_id
    assert found.grant == grant
    assert found.terms_version == 1
    vault.agreements.clients.disable(client.client_id, now)
    with vault.transaction("read") as tx:
        assert vault.agreements.access(tx, "raw-token").client is None  # disabled


def test_the_lookup_sees_an_ended_agreement(vault, person, now):
    _, grant = _agreement(vault, person, now)
    vault.agreements.grants.end(grant.id, "revoked", now)
    with vault.transaction("write") as tx:
        found = vault.agreements.access(tx, "raw-token")
    assert found.grant.status == "revoked" and found.token.revoked_at is not None


def test_the_lookup_brings_the_record_status_and_a_change_in_the_read_forgets_it(vault, person,
                                                                               now):
    _, grant = _agreement(vault, person, now)
    records = vault.agreements.negotiations
    with vault.transaction("write") as tx:
        assert vault.agreements.access(tx, "raw-token").negotiation is None
        assert records.waiting(grant.id) is None  # nothing proffered
    records.open(grant.id, person, grant.client_id, {"agreements": ["SD-BASE"]}, now,
                 status=ACCEPTED)
    with vault.transaction("write") as tx:
        assert vault.agreements.access(tx, "raw-token").negotiation == ACCEPTED
        assert records.waiting(grant.id) is None
        records.change(grant.id, now, status=TERMINATED)  # in the same transaction
        assert records.waiting(grant.id).status == TERMINATED  # not the status seen before
    with vault.transaction("write") as tx:
        assert vault.agreements.access(tx, "raw-token").negotiation == TERMINATED
        assert records.waiting(grant.id).status == TERMINATED


def _add(vault, person, category, name, now):
    return vault.add_field(person, category=category, name=name, kind="text", value=name,
                           now=now)


def test_tags_are_keyed_per_person_and_never_the_category(store, vault, person, now):
    other = vault.create_person("bo@example.org", "x", now)
    _add(vault, person, "health.condition", "a", now)
    _add(vault, other, "health.condition", "b", now)
    tags = {pid: tag for pid, tag in store.execute("SELECT person_id, tag FROM fields")}
    assert tags[person] != tags[other]  # the same category of two persons cannot be matched
    assert all("health" not in t and len(t) == 32 for t in tags.values())
    assert b"health.condition" not in store.stored_bytes()


def test_a_read_opens_only_the_fields_of_its_categories(store, vault, person, now):
    wanted = _add(vault, person, "contact.email", "mail", now)
    other = _add(vault, person, "identity.name", "name", now)
    # spoil the other field's sealed body: opening it would raise
    store.execute("UPDATE fields SET body = ? WHERE id = ?", (b"\x01" + bytes(40), other.id))
    assert [f.id for f in vault.list_fields_in(person, {"contact.email"})] == [wanted.id]
    with pytest.raises(CryptoError):
        vault.list_fields(person)
    store.execute("UPDATE fields SET tag = (SELECT tag FROM fields WHERE id = ?) WHERE id = ?",
                  (wanted.id, other.id))  # a moved tag makes the row opened, and it fails
    with pytest.raises(CryptoError):
        vault.list_fields_in(person, {"contact.email"})


def test_rows_without_a_tag_are_read_and_tagged_in_a_write(store, vault, person, now):
    field = _add(vault, person, "contact.email", "mail", now)
    _add(vault, person, "identity.name", "name", now)
    store.execute("UPDATE fields SET tag = NULL")  # as rows written before migration 0060
    with vault.transaction("read"):
        assert [f.id for f in vault.list_fields_in(person, {"contact.email"})] == [field.id]
    assert store.execute("SELECT COUNT(*) FROM fields WHERE tag IS NULL") == [(2,)]
    with vault.transaction("write"):
        assert [f.id for f in vault.list_fields_in(person, ["contact.email"])] == [field.id]
    with vault.transaction("read") as tx:
        key = tag_key(vault.keys.data_key(tx, person))
    stored = dict(store.execute("SELECT id, tag FROM fields WHERE id = ?", (field.id,)))
    assert stored[field.id] == category_tag(key, "contact.email")


def test_tagged_and_untagged_rows_come_oldest_first(store, vault, person, now):
    first = _add(vault, person, "contact.email", "a", now)
    second = _add(vault, person, "contact.email", "b", now + timedelta(seconds=1))
    third = _add(vault, person, "contact.email", "c", now + timedelta(seconds=2))
    store.execute("UPDATE fields SET tag = NULL WHERE id = ?", (second.id,))
    with vault.transaction("read"):
        found = vault.list_fields_in(person, {"contact.email"})
    assert [f.id for f in found] == [first.id, second.id, third.id]


def test_sqlite_finds_a_reads_fields_through_the_tag_index(tmp_path, now):
    """Not by reading every row of the person (`tag IN (…) OR tag IS NULL` did): 1,000 fields
    read under 2 categories cost 1.2-1.35x the read of 20 that way (docs/benchmarks.md)."""
    store = Store("sqlite", tmp_path / "home", None)
    vault = store.vault
    person = vault.create_person("ann@example.org", "x", now)
    _add(vault, person, "contact.email", "mail", now)
    sent: list[str] = []
    connection = vault.db.connection().conn
    connection.set_trace_callback(sent.append)
    try:
        vault.list_fields_in(person, {"contact.email"})
    finally:
        connection.set_trace_callback(None)
    (query,) = [q for q in sent if "FROM fields" in q]
    with vault.db.read() as tx:
        plan = " | ".join(row[-1] for row in tx.all(f"EXPLAIN QUERY PLAN {query}"))
    assert plan.count("USING INDEX fields_person_tag (person_id=? AND tag=?)") == 2, plan
    store.vault.close()


def test_an_update_moves_the_tag_with_the_category(vault, person, now):
    field = _add(vault, person, "contact.email", "mail", now)
    vault.update_field(person, field.id, category="contact.phone", name="mail", kind="text",
                       value="1", now=now)
    assert vault.list_fields_in(person, {"contact.email"}) == []
    assert [f.id for f in vault.list_fields_in(person, {"contact.phone"})] == [field.id]


def _joined(store, members: int) -> None:
    """Wait until `members` writers are in SQLite's open group."""
    ready = threading.Event()
    while not ready.wait(0.005):
        group = store.vault.db._group
        if group is not None and group.members >= members:
            ready.set()


@pytest.mark.parametrize("failing", ["leader", "member"])
def test_a_failing_writer_in_a_shared_commit_loses_only_its_own_part(tmp_path, now, failing):
    """SQLite only: PostgreSQL groups the WAL flushes of concurrent commits itself."""
    store = Store("sqlite", tmp_path / "home", None)
    vault = store.vault
    person = vault.create_person("ann@example.org", "x", now)
    errors: list[BaseException] = []

    def member() -> None:
        try:
            with vault.transaction("write"):
                _add(vault, person, "contact.email", "member", now)
                if failing == "member":
                    raise RuntimeError("member fails")
        except RuntimeError as exc:
            errors.append(exc)

    second = threading.Thread(target=member)
    with pytest.raises(RuntimeError) if failing == "leader" else nullcontext():
        with vault.transaction("write"):
            _add(vault, person, "contact.email", "leader", now)
            second.start()
            _joined(store, 2)  # the member waits for its turn in this transaction
            if failing == "leader":
                raise RuntimeError("leader fails")
    second.join(10)
    names = sorted(f.name for f in vault.list_fields(person))
    assert names == (["member"] if failing == "leader" else ["leader"])
    assert len(errors) == (failing == "member")
    assert vault.verify_log() == []
    vault.close()
