"""The person's agent API for her data and intents (issue 14): the pages' validation, the
agent named in the log, nobody else's data, and only under `mandate:data` / `mandate:intents`."""

from __future__ import annotations

import base64
import json

import pytest

from tests.oauth.test_mandates import agent
from tests.oauth.test_person_vendor import bearer

PHONE = {"category": "contact.phone", "name": "Mobile", "value": "+44 7700 900123"}
CAR = {"category": "vehicles", "text": "An electric car", "budget": "30000", "currency": "EUR",
       "visibility": "shown"}


@pytest.fixture
def me(person, vendors, flow) -> dict:
    found = agent(vendors, flow, "data", "intents", name="Jeeves")
    return found | {"h": bearer(found["access_token"])}


def test_an_agent_reads_adds_changes_and_deletes_data(app, person, me, client):
    added = client.post("/api/v1/person/data", json=PHONE, headers=me["h"])
    assert added.status_code == 201, added.get_json()
    field = added.get_json()
    assert field["kind"] == "phone" and field["value"] == PHONE["value"]
    changed = client.put(f"/api/v1/person/data/{field['id']}", headers=me["h"],
                         json={**PHONE, "name": "Work phone"})
    assert changed.status_code == 200 and changed.get_json()["name"] == "Work phone"
    listed = client.get("/api/v1/person/data", headers=me["h"]).get_json()
    assert field["id"] in [f["id"] for f in listed]
    assert client.delete(f"/api/v1/person/data/{field['id']}", headers=me["h"]).status_code == 204
    assert field["id"] not in [f.id for f in app.extensions["custos.vault"].list_fields(person)]
    actor = f"agent:{me['client_id']}"
    kinds = [e.kind for e in app.extensions["custos.vault"].list_events(person)
             if e.payload.get("actor") == actor]
    assert kinds == ["field_added", "field_changed", "field_deleted"]
    assert "Your agent Jeeves added" in client.get("/log").get_data(as_text=True)


@pytest.mark.parametrize("body, field", [
    ({**PHONE, "category": "contact.nonsense"}, "category"),
    ({**PHONE, "name": ""}, "name"),
    ({"category": "contact.email", "name": "Email", "value": "not an email"}, "value"),
    ({"category": "contact.phone", "name": "Phone"}, "value"),
    ({**PHONE, "kind": "text"}, "kind"),  # the kind follows the category: not the agent's
    ({**PHONE, "value": 44}, "value"),
])
def test_bad_data_is_a_400_naming_the_field_and_changes_nothing(app, person, me, client, body,
                                                               field):
    before = app.extensions["custos.vault"].list_fields(person)
    answer = client.post("/api/v1/person/data", json=body, headers=me["h"])
    assert answer.status_code == 400 and field in answer.get_json()["fields"]
    assert app.extensions["custos.vault"].list_fields(person) == before


def test_intents_through_the_api_validated_like_the_page(app, person, me, client):
    made = client.post("/api/v1/person/intents", json=CAR, headers=me["h"])
    assert made.status_code == 201 and made.get_json()["data"]["budget"] == "30000.00"
    intent = made.get_json()["id"]
    bad = client.post("/api/v1/person/intents", json={**CAR, "currency": None, "budget": "5"},
                      headers=me["h"])
    assert bad.status_code == 400 and "currency" in bad.get_json()["fields"]
    ends = client.put(f"/api/v1/person/intents/{intent}", headers=me["h"],
                      json={**CAR, "starts": "2027-01-10", "ends": "2027-01-01"})
    assert ends.status_code == 400 and "ends" in ends.get_json()["fields"]
    done = client.put(f"/api/v1/person/intents/{intent}", headers=me["h"],
                      json={**CAR, "status": "fulfilled"})
    assert done.status_code == 200 and done.get_json()["status"] == "fulfilled"
    listed = client.get("/api/v1/person/intents", headers=me["h"]).get_json()
    assert [i["status"] for i in listed] == ["fulfilled"]


def test_someone_elses_data_is_not_found(app, person, me, client, auth, clock):
    auth.signout()
    auth.signup(email="bob@example.org")
    vault = app.extensions["custos.vault"]
    bob = vault.find_person_by_email("bob@example.org").id
    his = vault.add_field(bob, category="contact.email", name="Email", kind="email",
                          value="bob@example.org", now=clock())
    assert client.put(f"/api/v1/person/data/{his.id}", json=PHONE,
                      headers=me["h"]).status_code == 404
    assert client.delete(f"/api/v1/person/data/{his.id}", headers=me["h"]).status_code == 404
    assert vault.get_field(bob, his.id).value == "bob@example.org"


def test_without_the_data_mandate_nothing_is_read_or_written(person, vendors, flow, client):
    other = agent(vendors, flow, "intents")
    h = bearer(other["access_token"])
    assert client.get("/api/v1/person/data", headers=h).status_code == 403
    assert client.post("/api/v1/person/data", json=PHONE, headers=h).status_code == 403


def test_an_agents_writes_that_vendors_read_alert_the_person(app, person, me, vendor, flow,
                                                            client):
    flow.tokens(vendor)  # Acme reads her email and city
    client.post("/api/v1/person/data", headers=me["h"],
                json={"category": "address.city", "name": "New city", "value": "Leeds"})
    client.post("/api/v1/person/data", json=PHONE, headers=me["h"])  # nobody reads the phone
    client.post("/api/v1/person/intents", json=CAR, headers=me["h"])  # shown: vendors search
    alerts = app.extensions["custos.vault"].list_events(person, kinds=["agent_changed_access"])
    assert [(a.payload["action"], a.payload["vendors"]) for a in alerts] == [
        ("data_added", [vendor["client_id"]]), ("intent_shown", [])]
    home = client.get("/").get_data(as_text=True)
    assert "(data added): city, for Acme Cars (by your agent Jeeves)." in home
    assert "(an intent shown to vendors) (by your agent Jeeves)." in home


def test_an_intent_the_agent_shows_reaches_subscribed_vendors(app, person, me, client, vendors,
                                                              clock):
    """Issue 14: the agent API is a door like the Intents page, so a matching intent it shows
    is pushed to subscribed vendors (and closing it tells those that answered), in the same
    transaction as the write."""
    from policies.agreements import adopt
    from tests.oauth.test_person_vendor import vendor_token

    vault = app.extensions["custos.vault"]
    vault.agreements.terms.save(person, adopt({"default": "ask", "rules": []}, "intent-casting"),
                                clock())
    seller = vendors.register(custos_notification_uri="https://seller.example/notices")
    token = vendor_token(client, seller)
    assert client.put("/api/v1/subscription", json={"categories": ["vehicles"]},
                      headers=bearer(token)).status_code == 200
    waiting = {n.id for n in vault.agreements.outbox.due(clock())}

    made = client.post("/api/v1/person/intents", json=CAR, headers=me["h"])
    assert made.status_code == 201
    [notice] = [n for n in vault.agreements.outbox.due(clock()) if n.id not in waiting]
    assert notice.client_id == seller["client_id"]
    assert notice.url == "https://seller.example/notices"
    claims = json.loads(base64.urlsafe_b64decode(notice.body.split(".")[1] + "=="))
    assert claims["type"] == "intent_matched" and claims["category"] == "vehicles"
    assert CAR["text"] not in str(claims)  # the vendor reads it under its handle, judged again

    hidden = client.post("/api/v1/person/intents", json={**CAR, "visibility": "hidden"},
                         headers=me["h"])
    assert hidden.status_code == 201  # hidden: nobody is told
    assert len(vault.agreements.outbox.due(clock())) == len(waiting) + 1
