"""Connections in Chromium on a phone, without JavaScript: one card per vendor, and "stop
sharing everything" ending every agreement of that vendor through the confirmation page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import expect

from api.oauth.registration import add_vendor
from api.services.agreements import end_agreement, make_agreement
from api.services.details import DataAccess
from api.services.receipts import policy_url
from tests.browser.conftest import phone_page
from tests.browser.test_person_journey import sign_up

PHONE = {"width": 390, "height": 844}
# Every element of a card: does it overflow its box, or break words to fit?
BROKEN = """() => [...document.querySelectorAll('section.connection *')].filter(e => {
  const style = getComputedStyle(e);
  return e.scrollWidth > e.clientWidth + 1 && style.overflowX === 'visible'
      || style.wordBreak === 'break-all' || style.overflowWrap === 'anywhere';
}).map(e => e.tagName + ': ' + e.textContent.trim().slice(0, 40))"""
# Dates split over two lines ("2026-12-" / "01") read badly.
SPLIT_DATES = """() => [...document.querySelectorAll('main time')]
  .filter(t => t.getClientRects().length > 1).map(t => t.textContent)"""

ISSUER = "http://127.0.0.1"  # the page's address in the receipt; the test swaps the port in


def _agreements(app, email: str) -> str:
    """Acme Cars holds two agreements (one of them also ended earlier), Bike Hub one."""
    vault = app.extensions["custos.vault"]
    clock = app.extensions["custos.clock"]
    pid = vault.find_person_by_email(email).id
    for category, name, kind, value in (("contact.email", "Email", "email", email),
                                        ("address.city", "City", "text", "Lisbon"),
                                        ("contact.phone", "Mobile", "phone", "+351 21 000")):
        vault.add_field(pid, category=category, name=name, kind=kind, value=value, now=clock())
    ids = {}
    for name, certs in (("Acme Cars", ["b-corp"]), ("Bike Hub", [])):
        ids[name] = add_vendor(vault, {
            "client_name": name, "redirect_uris": ["https://v.example/cb"],
            "custos_certifications": certs, "custos_jurisdiction": "PT"},
            clock() - timedelta(days=3))["client_id"]
    for vendor, categories in (("Acme Cars", ("contact.phone",)),
                               ("Acme Cars", ("contact.email", "address.city")),
                               ("Acme Cars", ("contact.phone",)),
                               ("Bike Hub", ("address.city",))):
        grant = make_agreement(vault, pid, ids[vendor], DataAccess(
            purpose="ServiceProvision", categories=categories, retention_days=30),
            decided_by="person", terms_version=0, actor="person", now=clock(), issuer=ISSUER)
        if vendor == "Acme Cars" and categories == ("contact.phone",) and "ended" not in ids:
            ids["ended"] = end_agreement(vault, grant.id, "revoked", now=clock(),
                                         issuer=ISSUER).id
    # Bike Hub's agreement: the public page of its terms
    return policy_url(vault, grant, now=clock(), issuer=ISSUER)


def test_connections_by_vendor_on_a_phone(browser, live_server, axe_source, javascript):
    with phone_page(browser, "test_connections_by_vendor_on_a_phone", axe_source,
                    javascript=javascript) as (page, shots):
        sign_up(page, live_server.url, email="rui@example.org")
        public = _agreements(live_server.app, "rui@example.org")
        page.goto(live_server.url + "/connections")
        cards = page.locator("section.connection")
        expect(cards.locator("h2")).to_have_text(["Bike Hub", "Acme Cars"])
        acme = cards.filter(has=page.get_by_role("heading", name="Acme Cars"))
        expect(acme.locator(".can-read")).to_have_text(
            "Can read now: email address, city and telephone number.")
        expect(acme.locator("li.grant h3")).to_have_count(2)  # both live agreements
        expect(acme.get_by_text("Ended agreements (1)")).to_be_visible()
        assert page.locator("table").count() == 0
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.evaluate(BROKEN) == [] and page.evaluate(SPLIT_DATES) == []
        shots("phone-connections")

        acme.get_by_role("link", name="Stop sharing everything with Acme Cars").click()
        expect(page.get_by_role("heading", name="Stop sharing everything with Acme Cars?")
               ).to_be_visible()
        expect(page.locator("main li")).to_have_count(2)
        assert page.evaluate(SPLIT_DATES) == []
        shots("phone-stop-confirm")
        page.get_by_role("button", name="Yes, stop everything now").click()
        expect(page.get_by_text("Acme Cars can no longer read anything of yours: 2 agreements "
                                "ended.")).to_be_visible()
        expect(page.locator("section.connection:not(.ended) h2")).to_have_text(["Bike Hub"])
        expect(page.locator("section.connection.ended h3")).to_have_text(["Acme Cars"])
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shots("phone-connections-stopped")

        # The receipt's policyUrl: the agreement's terms, public, readable on a phone too.
        page.goto(public.replace("http://127.0.0.1", live_server.url))
        expect(page.get_by_role("heading", name="The terms of an agreement with Bike Hub")
               ).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert page.evaluate(SPLIT_DATES) == []
        shots("phone-agreement-terms")
    vault = live_server.app.extensions["custos.vault"]
    pid = vault.find_person_by_email("rui@example.org").id
    live = [g for g in vault.agreements.grants.for_person(pid) if g.status == "active"]
    assert [vault.agreements.clients.get(g.client_id).metadata["client_name"]
            for g in live] == ["Bike Hub"]
