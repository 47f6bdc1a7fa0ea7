"""Issue 5's story in real Chromium: terms, a vendor's OAuth flow, the inbox, revoke, the log.

The person clicks through the pages; the vendor is a real third-party OAuth client
(requests-oauthlib) talking to the same server over loopback.
"""

from __future__ import annotations

import json
import re

import requests
from playwright.sync_api import expect
from requests_oauthlib import OAuth2Session

from clients.sdk.myterms import new_key, public_jwks, sign
from tests.browser.test_person_journey import add_field, expect_summary, nav, sign_up
from tests.browser.test_rule_builder import open_section

REDIRECT = "https://vendor.example/callback"
KEY = new_key()  # the vendor's own signing key (docs/agreements.md)


def accept(url: str, agreement: str, headers: dict) -> None:
    """The vendor signs the person's proffered agreement record with its key."""
    record = requests.get(f"{url}/api/v1/agreements/{agreement}/record", headers=headers,
                          timeout=10).json()["record"]
    done = requests.post(f"{url}/api/v1/agreements/{agreement}/acceptance", headers=headers,
                         json={"jws": sign(record, KEY)}, timeout=10).json()
    assert done["status"] == "accepted", done


def save_preview(page):
    expect(page.get_by_role("heading", name="Check your change before saving")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_text(re.compile(r"Saved version \d+ of your terms"))).to_be_visible()


def test_vendor_asks_person_narrows_revokes_and_the_log_tells(page, live_server, look,
                                                               monkeypatch, tmp_path):
    url = live_server.url
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the server is plain http on loopback
    sign_up(page, url)
    nav(page, "My data")
    add_field(page, "contact.email", "Home email", "ada@lovelace.example")
    add_field(page, "contact.phone", "Mobile", "+44 20 7946 0000")
    add_field(page, "address.city", "City", "London")

    # Terms: a standard agreement in one click, then an own rule in plain words.
    nav(page, "Terms")
    page.locator("form.agreement", has_text="Service delivery only").get_by_role(
        "button", name="Adopt").first.click()
    save_preview(page)
    rule_form = open_section(page, "Add a rule")
    rule_form.get_by_label("Name this rule").fill("Ask me before anyone gets my phone number")
    rule_form.get_by_label("What happens").select_option("ask")
    rule_form.locator("summary", has_text="Contact").click()
    rule_form.get_by_label("Telephone number", exact=True).check()
    rule_form.get_by_role("button", name="Preview the change").click()
    look("terms-preview")
    save_preview(page)
    expect(page.get_by_text("Ask me before anyone gets my phone number", exact=True)
           ).to_be_visible()
    look("terms", readme="terms")

    # The vendor registers (RFC 7591) and asks through the authorization code flow.
    meta = requests.get(url + "/.well-known/oauth-authorization-server", timeout=10).json()
    reg = requests.post(meta["registration_endpoint"], timeout=10, json={
        "client_name": "Acme Cars", "redirect_uris": [REDIRECT],
        "token_endpoint_auth_method": "client_secret_basic",
        "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
        "custos_certifications": ["b-corp"], "custos_jurisdiction": "DE",
        "jwks": public_jwks(KEY), "custos_accepts_agreements": ["SD-BASE"]}).json()
    vendor = OAuth2Session(reg["client_id"], redirect_uri=REDIRECT, pkce="S256",
                           scope=["data:contact.email", "purpose:ServiceProvision",
                                  "retention:30"])
    auth_url, _ = vendor.authorization_url(meta["authorization_endpoint"])
    landed: list[str] = []
    page.route("https://vendor.example/**", lambda route: (landed.append(route.request.url),
                                                           route.fulfill(body="vendor")))
    page.goto(auth_url)
    expect(page.get_by_role("heading", name="Acme Cars asks for some of your data")).to_be_visible()
    expect(page.locator("#days option[value='1']")).to_have_text("1 day")  # not "1 days"
    look("consent", readme="consent")
    page.get_by_role("button", name="Share", exact=True).click()
    page.wait_for_url(re.compile(r"^https://vendor\.example/"))
    vendor.fetch_token(meta["token_endpoint"], authorization_response=landed[0],
                       client_secret=reg["client_secret"])
    unsigned = vendor.get(url + "/api/v1/data").json()  # SD-BASE waits for its signature
    assert unsigned["error"] == "agreement_not_accepted" and unsigned["agreements"] == ["SD-BASE"]
    accept(url, unsigned["agreement"], {"Authorization": f"Bearer {vendor.token['access_token']}"})
    first = vendor.get(url + "/api/v1/data").json()
    assert [f["category"] for f in first["fields"]] == ["contact.email"]

    # The vendor asks for more while the person is away: email and phone. Phone is "ask me".
    credentials = requests.post(meta["token_endpoint"], timeout=10, auth=(
        reg["client_id"], reg["client_secret"]), data={"grant_type": "client_credentials",
                                                       "scope": "vendor"}).json()
    bearer = {"Authorization": f"Bearer {credentials['access_token']}"}
    asked = requests.post(url + "/api/v1/requests", headers=bearer, timeout=10, json={
        "subject": first["sub"], "authorization_details": [{
            "type": "custos_data_access", "purpose": "ServiceProvision", "retention_days": 30,
            "categories": ["contact.phone", "address.city"]}]}).json()
    assert asked["status"] == "pending"

    # The person approves narrowed in the inbox: the city, not the phone, for 7 days.
    page.goto(url + "/")
    expect(page.get_by_text("1 request waits for you.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").get_by_role(
        "link", name="Inbox 1 waiting")).to_be_visible()
    look("dashboard", readme="dashboard")
    nav(page, "Inbox")
    expect(page.get_by_text(
        "You want to be asked before vendors use your telephone number for any purpose")
    ).to_be_visible()
    look("inbox", readme="inbox")
    # Issue 10, 4: an error kept nothing of what was chosen and was not tied to its input.
    page.get_by_role("checkbox", name="Telephone number").uncheck()
    page.get_by_role("checkbox", name="City").uncheck()
    page.get_by_label("For how many days").fill("7")
    page.get_by_role("button", name="Approve").click()
    expect_summary(page, "Tick at least one of the kinds of data they asked for.")
    expect(page.get_by_role("checkbox", name="Telephone number")).not_to_be_checked()
    expect(page.get_by_label("For how many days")).to_have_value("7")
    look("inbox-error")
    page.locator(".error-summary").get_by_role("link").click()
    expect(page.get_by_role("checkbox", name="Telephone number")).to_be_focused()
    page.get_by_role("checkbox", name="City").check()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("You approved the request from Acme Cars.")).to_be_visible()

    # The vendor reads exactly the narrowed set.
    answer = requests.get(f"{url}/api/v1/requests/{asked['id']}", headers=bearer,
                          timeout=10).json()
    assert answer["status"] == "approved"
    accept(url, answer["agreement"], bearer)
    narrowed = requests.get(f"{url}/api/v1/agreements/{answer['agreement']}/data",
                            headers=bearer, timeout=10).json()
    assert [(f["category"], f["value"]) for f in narrowed["fields"]] == [("address.city",
                                                                           "London")]

    # Connections: one card for Acme Cars with both agreements. The person revokes the first;
    # the page says the second is still live, and she stops sharing everything.
    nav(page, "Connections")
    expect(page.get_by_text("2 reads in the last 30 days").last).to_be_visible()
    expect(page.get_by_text("Can read now: email address and city.")).to_be_visible()
    look("connections", readme="connections")
    page.get_by_role("link", name="Revoke email address").click()
    page.get_by_role("button", name="Yes, revoke now").click()
    expect(page.get_by_text("Acme Cars can still read your city under another agreement.")
           ).to_be_visible()
    refused = vendor.get(url + "/api/v1/data")
    assert refused.status_code == 401
    page.get_by_role("link", name="Stop sharing everything with Acme Cars").click()
    page.get_by_role("button", name="Yes, stop everything now").click()
    expect(page.get_by_text("Acme Cars can no longer read anything of yours: 1 agreement "
                            "ended.")).to_be_visible()
    after = requests.get(f"{url}/api/v1/agreements/{answer['agreement']}/data",
                         headers=bearer, timeout=10)
    assert after.status_code == 403 and after.json()["reasons"][0]["code"] == "agreement.ended"

    # The log shows each step with its reason, and the chain verifies.
    nav(page, "Log")
    for words in ("Acme Cars read email address to provide the service you asked for",
                  "Acme Cars asked for telephone number and city to provide the service you "
                  "asked for",
                  "Agreement with Acme Cars revoked"):
        expect(page.get_by_text(words).first).to_be_visible()
    expect(page.get_by_text(
        "You want to be asked before vendors use your telephone number for any purpose").first
    ).to_be_visible()
    page.get_by_role("button", name="Verify the chain").click()
    expect(page.get_by_text(re.compile("Verified: all \\d+ entries are intact"))).to_be_visible()
    look("log", readme="log")
    with page.expect_download() as info:
        page.get_by_role("link", name="Export JSON").click()
    info.value.save_as(tmp_path / "log.json")
    assert any(e["kind"] == "grant_changed" for e in json.loads((tmp_path / "log.json")
                                                                .read_text()))

    # Receipts are readable and downloadable.
    nav(page, "Receipts")
    page.get_by_role("link", name="Acme Cars").first.click()
    expect(page.get_by_role("heading", name="Receipt: Acme Cars")).to_be_visible()
    look("receipt", readme="receipt")
