"""Issue 10, the consent page in plain words: items the terms do not cover are marked and left
unticked, a certification says whether anyone checked it, and "Do not share" is not styled as
danger."""

from __future__ import annotations

import re


def test_uncovered_items_are_unticked_and_claims_say_who_checked_them(app, person, vendors,
                                                                      flow, client):
    vault = app.extensions["custos.vault"]
    clock = app.extensions["custos.clock"]
    vault.agreements.terms.save(person, {"default": "ask", "rules": [
        {"id": "ask-phone", "effect": "ask", "categories": ["contact.phone"],
         "label": "Ask me about my phone"}]}, clock())
    vendor = vendors.register(custos_certifications=["b-corp", "carbon-neutral"])
    meta = dict(vault.agreements.clients.get(vendor["client_id"]).metadata)
    meta["custos_verified_certifications"] = ["b-corp"]
    vault.agreements.clients.update_metadata(vendor["client_id"], meta)

    url = flow.authorize_url(vendor, scope="data:contact.phone data:contact.email "
                             "purpose:ServiceProvision retention:30", challenge="x" * 43)
    page = client.get(url).get_data(as_text=True)
    boxes = dict(re.findall(r'<input type="checkbox" name="category" value="([^"]+)"( checked)?',
                            page))
    assert boxes == {"contact.phone": " checked", "contact.email": ""}
    assert page.count("Not in your terms") == 1
    assert "<strong>b-corp</strong>: checked by the people who run this vault." in page
    assert "<strong>carbon-neutral</strong>: Acme Cars’s own claim; nobody has checked it." in page
    refuse = re.search(r'<button[^>]*value="deny"[^>]*>', page).group(0)
    assert "danger" not in refuse
    assert "They want it <strong>to provide the service you asked for</strong>." in page


def test_the_consent_page_speaks_the_persons_language(person, vendor, flow, client):
    url = flow.authorize_url(vendor, scope="data:contact.email purpose:ServiceProvision "
                             "retention:30", challenge="x" * 43)
    page = client.get(url, headers={"Accept-Language": "de"}).get_data(as_text=True)
    assert "Acme Cars bittet um einige Ihrer Daten" in page
    assert "Sie behalten sie höchstens 30 Tage." in page and "Nicht teilen" in page
