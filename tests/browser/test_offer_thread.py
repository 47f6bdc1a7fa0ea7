"""An offer's page in Chromium: ask the vendor a question, accept giving less than it asked
for, then close the intent ("found it"); each state passes the checks at both widths."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import expect

from tests.browser.test_person_journey import expect_summary, nav, sign_up


def test_ask_accept_narrowed_and_found_it(page, live_server, look):
    sign_up(page, live_server.url)
    app = live_server.app
    vault = app.extensions["custos.vault"]
    now = app.extensions["custos.clock"]()
    pid = vault.find_person_by_email("ada@example.org").id
    vault.add_field(pid, category="address.city", name="City", kind="text", value="Berlin",
                    now=now)
    intent = vault.add_intent(pid, {"category": "vehicles", "text": "A cargo bike",
                                    "budget": "3000.00", "currency": "EUR", "status": "active",
                                    "visibility": "shown", "constraints": []}, now)
    client, _ = vault.agreements.clients.register(
        {"client_name": "GreenWheels", "redirect_uris": ["https://v.example/cb"]}, now,
        confidential=True)
    offer = vault.agreements.offers.receive(pid, intent.id, client.client_id, {
        "category": "vehicles", "price": "2490.00", "currency": "EUR",
        "valid_until": (now + timedelta(days=30)).isoformat(), "text": "Lumo 7 cargo bike",
        "needs": ["address.city", "contact.phone"], "vendor": {"name": "GreenWheels"}}, now)
    vault.agreements.offers.decide(offer.id, {"action": "deliver", "by": "butler",
                                              "override": False, "reasons": []}, now)

    nav(page, "Offers")
    page.get_by_role("link", name=re.compile("Reply, accept or decline")).click()
    expect(page.get_by_role("heading", name="Offer from GreenWheels")).to_be_visible()
    look("offer-thread")
    page.get_by_role("button", name="Send").click()
    expect_summary(page, "Write a message of 1 to 2000 characters.")
    look("offer-thread-error")
    page.get_by_label("Your message").fill("Does it fit two children?")
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_text("Sent.")).to_be_visible()
    expect(page.get_by_text("Does it fit two children?")).to_be_visible()

    page.get_by_label("Telephone number").uncheck()
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted.")).to_be_visible()
    expect(page.get_by_text("You accepted the offer and made")).to_be_visible()
    [grant] = vault.agreements.grants.for_person(pid)
    assert list(grant.categories) == ["address.city"]
    look("offer-accepted")
    page.get_by_role("button", name="I found it: close my intent").click()
    expect(page.get_by_text("Marked fulfilled.")).to_be_visible()
    assert vault.get_intent(pid, intent.id).status == "fulfilled"
