"""Offers in Chromium: the butler's reasons, "deliver anyway", and blocking a vendor."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_person_journey import expect_summary, nav, sign_up


def test_filtered_offer_delivered_anyway_then_vendor_blocked(page, live_server, look):
    sign_up(page, live_server.url)
    app = live_server.app
    vault = app.extensions["custos.vault"]
    now = app.extensions["custos.clock"]()
    pid = vault.find_person_by_email("ada@example.org").id
    intent = vault.add_intent(pid, {"category": "vehicles", "text": "An electric car",
                                    "budget": "30000.00", "currency": "EUR", "status": "active",
                                    "visibility": "shown", "constraints": []}, now)
    for name, certs, price, action, why in (
            ("GreenWheels", ["b-corp"], "27500", "deliver",
             "It answers your intent and meets your offer rules."),
            ("FastCars", [], "26000", "filter",
             "You only want offers from vendors claiming to be b-corp.")):
        client, _ = vault.agreements.clients.register(
            {"client_name": name, "redirect_uris": ["https://v.example/cb"],
             "custos_certifications": certs}, now, confidential=True)
        offer = vault.agreements.offers.receive(pid, intent.id, client.client_id, {
            "category": "vehicles", "price": price, "currency": "EUR", "valid_until": None,
            "text": f"{name}: a 2026 electric hatchback", "vendor": {"name": name}}, now)
        vault.agreements.offers.decide(offer.id, {"action": action, "by": "butler",
                                                  "override": False,
                                                  "reasons": [{"text": why}]}, now)
    nav(page, "Offers")
    expect(page.get_by_role("heading", name="GreenWheels: 27500 EUR")).to_be_visible()
    page.get_by_role("link", name=re.compile("Filtered out")).click()
    expect(page.get_by_text("You only want offers from vendors claiming to be b-corp.")
           ).to_be_visible()
    look("offers-filtered", readme="offers")
    page.get_by_role("button", name="Deliver anyway").click()
    expect(page.get_by_text("Delivered to you.")).to_be_visible()
    expect(page.get_by_role("heading", name="FastCars: 26000 EUR")).to_be_visible()
    page.get_by_role("button", name="Block FastCars").click()
    expect(page.get_by_role("heading", name="Check your change before saving")).to_be_visible()
    expect(page.get_by_text("FastCars will be blocked: its offers are filtered out.")
           ).to_be_visible()  # issue 10, 3: the preview showed no change
    look("block-preview")
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_role("heading", name="Your butler’s rules for offers")).to_be_visible()
    blocked = page.get_by_role("region", name="Blocked vendors")
    expect(blocked.get_by_role("button", name="Unblock FastCars")).to_be_visible()
    look("offer-rules")
    nav(page, "Terms")
    expect(page.get_by_text("Blocked: FastCars.")).to_be_visible()
    nav(page, "Offers")
    expect(page.get_by_text("FastCars is blocked")).to_be_visible()
    look("offers-blocked")

    # Unblock, and a rule of the butler's changed on the same page.
    page.get_by_role("link", name="Your butler’s rules for offers").click()
    page.get_by_role("button", name="Unblock FastCars").click()
    expect(page.get_by_text("FastCars will no longer be blocked.")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_text("No vendor is blocked.")).to_be_visible()
    page.get_by_label("At most this many offers from one vendor").fill("many")
    page.get_by_role("button", name="Preview the change").click()
    expect_summary(page, "Enter a whole number of offers, such as 3.")
    look("offer-rules-error")
    page.get_by_label("At most this many offers from one vendor").fill("2")
    page.get_by_label("In", exact=True).select_option("month")
    page.get_by_role("button", name="Preview the change").click()
    expect(page.get_by_text("At most 2 offers from one vendor in a month.")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_label("At most this many offers from one vendor")).to_have_value("2")
