"""Intent search and offers: who sees which intent, under which handle, and what follows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from policies.agreements import adopt
from tests.conftest import save_terms
from tests.oauth.test_person_vendor import bearer, butler, vendor_token

INTENT = {"category": "vehicles", "text": "An electric car within three months",
          "budget": "30000.00", "currency": "EUR", "starts": "2026-12-01", "ends": "2027-02-28",
          "region": "Berlin", "constraints": ["electric only"], "visibility": "shown",
          "status": "active"}
OFFER = {"price": "28917.43", "currency": "EUR", "category": "vehicles.cars",
         "text": "Our e-hatchback, delivered in January", "valid_until": "2027-01-31T00:00:00Z"}
CASTING = adopt({"default": "ask", "rules": []}, "intent-casting")


@pytest.fixture
def me(person, vendors, flow) -> str:
    """The person's butler token."""
    return butler(vendors, flow)["access_token"]


@pytest.fixture
def casting(app, person, me, client) -> str:
    """Ada casts her intent: the intent-casting agreement, one shown intent, one hidden."""
    save_terms(client, CASTING)  # she chooses to cast; her agent could only propose it
    vault, clock = app.extensions["custos.vault"], app.extensions["custos.clock"]
    vault.add_intent(person, {**INTENT, "visibility": "hidden", "text": "A secret sofa",
                              "category": "home"}, clock())
    return vault.add_intent(person, INTENT, clock()).id


def search(client, token, **params):
    response = client.get("/api/v1/intents", headers=bearer(token), query_string=params)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_search_shows_the_cast_intent_pseudonymously(app, casting, person, vendor, client):
    found = search(client, vendor_token(client, vendor))
    assert [i["text"] for i in found["items"]] == [INTENT["text"]] and found["next"] is None
    item = found["items"][0]
    assert item["budget"] == "30000.00" and item["window"]["ends"] == "2027-02-28"
    assert item["constraints"] == ["electric only"] and item["region"] == "Berlin"
    raw = str(found)
    assert casting not in raw and person not in raw and "ada@" not in raw
    log = app.extensions["custos.vault"].list_events(person, kinds=["access_attempted"])
    assert log[-1].payload["purpose"] == "SellProductsToDataSubject"
    assert log[-1].payload["client_id"] == vendor["client_id"]


def test_handles_differ_per_vendor_and_are_stable(casting, vendor, vendors, client):
    other = vendors.register(client_name="Other Cars")
    a = search(client, vendor_token(client, vendor))["items"][0]["id"]
    b = search(client, vendor_token(client, other))["items"][0]["id"]
    assert a != b and a == search(client, vendor_token(client, vendor))["items"][0]["id"]


def test_default_terms_show_nothing(app, person, vendor, client):
    """Without terms that permit it, a shown intent stays unseen: nobody is there to ask."""
    app.extensions["custos.vault"].add_intent(person, INTENT, app.extensions["custos.clock"]())
    assert search(client, vendor_token(client, vendor))["items"] == []


def test_category_filter_and_pages(app, casting, person, vendor, client):
    vault, clock = app.extensions["custos.vault"], app.extensions["custos.clock"]
    vault.add_intent(person, {**INTENT, "category": "travel", "text": "A week in Lisbon"},
                     clock())
    token = vendor_token(client, vendor)
    assert [i["category"] for i in search(client, token, category="travel")["items"]] == [
        "travel"]
    first = search(client, token, limit=1)
    second = search(client, token, limit=1, cursor=first["next"])
    assert first["next"] and second["next"] is None
    assert {first["items"][0]["id"], second["items"][0]["id"]} == {
        i["id"] for i in search(client, token)["items"]}
    bad = client.get("/api/v1/intents", headers=bearer(token), query_string={"limit": "0"})
    assert bad.status_code == 400 and "limit" in bad.get_json()["fields"]


def test_a_person_token_cannot_search(casting, me, client):
    assert client.get("/api/v1/intents", headers=bearer(me)).status_code == 403


def test_offer_is_received_decided_by_the_butler_and_overridden(app, casting, person, vendor,
                                                                me, client):
    token = vendor_token(client, vendor)
    handle = search(client, token)["items"][0]["id"]
    sent = client.post(f"/api/v1/intents/{handle}/offers", json=OFFER, headers=bearer(token))
    assert sent.status_code == 201, sent.get_json()
    offer = sent.get_json()
    assert offer["status"] == "received" and offer["price"] == "28917.43"
    received = client.get("/api/v1/person/offers", headers=bearer(me)).get_json()
    assert [o["id"] for o in received] == [offer["id"]]
    assert received[0]["intent"]["id"] == casting and received[0]["intent"]["budget"]
    assert received[0]["vendor"]["id"] == vendor["client_id"]
    reasons = [{"code": "offer.missing_certification", "text": "You want B Corps only"}]
    filtered = client.post(f"/api/v1/person/offers/{offer['id']}/decision", headers=bearer(me),
                           json={"decision": "filter", "reasons": reasons}).get_json()
    assert filtered["status"] == "filtered" and filtered["decision"]["reasons"] == reasons
    assert client.get("/api/v1/person/offers", headers=bearer(me)).get_json() == []
    mine = client.get("/api/v1/offers", headers=bearer(token)).get_json()["items"]
    assert mine[0]["status"] == "filtered" and "reasons" not in str(mine)
    assert mine[0]["intent"] == handle
    override = client.post(f"/api/v1/person/offers/{offer['id']}/decision", headers=bearer(me),
                           json={"decision": "deliver"}).get_json()
    assert override["status"] == "delivered" and override["decision"]["override"] is True
    assert override["history"][0]["reasons"] == reasons
    kinds = [e.kind for e in app.extensions["custos.vault"].list_events(person)]
    assert kinds.count("offer_received") == 1 and kinds.count("offer_decided") == 2


@pytest.mark.parametrize("field, value", [
    ("price", "-1"), ("price", "ten"), ("currency", "eur"), ("category", "Fast Cars!"),
    ("text", ""), ("valid_until", "2020-01-01T00:00:00Z"), ("valid_until", "tomorrow"),
    ("colour", "red"),
])
def test_bad_offers_are_a_400_naming_the_field(casting, vendor, client, field, value):
    token = vendor_token(client, vendor)
    handle = search(client, token)["items"][0]["id"]
    response = client.post(f"/api/v1/intents/{handle}/offers", json={**OFFER, field: value},
                           headers=bearer(token))
    assert response.status_code == 400 and field in response.get_json()["fields"]


def test_missing_field_and_foreign_handle(casting, vendor, vendors, client):
    token = vendor_token(client, vendor)
    handle = search(client, token)["items"][0]["id"]
    body = {k: v for k, v in OFFER.items() if k != "price"}
    response = client.post(f"/api/v1/intents/{handle}/offers", json=body, headers=bearer(token))
    assert response.status_code == 400 and "price" in response.get_json()["fields"]
    other = vendor_token(client, vendors.register(client_name="Other"))
    for who, h in ((other, handle), (token, "int_nothing")):
        answer = client.post(f"/api/v1/intents/{h}/offers", json=OFFER, headers=bearer(who))
        assert answer.status_code == 404


def test_blocklist_in_the_terms_hides_intents_from_that_vendor(casting, vendor, vendors, me,
                                                               client):
    token = vendor_token(client, vendor)
    handle = search(client, token)["items"][0]["id"]
    terms = {**CASTING, "offers": {"blocklist": [vendor["client_id"]]}}
    assert client.put("/api/v1/person/terms", json=terms, headers=bearer(me)).status_code == 200
    assert search(client, token)["items"] == []
    refused = client.post(f"/api/v1/intents/{handle}/offers", json=OFFER, headers=bearer(token))
    assert refused.status_code == 404
    other = vendor_token(client, vendors.register(client_name="Other"))
    assert len(search(client, other)["items"]) == 1


def test_tightened_terms_and_withdrawn_intents_are_not_shown(app, casting, person, vendor, me,
                                                             client):
    token = vendor_token(client, vendor)
    deny = {**CASTING, "rules": [{"id": "no-selling", "effect": "deny",
                                  "purposes": ["SellProductsToDataSubject"]}, *CASTING["rules"]]}
    assert client.put("/api/v1/person/terms", json=deny, headers=bearer(me)).status_code == 200
    assert search(client, token)["items"] == []
    assert client.put("/api/v1/person/terms", json=CASTING, headers=bearer(me)).status_code == 202
    save_terms(client, CASTING)  # loosening again: only she can
    vault, clock = app.extensions["custos.vault"], app.extensions["custos.clock"]
    vault.update_intent(person, casting, {**INTENT, "status": "withdrawn"}, clock())
    assert search(client, token)["items"] == []


def test_offers_are_sealed_at_rest(app, settings, casting, vendor, client):
    token = vendor_token(client, vendor)
    handle = search(client, token)["items"][0]["id"]
    client.post(f"/api/v1/intents/{handle}/offers", json=OFFER, headers=bearer(token))
    stored = b"".join(p.read_bytes() for p in settings.home.glob("*.db*"))
    # the price has a dot, so hex ids and tags stored beside it can never contain it by chance
    assert OFFER["text"].encode() not in stored and b"28917.43" not in stored


def test_person_intents_and_offer_status_filter(casting, me, client):
    intents = client.get("/api/v1/person/intents", headers=bearer(me)).get_json()
    assert {i["id"] for i in intents} >= {casting}
    bad = client.get("/api/v1/person/offers?status=new", headers=bearer(me))
    assert bad.status_code == 400 and "status" in bad.get_json()["fields"]


def test_an_ended_intent_is_out_of_search_and_refuses_offers(casting, vendor, client, clock):
    """Issue 9 item 17: the intent ends on 2027-02-28 and runs through that day (UTC)."""
    handle = search(client, vendor_token(client, vendor))["items"][0]["id"]
    clock.now = datetime(2027, 2, 28, 23, 59, tzinfo=UTC)
    token = vendor_token(client, vendor)
    assert [i["id"] for i in search(client, token)["items"]] == [handle]
    clock.now = datetime(2027, 3, 1, 0, 0, tzinfo=UTC)
    token = vendor_token(client, vendor)
    assert search(client, token)["items"] == []
    late = {**OFFER, "valid_until": "2027-06-01T00:00:00Z"}
    refused = client.post(f"/api/v1/intents/{handle}/offers", json=late, headers=bearer(token))
    assert refused.status_code == 404


def _offer(client, token, **changes) -> dict:
    handle = search(client, token)["items"][0]["id"]
    sent = client.post(f"/api/v1/intents/{handle}/offers", json={**OFFER, **changes},
                       headers=bearer(token))
    assert sent.status_code == 201, sent.get_json()
    return sent.get_json()


@pytest.fixture
def short(app, casting, person, clock) -> str:
    """The cast intent now ends tomorrow, 2026-11-26."""
    vault = app.extensions["custos.vault"]
    vault.update_intent(person, casting, {**INTENT, "ends": "2026-11-26"}, clock())
    return casting


@pytest.mark.parametrize("valid_until, days, problem", [
    ("2026-11-25T12:00:00Z", 1, "expired on 2026-11-25 12:00 UTC"),
    ("2027-06-01T00:00:00Z", 2, "ended on 2026-11-26"),
], ids=["offer-expired", "intent-ended"])
def test_an_expired_offer_or_ended_intent_is_never_delivered(short, vendor, vendors, flow,
                                                             client, clock, auth, valid_until,
                                                             days, problem):
    offer = _offer(client, vendor_token(client, vendor), valid_until=valid_until)
    clock.advance(days=days)
    auth.signin()  # the session of the day before has ended
    me = butler(vendors, flow)["access_token"]
    path = f"/api/v1/person/offers/{offer['id']}/decision"
    refused = client.post(path, headers=bearer(me), json={"decision": "deliver"})
    assert refused.status_code == 400, refused.get_json()
    assert problem in refused.get_json()["fields"]["decision"][0]
    [stored] = client.get("/api/v1/person/offers?status=all", headers=bearer(me)).get_json()
    assert stored["status"] == "received"  # nothing changed
    filtered = client.post(path, headers=bearer(me), json={"decision": "filter"})
    assert filtered.get_json()["status"] == "filtered"
    again = client.post(path, headers=bearer(me), json={"decision": "deliver"})  # no override
    assert again.status_code == 400


def test_the_person_sees_why_deliver_anyway_is_refused(short, vendor, me, client, clock, auth):
    """On the offers page the refusal is a message beside the offer, not an error page."""
    offer = _offer(client, vendor_token(client, vendor), valid_until="2026-11-25T12:00:00Z")
    client.post(f"/api/v1/person/offers/{offer['id']}/decision", headers=bearer(me),
                json={"decision": "filter"})
    clock.advance(days=1)
    auth.signin()
    page = auth.post(f"/offers/{offer['id']}", {"decision": "deliver"},
                     page="/offers?status=filtered", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "This offer expired on 2026-11-25 12:00 UTC" in html
    vault = client.application.extensions["custos.vault"]
    assert vault.agreements.offers.get(offer["id"]).status == "filtered"


def test_the_butler_is_told_when_the_intent_ends(casting, vendor, me, client):
    """The offer's intent carries its end date, so the butler can judge it by its own clock."""
    _offer(client, vendor_token(client, vendor))
    [offer] = client.get("/api/v1/person/offers", headers=bearer(me)).get_json()
    assert offer["intent"]["ends"] == "2027-02-28" and offer["intent"]["status"] == "active"
