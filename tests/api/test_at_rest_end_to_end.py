"""Encryption at rest after the whole product has been used: pages, terms, OAuth, requests,
intent search and offers. Every marker the person or a vendor typed about the person must be
absent from the database files and their WALs (raw, lower case, hex and UTF-16)."""

from __future__ import annotations

from pathlib import Path

from policies.agreements import adopt
from tests.oauth.conftest import Flow, Vendors
from tests.oauth.test_person_vendor import bearer, vendor_token

MARKERS = {
    "email": "quillon.marker@example.org",
    "value": "Xanthoria-Field-9182@example.net",  # an email address: the category says so
    "field_name": "Tarragon-Label-5531",
    "intent": "Ocelot-Intent-7720 electric bicycle",
    "constraint": "Gorse-Constraint-1164",
    "rule": "Pangolin-Rule-3307",
    "offer": "Marmoset-Offer-4456",
    "agent": "Bryozoa-Browser/2.0",
    "record_name": "Kinkajou-Order-6621",
    "record": "Axolotl-Record-8830 cargo bike",
    "message": "Quokka-Message-4417 does it fold",
}


def _needles() -> list[bytes]:
    out = []
    for text in MARKERS.values():
        out += [text.encode(), text.lower().encode(), text.encode().hex().encode(),
                text.encode("utf-16-le")]
    return out


def test_nothing_typed_about_the_person_is_on_disk(app, auth, client, settings):
    client.environ_base["HTTP_USER_AGENT"] = MARKERS["agent"]
    auth.signup(email=MARKERS["email"])
    vault = app.extensions["custos.vault"]
    pid = vault.find_person_by_email(MARKERS["email"]).id
    auth.post("/data", {"category": "contact.email", "name": MARKERS["field_name"],
                        "value": MARKERS["value"]})
    auth.post("/intents", {"category": "vehicles", "text": MARKERS["intent"],
                           "constraints": MARKERS["constraint"], "visibility": "shown"})
    terms = adopt({"default": "ask", "rules": [
        {"id": "r1", "label": MARKERS["rule"], "effect": "permit",
         "purposes": ["ServiceProvision"], "categories": ["contact"]},
        {"id": "w1", "effect": "permit", "actions": ["write"], "categories": ["customer"]}]},
        "intent-casting")
    vault.agreements.terms.save(pid, terms, app.extensions["custos.clock"]())
    vendor = Vendors(client).register()
    flow = Flow(client)
    read = flow.accepted_read(flow.tokens(vendor)["access_token"]).get_json()
    assert read["fields"][0]["value"] == MARKERS["value"]
    token = vendor_token(client, vendor)
    written = client.post(f"/api/v1/agreements/{read['agreement']}/records",
                          headers=bearer(token), json={"category": "customer.orders",
                                                       "name": MARKERS["record_name"],
                                                       "value": MARKERS["record"]})
    assert written.status_code == 201, written.get_json()
    client.post("/api/v1/requests", headers=bearer(token), json={
        "subject": read["sub"], "authorization_details": [{
            "type": "custos_data_access", "purpose": "Marketing",
            "categories": ["contact.email"]}]})
    [found] = client.get("/api/v1/intents", headers=bearer(token)).get_json()["items"]
    assert found["text"] == MARKERS["intent"]
    offered = client.post(f"/api/v1/intents/{found['id']}/offers", headers=bearer(token), json={
        "category": "vehicles", "price": "900", "currency": "EUR", "text": MARKERS["offer"],
        "valid_until": "2027-01-31T00:00:00+00:00"})
    assert offered.status_code == 201, offered.get_json()
    offer_id = offered.get_json()["id"]
    auth.post(f"/offers/{offer_id}", {"decision": "deliver"}, page="/offers")
    sent = auth.post(f"/offers/{offer_id}/messages", {"text": MARKERS["message"]},
                     page=f"/offers/{offer_id}/thread")
    assert sent.status_code == 302
    thread = client.get(f"/api/v1/offers/{offer_id}/messages", headers=bearer(token))
    assert thread.get_json()["messages"][0]["text"] == MARKERS["message"]
    auth.post("/settings/export", {}, page="/settings")

    home = Path(settings.home)
    files = [p for p in home.iterdir() if p.name.startswith(("custos.db", "keys.db"))]
    assert {"custos.db", "custos.db-wal", "keys.db"} <= {p.name for p in files}
    contents = b"".join(p.read_bytes() for p in files)
    assert b"Acme Cars" in contents  # the scan reads the real bytes: a vendor's name is public
    found_in = [(p.name, n) for p in files for n in _needles() if n in p.read_bytes()]
    assert found_in == []
