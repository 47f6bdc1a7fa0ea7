"""The offers page: delivered and filtered offers with reasons, override, block a vendor."""

from __future__ import annotations

import pytest

from tests.api.test_terms_pages import candidate, saved
from tests.oauth.conftest import Vendors

OFFER = {"category": "vehicles", "price": "28500", "currency": "EUR",
         "text": "A 2026 electric hatchback, 420 km range", "valid_until": None}


@pytest.fixture
def offers(app, auth, client):
    """Ada's shown intent drew two offers; the butler delivered one and filtered the other."""
    auth.signup()
    vault = app.extensions["custos.vault"]
    clock = app.extensions["custos.clock"]
    pid = vault.find_person_by_email("ada@example.org").id
    intent = vault.add_intent(pid, {"category": "vehicles", "text": "An electric car",
                                    "budget": "30000.00", "currency": "EUR",
                                    "visibility": "shown", "status": "active",
                                    "constraints": []}, clock())
    good = Vendors(client).register(client_name="GreenWheels")
    bad = Vendors(client).register(client_name="FumeMotors")
    ids = {}
    for name, vendor in (("good", good), ("bad", bad)):
        offer = vault.agreements.offers.receive(pid, intent.id, vendor["client_id"], {
            **OFFER, "vendor": {"id": vendor["client_id"], "name": name}}, clock())
        ids[name] = offer.id
    vault.agreements.offers.decide(ids["good"], {"action": "deliver", "by": "butler",
                                                 "reasons": [{"code": "offer.delivered",
                                                              "text": "Meets your standards"}],
                                                 "override": False}, clock())
    vault.agreements.offers.decide(ids["bad"], {"action": "filter", "by": "butler",
                                                "reasons": [{"code": "offer.missing_certification",
                                                             "text": "FumeMotors is not b-corp "
                                                                     "certified"}],
                                                "override": False}, clock())
    return {"person": pid, "intent": intent.id, **ids, "bad_client": bad["client_id"]}


def test_delivered_and_filtered_tabs_show_the_reasons(client, offers):
    delivered = client.get("/offers").get_data(as_text=True)
    assert "GreenWheels: 28500 EUR" in delivered and "FumeMotors" not in delivered
    filtered = client.get("/offers?status=filtered").get_data(as_text=True)
    assert "FumeMotors is not b-corp certified" in filtered and "Deliver anyway" in filtered
    intents = client.get("/intents").get_data(as_text=True)
    assert "1 delivered" in intents and "1 filtered out" in intents


def test_deliver_a_filtered_offer_anyway(app, auth, client, offers):
    response = auth.post(f"/offers/{offers['bad']}", {"decision": "deliver"},
                         page="/offers?status=filtered")
    assert response.status_code == 302
    offer = app.extensions["custos.vault"].agreements.offers.get(offers["bad"])
    assert offer.status == "delivered" and offer.decision["by"] == "person"
    assert offer.body["history"][0]["action"] == "filter"  # the butler's decision is kept


def test_block_a_vendor_is_a_previewed_terms_change(app, auth, client, offers):
    preview = auth.post(f"/offers/{offers['bad']}/block", {}, page="/offers?status=filtered")
    assert "Check your change before saving" in preview.get_data(as_text=True)
    auth.post("/terms/save", {"candidate": candidate(preview)}, page="/terms")
    assert saved(app, offers["person"])["offers"]["blocklist"] == [offers["bad_client"]]
    page = client.get("/offers?status=filtered").get_data(as_text=True)
    assert "FumeMotors is blocked" in page


def test_bad_decision_and_foreign_offer(auth, client, offers):
    assert auth.post(f"/offers/{offers['bad']}", {"decision": "keep"},
                     page="/offers").status_code == 400
    auth.signout()
    auth.signup(email="eve@example.org")
    assert auth.post(f"/offers/{offers['bad']}", {"decision": "deliver"},
                     page="/offers").status_code == 404
