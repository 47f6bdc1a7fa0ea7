"""The two-sided record and the duties, on SQLite and PostgreSQL: sealed, logged, deleted with
the person (issue 12)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from vault import Vault
from vault.errors import NotFound
from vault.negotiations import ACCEPTED, PENDING

TERMS = {"purpose": "ServiceProvision", "categories": ["contact.email"], "decided_by": "person",
         "terms_version": 1}
MARK = "proffered-Zq81"  # a value that must never be on disk in the clear


def _grant(vault: Vault, person: str, now):
    client, _ = vault.agreements.clients.register({"client_name": "Acme"}, now,
                                                  confidential=True)
    return vault.agreements.grants.create(person, client.client_id, TERMS,
                                          expires_at=now + timedelta(days=30), now=now)


def test_a_record_moves_through_its_statuses_and_is_logged(vault, person, now):
    grant = _grant(vault, person, now)
    store = vault.agreements.negotiations
    opened = store.open(grant.id, person, grant.client_id,
                        {"agreements": ["SD-BASE"], "sub": MARK}, now)
    assert opened.status == PENDING and store.find(grant.id).record["sub"] == MARK
    done = store.change(grant.id, now + timedelta(minutes=1), status=ACCEPTED,
                        vendor_jws="v.j.s", custos_jws="c.j.s")
    assert (done.status, done.vendor_jws, done.record["sub"]) == (ACCEPTED, "v.j.s", MARK)
    late = store.change(grant.id, now, expect=(PENDING,), status="refused")  # lost the race
    assert late is None and store.find(grant.id).status == ACCEPTED
    assert [n.grant_id for n in store.for_person(person)] == [grant.id]
    assert [e.payload["status"] for e in vault.list_events(
        person, kinds=["negotiation_changed"])] == [PENDING, ACCEPTED]
    assert store.find("no-such") is None
    with pytest.raises(NotFound):
        store.change("no-such", now, status=ACCEPTED)


def test_a_duty_is_due_then_overdue_unless_acknowledged_once(vault, person, now):
    grant = _grant(vault, person, now)
    duties = vault.agreements.duties
    due = now + timedelta(days=30)
    first = duties.add(duties.new_id(), grant.id, person, grant.client_id, "delete", "n.o.t",
                       now, due)
    second = duties.add(duties.new_id(), grant.id, person, grant.client_id, "ended", "n.o.u",
                        now, due)
    assert duties.overdue_count(person, due - timedelta(seconds=1)) == 0
    assert duties.overdue_count(person, due) == 2
    acked = duties.acknowledge(first.id, "a.c.k", now + timedelta(days=1))
    assert acked.ack == "a.c.k" and not acked.overdue(due)
    again = duties.acknowledge(first.id, "o.t.h", now + timedelta(days=2))
    assert again.ack == "a.c.k" and again.acknowledged_at == acked.acknowledged_at
    assert duties.overdue_count(person, due) == 1 and duties.get(second.id).overdue(due)
    changes = [(e.payload["duty"], e.payload["change"])
               for e in vault.list_events(person, kinds=["duty_changed"])]
    assert changes == [("delete", "sent"), ("ended", "sent"), ("delete", "acknowledged")]


def test_an_overdue_duty_is_marked_told_once_and_an_answered_one_never(vault, person, now):
    grant = _grant(vault, person, now)
    duties = vault.agreements.duties
    due = now + timedelta(days=30)
    late = duties.add(duties.new_id(), grant.id, person, grant.client_id, "delete", "n.o.t",
                      now, due)
    answered = duties.add(duties.new_id(), grant.id, person, grant.client_id, "ended",
                          "n.o.u", now, due)
    duties.acknowledge(answered.id, "a.c.k", now + timedelta(days=1))
    assert duties.overdue_untold(due - timedelta(seconds=1)) == {}
    assert duties.overdue_untold(due) == {person: [late.id]}
    assert duties.mark_told([late.id, answered.id], due) == [late.id]
    assert duties.mark_told([late.id], due) == []  # a second run (or a racing one): nothing
    assert duties.overdue_untold(due + timedelta(days=9)) == {}
    assert duties.overdue_count(person, due) == 1  # still overdue on her pages


def test_records_are_sealed_and_go_with_the_person(store, vault, person, now):
    grant = _grant(vault, person, now)
    vault.agreements.negotiations.open(grant.id, person, grant.client_id,
                                       {"agreements": ["SD-BASE"], "sub": MARK}, now)
    duties = vault.agreements.duties
    duties.add(duties.new_id(), grant.id, person, grant.client_id, "delete", MARK, now,
               now + timedelta(days=1))
    rows = store.execute("SELECT body FROM negotiations") + store.execute("SELECT body FROM "
                                                                         "duties")
    assert rows and all(MARK.encode() not in bytes(r[0]) for r in rows)
    vault.delete_person(person)
    assert store.execute("SELECT COUNT(*) FROM negotiations")[0][0] == 0
    assert store.execute("SELECT COUNT(*) FROM duties")[0][0] == 0
