"""The receipt's `policyUrl` (issue 9 item 20): a public, readable page of the terms in force
for that agreement, at an address only the receipt's holders know, with no personal data."""

from __future__ import annotations

import re

import pytest

from policies.agreements import adopt
from tests.conftest import save_terms
from tests.oauth.test_person_vendor import bearer, butler, vendor_token

OWN_RULE = {"id": "no-fastcars", "effect": "deny", "vendors": ["cus_fastcars_example"],
            "label": "Never anything to FastCars, they spammed my sister"}
TERMS = adopt({"default": "ask", "rules": [OWN_RULE]}, "service-delivery-only")


@pytest.fixture
def receipt(app, person, vendor, vendors, flow, client) -> dict:
    """Ada's terms (a standard agreement and a rule of her own), then an agreement."""
    save_terms(client, TERMS)
    clients = app.extensions["custos.vault"].agreements.clients
    clients.update_metadata(vendor["client_id"], {**clients.get(vendor["client_id"]).metadata,
                                                  "policy_uri": "https://acme.example/privacy"})
    agreement = flow.accepted_read(flow.tokens(vendor)["access_token"]).get_json()["agreement"]
    return client.get(f"/api/v1/agreements/{agreement}/receipt",
                      headers=bearer(vendor_token(client, vendor))).get_json()


def _public(app, url: str):
    """Fetched by someone with no session at all."""
    return app.test_client().get(url.removeprefix("http://localhost"))


def test_policy_url_is_a_public_page_of_the_agreed_terms(app, receipt, person, vendor):
    url = receipt["receipt"]["policyUrl"]
    assert url.startswith("http://localhost/agreements/" + receipt["receipt"]["custos"]["grant_id"])
    page = _public(app, url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for words in ("Acme Cars", "Service provision", "Email address", "City",
                  "at most 30 days", "not shared with anyone",
                  "Service delivery only", "no tracking, no profiling",
                  "IEEE 7012 MyTerms", "delete", "own rules"):
        assert words.lower() in html.lower(), words
    assert "https://w3id.org/dpv#ServiceProvision" in html


def test_the_page_holds_no_personal_data(app, receipt, person, vendor):
    html = _public(app, receipt["receipt"]["policyUrl"]).get_data(as_text=True)
    subject = receipt["receipt"]["piiPrincipalId"]
    for secret in ("ada@example.org", "London", person, subject, OWN_RULE["label"],
                   OWN_RULE["id"], "cus_fastcars_example", "FastCars"):
        assert secret not in html, secret


def test_the_page_cannot_be_found_without_the_receipt(app, receipt):
    url = receipt["receipt"]["policyUrl"]
    grant_id = receipt["receipt"]["custos"]["grant_id"]
    tag = url.rsplit("/", 1)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", tag)  # 256 bits, unguessable
    other = "B" if tag.endswith("A") else "A"  # one character off (1 in 16 tags end in A)
    for guess in (f"/agreements/{grant_id}", f"/agreements/{grant_id}/{tag[:-1]}{other}",
                  f"/agreements/{'0' * 8}-0000-4000-8000-{'0' * 12}/{tag}", f"/terms/{grant_id}"):
        assert _public(app, guess).status_code in (302, 404), guess
        assert "Acme Cars" not in _public(app, guess).get_data(as_text=True)


def test_the_page_says_not_to_index_or_cache_it(app, receipt):
    page = _public(app, receipt["receipt"]["policyUrl"])
    assert "noindex" in page.headers["X-Robots-Tag"]
    assert "no-store" in page.headers["Cache-Control"]
    assert page.headers["Referrer-Policy"] == "no-referrer"


def test_the_page_says_when_the_agreement_ended(app, receipt, vendors, flow, client):
    me = butler(vendors, flow)["access_token"]
    grant_id = receipt["receipt"]["custos"]["grant_id"]
    client.post(f"/api/v1/person/grants/{grant_id}/revoke", headers=bearer(me))
    html = _public(app, receipt["receipt"]["policyUrl"]).get_data(as_text=True)
    assert "This agreement has ended" in html
