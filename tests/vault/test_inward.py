"""The inward stores on both backends: a vendor's record (sealed with its source), an offer's
reply channel (sealed, in order, bound to its row), and vendors' intent subscriptions."""

from __future__ import annotations

import pytest

from vault import CryptoError
from vault.agreement_events import RecordWritten

SECRETS = {"record": "Okapi-Record-5310 cargo bike", "message": "Tenrec-Message-2288 fold?",
           "answer": "Numbat-Answer-7741 yes"}


def _needles() -> list[bytes]:
    return [n for t in SECRETS.values()
            for n in (t.encode(), t.lower().encode(), t.encode().hex().encode(),
                      t.encode("utf-16-le"))]


def _world(vault, now):
    pid = vault.create_person("ann@example.org", "$argon2id$h", now)
    client, _ = vault.agreements.clients.register(
        {"client_name": "GreenWheels", "redirect_uris": ["https://g.example/cb"]}, now,
        confidential=True)
    intent = vault.add_intent(pid, {"text": "a bike", "category": "vehicles"}, now)
    offer = vault.agreements.offers.receive(pid, intent.id, client.client_id, {
        "category": "vehicles", "price": "1.00", "currency": "EUR", "text": "bike",
        "valid_until": None, "vendor": {"name": "GreenWheels"}}, now)
    return pid, client.client_id, offer.id


def test_a_vendor_record_keeps_its_source_sealed_and_its_edits(store, now):
    v = store.vault
    pid, cid, _ = _world(v, now)
    record = v.add_field(pid, category="customer.orders", name="Order", kind="text",
                         value=SECRETS["record"], now=now, source=cid,
                         event=lambda fid: RecordWritten(client_id=cid, grant_id="g",
                                                         category="customer.orders",
                                                         name="Order", field_id=fid,
                                                         outcome="added"))
    assert record.source == cid and record.readable_by(cid)
    assert not record.readable_by("cus_other") and v.list_fields(pid)[0].source == cid
    own = v.add_field(pid, category="contact.email", name="Email", kind="email",
                      value="ann@example.org", now=now)
    assert own.source is None and own.readable_by("cus_other")
    edited = v.update_field(pid, record.id, category="customer.orders", name="Order 2",
                            kind="text", value="changed", now=now)
    assert edited.source == cid  # the person's edit keeps where it came from
    [logged] = v.list_events(pid, kinds=["record_written"])
    assert logged.payload["field_id"] == record.id and "value" not in logged.payload
    assert [f["source"] for f in v.export_person(pid, now)["fields"] if "source" in f] == [cid]
    rows = store.execute("SELECT body FROM fields WHERE id = ?", (record.id,))
    assert cid.encode() not in bytes(rows[0][0])  # the source is inside the sealed body


def test_a_thread_is_sealed_ordered_and_bound_to_its_rows(store, now):
    v = store.vault
    pid, cid, offer = _world(v, now)
    messages = v.agreements.messages
    asked = messages.add(offer_id=offer, person_id=pid, client_id=cid, sender="person",
                         kind="message", text=SECRETS["message"], now=now)
    answered = messages.add(offer_id=offer, person_id=pid, client_id=cid, sender="vendor",
                            kind="message", text=SECRETS["answer"], now=now)
    accepted = messages.add(offer_id=offer, person_id=pid, client_id=cid, sender="person",
                            kind="accepted", text="", agreement="grant-1", now=now)
    thread = messages.thread(pid, offer)  # the same second: the order is the thread's own
    assert [m.id for m in thread] == [asked.id, answered.id, accepted.id]
    assert thread[2].agreement == "grant-1" and thread[1].text == SECRETS["answer"]
    assert [e.payload["entry"] for e in v.list_events(pid, kinds=["offer_message"])] == [
        "message", "message", "accepted"]
    with pytest.raises(ValueError):
        messages.add(offer_id=offer, person_id=pid, client_id=cid, sender="butler",
                     kind="message", text="x", now=now)
    assert [n for n in _needles() if n in store.stored_bytes()] == []
    [exported] = v.export_person(pid, now)["offers"]
    assert [m["kind"] for m in exported["messages"]] == ["message", "message", "accepted"]
    (blob,) = store.execute("SELECT body FROM messages WHERE id = ?", (asked.id,))[0]
    store.execute("UPDATE messages SET body = ? WHERE id = ?", (blob, answered.id))
    with pytest.raises(CryptoError):  # a message moved to another row does not open
        messages.thread(pid, offer)


def test_subscriptions_are_replaced_listed_and_dropped(store, now):
    v = store.vault
    _, cid, _ = _world(v, now)
    subs = v.agreements.subscriptions
    assert subs.get(cid) is None and subs.all() == []
    subs.put(cid, ["vehicles"], [], now)
    replaced = subs.put(cid, ["vehicles.bikes", "travel"], ["Berlin"], now)
    assert (replaced.categories, replaced.regions) == (("vehicles.bikes", "travel"),
                                                       ("Berlin",))
    assert [s.client_id for s in subs.all()] == [cid]
    assert subs.drop(cid) is True and subs.drop(cid) is False and subs.get(cid) is None
