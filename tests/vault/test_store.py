"""Persons, sessions, fields and intents behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from vault import EmailTaken, NotFound, Vault
from vault.events import SignedIn
from vault.migrations import MIGRATIONS, applied_migrations


def test_migrations_are_recorded(vault: Vault):
    assert applied_migrations(vault.db) == [m.name for m in MIGRATIONS]
    assert MIGRATIONS[0].name == "0001_initial"


def test_reopen_applies_nothing_new(store):
    from vault.migrations import apply_migrations

    assert apply_migrations(store.reopen().db) == []


def test_person_lifecycle(vault: Vault, person: str, now):
    found = vault.find_person_by_email("  ANN@example.org ")
    assert found is not None and found.id == person and found.email == "ann@example.org"
    assert vault.find_person_by_email("bob@example.org") is None
    vault.set_password_hash(person, "$argon2id$new", now)
    assert vault.get_person(person).password_hash == "$argon2id$new"
    with pytest.raises(EmailTaken):
        vault.create_person("Ann@Example.org", "h", now)
    with pytest.raises(NotFound):
        vault.get_person("no-such-id")


def test_sessions_store_only_a_hash(store, vault: Vault, person: str, now):
    token = vault.create_session(person, now, timedelta(hours=1), SignedIn(ip="192.0.2.1"))
    assert vault.session_person(token, now) == person
    assert vault.session_person(token, now + timedelta(hours=2)) is None
    assert vault.session_person("forged", now) is None
    assert token.encode() not in store.stored_bytes()
    other = vault.create_session(person, now, timedelta(hours=1))
    assert vault.end_session(other, now) is True
    assert vault.session_person(other, now) is None
    assert vault.end_all_sessions(person, now) == 1
    assert vault.session_person(token, now) is None
    kinds = [e.kind for e in vault.list_events(person)]
    assert kinds[-4:] == ["signed_in", "signed_in", "signed_out", "sessions_ended"]
    assert vault.list_events(person, kinds=["signed_in"])[0].event == SignedIn(ip="192.0.2.1")


def test_fields_crud(vault: Vault, person: str, now):
    f = vault.add_field(person, category="contact.phone", name="mobile", kind="tel",
                        value="+44 20 7946 0000", now=now)
    g = vault.add_field(person, category="demographics.age", name="age", kind="number",
                        value=41, now=now + timedelta(seconds=1))
    assert [x.id for x in vault.list_fields(person)] == [f.id, g.id]
    assert vault.get_field(person, g.id).value == 41
    later = now + timedelta(minutes=1)
    u = vault.update_field(person, f.id, category="contact.phone", name="mobile", kind="tel",
                           value="+44 20 7946 0001", now=later)
    assert u.value == "+44 20 7946 0001" and u.updated_at == later and u.created_at == now
    vault.delete_field(person, g.id, now)
    assert [x.id for x in vault.list_fields(person)] == [f.id]
    with pytest.raises(NotFound):
        vault.get_field(person, g.id)
    changed = vault.list_events(person, kinds=["field_changed"])
    assert changed[0].payload["changed"] == ["value"]


def test_a_persons_rows_are_invisible_to_another(vault: Vault, person: str, now):
    bob = vault.create_person("bob@example.org", "h", now)
    f = vault.add_field(person, category="contact", name="n", kind="text", value="v", now=now)
    i = vault.add_intent(person, {"what": "bike"}, now)
    with pytest.raises(NotFound):
        vault.get_field(bob, f.id)
    with pytest.raises(NotFound):
        vault.get_intent(bob, i.id)
    with pytest.raises(NotFound):
        vault.delete_field(bob, f.id, now)
    assert vault.list_fields(bob) == []


def test_intents(vault: Vault, person: str, now):
    data = {"category": "vehicles.car", "text": "electric car", "budget": 30000,
            "currency": "EUR", "visibility": "shown"}
    i = vault.add_intent(person, data, now)
    assert (i.status, i.visibility, i.data["budget"]) == ("active", "shown", 30000)
    u = vault.update_intent(person, i.id, {**i.data, "status": "fulfilled"}, now)
    assert u.status == "fulfilled" and vault.get_intent(person, i.id).data["text"] == "electric car"
    with vault.db.read() as tx:
        assert tx.all("SELECT status, visibility FROM intents") == [("fulfilled", "shown")]
    assert [x.id for x in vault.list_intents(person)] == [i.id]


def test_threads_each_get_a_connection(vault: Vault, person: str, now):
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for k in range(5):
                vault.add_field(person, category="c", name=f"{n}-{k}", kind="text", value=k,
                                now=now)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(vault.list_fields(person)) == 20
    assert vault.verify_log(person) == []
    assert [e.seq for e in vault.list_events(person)] == list(range(1, 22))
