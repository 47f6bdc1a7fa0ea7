"""The person's log: typed events, filters, and verification that names each break."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from vault import Vault
from vault.events import (
    EVENT_KINDS,
    AccountCreated,
    DataExported,
    Event,
    FieldAdded,
    GenericEvent,
    event_from_payload,
    event_kind,
)


def _log(vault: Vault, pid: str, now, n: int = 5) -> None:
    for k in range(n):
        vault.add_field(pid, category="c", name=f"f{k}", kind="text", value=k,
                        now=now + timedelta(minutes=k + 1))


def test_events_are_typed_and_filterable(vault: Vault, person: str, now):
    _log(vault, person, now, 3)
    events = vault.list_events(person)
    assert [e.seq for e in events] == [1, 2, 3, 4]
    assert events[0].event == AccountCreated()
    assert isinstance(events[1].event, FieldAdded) and events[1].event.name == "f0"
    assert [e.seq for e in vault.list_events(person, kinds=["field_added"])] == [2, 3, 4]
    window = vault.list_events(person, since=now + timedelta(minutes=2),
                               until=now + timedelta(minutes=3))
    assert [e.seq for e in window] == [3]
    assert vault.record(person, DataExported(), now) == 5


def test_registry_makes_kinds_data():
    assert {"account_created", "signed_in", "field_added", "data_exported"} <= set(EVENT_KINDS)
    unknown = event_from_payload("decision_made", {"effect": "deny"})
    assert unknown == GenericEvent(name="decision_made", data={"effect": "deny"})

    @event_kind("test_only_kind")
    @dataclass(frozen=True, kw_only=True)
    class TestOnly(Event):
        note: str

    try:
        assert event_from_payload("test_only_kind", {"note": "x"}) == TestOnly(note="x")
        with pytest.raises(ValueError):
            event_kind("test_only_kind")(TestOnly)
    finally:
        del EVENT_KINDS["test_only_kind"]


def test_intact_log_verifies(vault: Vault, person: str, now):
    _log(vault, person, now)
    assert vault.verify_log() == []
    assert vault.verify_log(person) == []


def _problems(vault: Vault, pid: str) -> list[tuple[int, str]]:
    return [(p.seq, p.problem) for p in vault.verify_log(pid)]


def test_edited_entry_is_named(store, person, now):
    _log(store.vault, person, now)
    store.execute("UPDATE events SET at = ? WHERE person_id = ? AND seq = 3",
                  ("2020-01-01T00:00:00.000000+00:00", person))
    problems = store.vault.verify_log(person)
    assert [(p.seq, p.problem) for p in problems] == [(3, "edited")]
    assert problems[0].person_id == person and "Entry 3" in problems[0].message


def test_edited_payload_is_named(store, person, now):
    _log(store.vault, person, now)
    (blob,) = store.execute("SELECT payload FROM events WHERE person_id = ? AND seq = 2",
                            (person,))[0]
    store.execute("UPDATE events SET payload = ? WHERE person_id = ? AND seq = 4",
                  (blob, person))
    assert _problems(store.vault, person) == [(4, "edited")]


def test_removed_entry_is_named(store, person, now):
    _log(store.vault, person, now)
    store.execute("DELETE FROM events WHERE person_id = ? AND seq = 3", (person,))
    assert _problems(store.vault, person) == [(3, "removed")]


def test_reordered_entries_are_named(store, person, now):
    _log(store.vault, person, now)
    store.execute("UPDATE events SET seq = -1 WHERE person_id = ? AND seq = 2", (person,))
    store.execute("UPDATE events SET seq = 2 WHERE person_id = ? AND seq = 4", (person,))
    store.execute("UPDATE events SET seq = 4 WHERE person_id = ? AND seq = -1", (person,))
    assert _problems(store.vault, person) == [(2, "reordered"), (4, "reordered")]
    assert "written as entry 4" in store.vault.verify_log(person)[0].message


def test_truncated_log_is_named(store, person, now):
    _log(store.vault, person, now)
    store.execute("DELETE FROM events WHERE person_id = ? AND seq >= 5", (person,))
    problems = store.vault.verify_log(person)
    assert [(p.seq, p.problem) for p in problems] == [(5, "truncated")]
    assert "ends at entry 4 but 6 entries" in problems[0].message


def test_entry_from_another_person_is_edited(store, person, now):
    v = store.vault
    bob = v.create_person("bob@example.org", "h", now)
    _log(v, person, now, 2)
    _log(v, bob, now, 2)
    row = store.execute("SELECT at, kind, payload, prev_mac, mac FROM events "
                        "WHERE person_id = ? AND seq = 2", (bob,))[0]
    store.execute("UPDATE events SET at = ?, kind = ?, payload = ?, prev_mac = ?, mac = ? "
                  "WHERE person_id = ? AND seq = 2", (*row, person))
    assert _problems(v, person) == [(2, "edited")]
    assert [p.person_id for p in v.verify_log()] == [person]


def test_the_actor_of_a_transaction_is_in_each_entry_and_chained(vault: Vault, person: str, now):
    """Issue 13: who acted is sealed into the payload (so the chain covers it); a nested
    block naming another actor speaks for itself only; `acting` is the thread's default."""
    with vault.transaction("write", actor="agent:cus_butler"):
        vault.add_field(person, category="c", name="by-agent", kind="text", value=1, now=now)
        with vault.transaction("write", actor="terms"):
            vault.record(person, DataExported(), now)
        vault.add_field(person, category="c", name="agent-again", kind="text", value=2, now=now)
    with vault.acting("person"):
        vault.add_field(person, category="c", name="by-her", kind="text", value=3, now=now)
    vault.add_field(person, category="c", name="unsaid", kind="text", value=4, now=now)
    entries = vault.list_events(person)[-5:]
    assert [e.payload.get("actor") for e in entries] == [
        "agent:cus_butler", "terms", "agent:cus_butler", "person", None]
    assert vault.verify_log(person) == []
