"""The offers page: delivered and filtered offers with reasons, override, block a vendor."""

from __future__ import annotations

import re

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
    """Issue 10, 3: the preview looked unchanged, and the block showed nowhere but Offers."""
    preview = auth.post(f"/offers/{offers['bad']}/block", {}, page="/offers?status=filtered")
    text = preview.get_data(as_text=True)
    assert "Check your change before saving" in text
    assert "<li>FumeMotors will be blocked: its offers are filtered out.</li>" in text
    done = auth.post("/terms/save", {"candidate": candidate(preview), "back": back(preview)},
                     page="/terms")
    assert done.headers["Location"] == "/offers/rules"  # back where the change started
    assert saved(app, offers["person"])["offers"]["blocklist"] == [offers["bad_client"]]
    page = client.get("/offers?status=filtered").get_data(as_text=True)
    assert "FumeMotors is blocked" in page
    assert "<li>Blocked: FumeMotors.</li>" in client.get("/terms").get_data(as_text=True)
    assert "<strong>FumeMotors</strong>" in client.get("/offers/rules").get_data(as_text=True)


def back(response) -> str:
    match = re.search(r'name="back" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the preview does not say where to go back to"
    return match.group(1)


def test_unblock_a_vendor(app, auth, client, offers):
    """Issue 10, 3: nothing could unblock a vendor."""
    preview = auth.post(f"/offers/{offers['bad']}/block", {}, page="/offers?status=filtered")
    auth.post("/terms/save", {"candidate": candidate(preview)}, page="/terms")
    rules = client.get("/offers/rules").get_data(as_text=True)
    assert re.search(r'<button type="submit" name="vendor" value="[^"]+"[^>]*>Unblock'
                     r'<span class="sr-only"> FumeMotors</span></button>', rules)
    preview = auth.post("/offers/rules/unblock", {"vendor": offers["bad_client"]},
                        page="/offers/rules")
    assert "FumeMotors will no longer be blocked." in preview.get_data(as_text=True)
    auth.post("/terms/save", {"candidate": candidate(preview)}, page="/terms")
    assert saved(app, offers["person"])["offers"]["blocklist"] == []
    assert "No vendor is blocked." in client.get("/offers/rules").get_data(as_text=True)


def test_the_butlers_rules_are_editable(app, auth, client, offers):
    page = client.get("/offers/rules").get_data(as_text=True)
    assert 'name="within_budget" value="1" checked' in page  # the defaults, shown
    preview = auth.post("/offers/rules", {
        "within_budget": "1", "require_certifications": "b-corp, fair-trade",
        "require_verified": "1", "max_offers": "3", "per": "week"}, page="/offers/rules")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200, text
    assert "Vendors must claim to be b-corp and fair-trade, as verified by the operator." in text
    assert "An offer may be in another category than your intent." in text
    auth.post("/terms/save", {"candidate": candidate(preview)}, page="/terms")
    assert saved(app, offers["person"])["offers"] == {
        "blocklist": [], "within_budget": True, "match_category": False,
        "require_certifications": ["b-corp", "fair-trade"], "require_verified": True,
        "max_per_vendor": {"max": 3, "per": "week"}}
    page = client.get("/offers/rules").get_data(as_text=True)
    assert 'value="b-corp, fair-trade"' in page and 'value="week" selected' in page


@pytest.mark.parametrize("path, form, field, message", [
    ("/offers/rules", {"max_offers": "lots", "per": "week"}, "max_offers",
     "Enter a whole number of offers, such as 3."),
    ("/offers/rules", {"max_offers": "3", "per": "fortnight"}, "per",
     "Choose an hour, a day, a week, a month or a year."),
    ("/offers/rules", {"require_certifications": "x" * 300}, "require_certifications",
     "Name each certification in at most 100 characters."),
    ("/offers/rules/block", {"vendor": "no-such-vendor"}, "vendor",
     "Choose one of the listed vendors."),
    ("/offers/rules/unblock", {"vendor": "no-such-vendor"}, "vendor",
     "That vendor is not blocked."),
])
def test_bad_offer_rules_name_the_field(app, auth, offers, path, form, field, message):
    response = auth.post(path, form, page="/offers/rules")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert f'<a href="#{field}">{message}</a>' in text
    assert saved(app, offers["person"]) == {}


def test_bad_decision_and_foreign_offer(auth, client, offers):
    assert auth.post(f"/offers/{offers['bad']}", {"decision": "keep"},
                     page="/offers").status_code == 400
    auth.signout()
    auth.signup(email="eve@example.org")
    assert auth.post(f"/offers/{offers['bad']}", {"decision": "deliver"},
                     page="/offers").status_code == 404
