"""The vault's email stores on both backends: the sealed mail outbox, choices and digest items,
and the single-use links (hashed, purpose-bound, expiring)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from vault.errors import EmailTaken
from vault.mail import MAX_ATTEMPTS

MESSAGE = {"to": "ann@example.org", "subject": "Hello", "text": "secret words", "unsubscribe": None}


def test_mail_is_sealed_queued_sent_once(store, vault, person, now):
    mid = vault.mail.queue(person, MESSAGE, now)
    assert b"ann@example.org" not in store.stored_bytes()
    assert b"secret words" not in store.stored_bytes()
    (due,) = vault.mail.due(now)
    assert (due.id, due.person_id, due.message) == (mid, person, MESSAGE)
    vault.mail.sent(mid, now)
    assert vault.mail.due(now) == [] and vault.mail.waiting() == 0
    assert store.execute("SELECT COUNT(*) FROM mail_outbox") == [(0,)]  # not kept once sent


def test_a_failure_backs_off_and_gives_up(vault, person, now):
    mid = vault.mail.queue(person, MESSAGE, now)
    vault.mail.failed(mid, "ConnectionRefusedError", now)
    assert vault.mail.due(now + timedelta(seconds=29)) == []
    assert [m.id for m in vault.mail.due(now + timedelta(seconds=30))] == [mid]
    for _ in range(MAX_ATTEMPTS - 2):
        vault.mail.failed(mid, "SMTPDataError", now)
    assert vault.mail.waiting() == 1
    vault.mail.failed(mid, "SMTPDataError", now)
    assert vault.mail.due(now + timedelta(days=30)) == []  # given up
    assert vault.mail.waiting() == 0  # and dropped


def test_choices_are_sealed_and_replaced(store, vault, person, now):
    assert vault.mail.prefs(person) is None
    vault.mail.set_prefs(person, {"digest": True, "marker_kind": False}, now)
    vault.mail.set_prefs(person, {"digest": False, "marker_kind": True}, now)
    assert vault.mail.prefs(person) == {"digest": False, "marker_kind": True}
    assert b"marker_kind" not in store.stored_bytes()


def test_digest_items_are_taken_once(vault, person, now):
    vault.mail.add_to_digest(person, {"kind": "reply_arrived"}, now)
    vault.mail.add_to_digest(person, {"kind": "later"}, now + timedelta(hours=2))
    cut = now + timedelta(hours=1)
    assert vault.mail.digest_persons(cut) == [person]
    assert [item for _, item in vault.mail.take_digest(person, cut)] == [{"kind": "reply_arrived"}]
    assert vault.mail.take_digest(person, cut) == []
    assert vault.mail.digest_persons(now + timedelta(hours=3)) == [person]


def test_a_link_is_hashed_single_use_purpose_bound_and_expires(store, vault, person, now):
    token = vault.links.issue(person, "reset", now, timedelta(minutes=30))
    assert token.encode() not in store.stored_bytes()
    assert vault.links.person_for(token, "verify", now) is None  # another purpose
    assert vault.links.spend(token, "verify", now) is None
    assert vault.links.person_for(token, "reset", now + timedelta(minutes=30)) is None  # expired
    assert vault.links.spend(token, "reset", now) == person
    assert vault.links.spend(token, "reset", now) is None  # once
    assert vault.links.spend("not-a-token", "reset", now) is None


def test_used_and_expired_links_are_pruned(store, vault, person, now):
    used = vault.links.issue(person, "verify", now, timedelta(days=1))
    vault.links.spend(used, "verify", now)
    vault.links.issue(person, "reset", now, timedelta(minutes=30))
    live = vault.links.issue(person, "verify", now, timedelta(days=1))
    assert vault.links.prune(now + timedelta(minutes=30)) == 2  # the used one, the expired one
    assert vault.links.person_for(live, "verify", now) == person
    assert store.execute("SELECT COUNT(*) FROM mail_links") == [(1,)]


def test_a_new_link_voids_the_older_ones(vault, person, now):
    first = vault.links.issue(person, "verify", now, timedelta(days=1))
    second = vault.links.issue(person, "verify", now, timedelta(days=1))
    assert vault.links.person_for(first, "verify", now) is None
    vault.links.void(person, "verify", now)
    assert vault.links.person_for(second, "verify", now) is None
    with pytest.raises(ValueError):
        vault.links.issue(person, "anything", now, timedelta(days=1))


def test_changing_the_address_unverifies_it_and_refuses_a_taken_one(store, vault, person, now):
    other = vault.create_person("bob@example.org", "h", now)
    vault.links.set_verified(person, now)
    with pytest.raises(EmailTaken):
        vault.set_email(person, "BOB@example.org", now)
    assert vault.links.verified_at(person) is not None  # nothing changed
    vault.set_email(person, "ann@new.example", now)
    assert vault.get_person(person).email == "ann@new.example"
    assert vault.find_person_by_email("ann@example.org", now) is None
    assert vault.find_person_by_email("Ann@New.example", now).id == person
    assert vault.links.verified_at(person) is None
    assert b"ann@new.example" not in store.stored_bytes()
    assert [e.event.kind for e in vault.list_events(person)][-1] == "email_changed"
    assert vault.get_person(other).email == "bob@example.org"


def test_deleting_the_person_drops_her_mail_links_and_choices(vault, person, now):
    vault.mail.queue(person, MESSAGE, now)
    vault.mail.set_prefs(person, {"digest": True}, now)
    vault.mail.add_to_digest(person, {"kind": "reply_arrived"}, now)
    token = vault.links.issue(person, "reset", now, timedelta(minutes=30))
    vault.delete_person(person)
    assert vault.mail.waiting() == 0 and vault.mail.due(now) == []
    assert vault.mail.digest_persons(now + timedelta(days=1)) == []
    assert vault.links.person_for(token, "reset", now) is None


def test_the_export_holds_the_email_choices_and_the_confirmation(vault, person, now):
    assert vault.export_person(person, now)["email_choices"] is None
    vault.mail.set_prefs(person, {"digest": True}, now)
    vault.links.set_verified(person, now)
    exported = vault.export_person(person, now)
    assert exported["email_choices"] == {"digest": True}
    assert exported["person"]["email_verified_at"] is not None
