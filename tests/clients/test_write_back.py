"""Vendor write-back over a real server, through the SDK: a vendor adds a record under an
agreement whose terms allow it; the person sees it under the vendor's name, exports it and
deletes it; no other vendor can read it or write without a rule; every write is logged."""

from __future__ import annotations

import re

import pytest
import requests

from clients.sdk import Access, AccessRefused, VendorClient
from tests.clients.conftest import REDIRECT, connect

ORDERS = Access(purpose="ServiceProvision", categories=("contact.email", "customer"),
                retention_days=30)
ORDER = {"category": "customer.orders", "name": "Order 1042",
         "value": "Cargo bike Lumo 7, 2,490 EUR, delivered 30 November 2026"}


def _terms(app, browser, clock, rules: list[dict]) -> None:
    vault = app.extensions["custos.vault"]
    vault.agreements.terms.save(browser.person_id, {"default": "ask", "rules": rules}, clock())


@pytest.fixture
def green(server, transport) -> VendorClient:
    return VendorClient.register(server, client_name="GreenWheels", redirect_uris=[REDIRECT],
                                 jurisdiction="NL", transport=transport)


def test_a_vendor_adds_a_record_only_it_can_read_back(app, clock, browser, vendor, green):
    _terms(app, browser, clock, [{"id": "green-orders", "effect": "permit",
                                  "actions": ["write"], "vendors": [green.client_id],
                                  "categories": ["customer.orders"]}])
    mine = connect(green, browser, ORDERS).data()
    theirs = connect(vendor, browser, ORDERS).data()

    added = green.add_record(mine.agreement, **ORDER)
    assert (added["category"], added["name"], added["value"]) == \
        ("customer.orders", ORDER["name"], ORDER["value"])
    receipt = added["receipt"]  # verified by the SDK against the JWKS
    assert receipt["sub"] == mine.sub and receipt["agreement"] == mine.agreement
    assert receipt["record"] == added["id"] and ORDER["value"] not in str(receipt)

    assert green.agreement_data(mine.agreement).values("customer.orders") == [ORDER["value"]]
    other = vendor.agreement_data(theirs.agreement)  # same categories, another vendor
    assert other.values("customer.orders") == []
    assert other.values("contact.email") == ["ada@example.org"]

    with pytest.raises(AccessRefused) as refused:  # no rule lets Acme write
        vendor.add_record(theirs.agreement, **ORDER)
    assert refused.value.reasons[0]["code"] == "default.no_write"
    with pytest.raises(AccessRefused) as other_category:  # the rule names orders only
        green.add_record(mine.agreement, category="customer.loyalty_id", name="Card",
                         value="GW-5521")
    assert other_category.value.reasons[0]["code"] == "default.no_write"

    vault = app.extensions["custos.vault"]
    kept = [f for f in vault.list_fields(browser.person_id) if f.source]
    assert [(f.source, f.value) for f in kept] == [(green.client_id, ORDER["value"])]
    log = vault.list_events(browser.person_id, kinds=["record_written"])
    assert [(e.payload["client_id"], e.payload["outcome"]) for e in log] == [
        (green.client_id, "added"), (vendor.client_id, "refused"), (green.client_id, "refused")]
    assert all(ORDER["value"] not in str(e.payload) for e in log)


def test_the_person_sees_exports_and_deletes_it(app, clock, browser, green):
    _terms(app, browser, clock, [{"id": "w", "effect": "permit", "actions": ["write"],
                                  "categories": ["customer"]}])
    agreement = connect(green, browser, ORDERS).data().agreement
    added = green.add_record(agreement, **ORDER)

    page = browser.session.get(browser.base + "/data", timeout=10).text
    section = page.split("Added by GreenWheels", 1)[1]
    assert ORDER["name"] in section and "Only GreenWheels can read them" in section
    log = browser.session.get(browser.base + "/log", timeout=10).text
    assert "GreenWheels added “Order 1042” (order history) to your data." in log

    export = app.extensions["custos.vault"].export_person(browser.person_id, clock())
    [record] = [f for f in export["fields"] if f["id"] == added["id"]]
    assert record["source"] == green.client_id and record["value"] == ORDER["value"]

    answer = browser.form(f"/data/{added['id']}/delete", {}, page="/data")
    assert answer.is_redirect
    assert added["id"] not in browser.session.get(browser.base + "/data", timeout=10).text
    assert green.agreement_data(agreement).values("customer.orders") == []


def test_refused_and_malformed_writes_change_nothing(app, clock, server, browser, green):
    _terms(app, browser, clock, [{"id": "w", "effect": "permit", "actions": ["write"],
                                  "categories": ["customer"]}])
    agreement = connect(green, browser, ORDERS).data().agreement
    vault = app.extensions["custos.vault"]
    before = vault.list_fields(browser.person_id)
    token = requests.post(f"{server}/oauth/token", data={"grant_type": "client_credentials",
                                                        "scope": "vendor"},
                          auth=(green.client_id, green.registration["client_secret"]),
                          timeout=10).json()["access_token"]
    for body, field in ((dict(ORDER, category="contact.email"), "category"),
                        (dict(ORDER, category="customer"), "category"),
                        (dict(ORDER, value=""), "value"), (dict(ORDER, name="x" * 81), "name"),
                        (dict(ORDER, extra="1"), "extra")):
        answer = requests.post(f"{server}/api/v1/agreements/{agreement}/records", json=body,
                               headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert answer.status_code == 400 and field in answer.json()["fields"], answer.json()
    ended_by_person = browser.form(f"/connections/{agreement}/revoke", {})  # she ends it
    assert ended_by_person.is_redirect
    with pytest.raises(AccessRefused) as ended:
        green.add_record(agreement, **ORDER)
    assert ended.value.reasons[0]["code"] == "agreement.ended"
    assert vault.list_fields(browser.person_id) == before
    assert re.search(r"was refused adding", browser.session.get(browser.base + "/log",
                                                                timeout=10).text)


def test_her_terms_may_pass_one_vendors_record_on_to_another(app, clock, browser, vendor,
                                                              green):
    """A `pass_on` rule lets Acme read the warranty GreenWheels added, not its order; the
    consent screen shows Acme exactly that before she agrees."""
    _terms(app, browser, clock, [
        {"id": "w", "effect": "permit", "actions": ["write"], "vendors": [green.client_id],
         "categories": ["customer"]},
        {"id": "repair", "effect": "permit", "actions": ["pass_on"],
         "vendors": [vendor.client_id], "categories": ["customer.warranty"]}])
    agreement = connect(green, browser, ORDERS).data().agreement
    green.add_record(agreement, **ORDER)
    green.add_record(agreement, category="customer.warranty", name="Frame warranty",
                     value="Lumo 7 frame, 5 years from 30 November 2026")
    request = vendor.start_authorization(REDIRECT, ORDERS)
    screen = browser.session.get(request.url, timeout=10).text
    assert "Lumo 7 frame, 5 years" in screen and ORDER["value"] not in screen
    acme = vendor.finish_authorization(request, browser.consent(request.url)).data()
    assert acme.values("customer.warranty") == ["Lumo 7 frame, 5 years from 30 November 2026"]
    assert acme.values("customer.orders") == []
    _terms(app, browser, clock, [{"id": "w", "effect": "permit", "actions": ["write"],
                                  "categories": ["customer"]}])  # she takes it back
    assert vendor.agreement_data(acme.agreement).values("customer.warranty") == []
