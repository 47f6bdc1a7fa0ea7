"""Agent mandates in Chromium (issue 13): Ada ticks what her butler may do, its loosening
proposal waits in her inbox with the preview, she accepts it; its restriction alerts her on
Home; Connections shows the agent and what it did. Each page is looked at (axe-core, widths)."""

from __future__ import annotations

from playwright.sync_api import expect

from clients.butler import PersonClient
from clients.sdk import VendorClient
from tests.browser.test_person_journey import sign_up

REDIRECT = "https://butler.example/cb"
LOOSER = {"default": "ask", "rules": [
    {"id": "service-email", "effect": "permit", "purposes": ["ServiceProvision"],
     "categories": ["contact.email"]}]}
STRICTER = {**LOOSER, "rules": [*LOOSER["rules"],
                                {"id": "no-ads", "effect": "deny", "purposes": ["Marketing"]}]}


def test_mandates_proposal_and_alert(page, live_server, look):
    url = live_server.url
    sign_up(page, url)
    page.route("https://butler.example/**", lambda route: route.fulfill(body="ok"))
    butler = VendorClient.register(url, client_name="Jeeves", redirect_uris=[REDIRECT],
                                   public=True)
    asked = butler.start_authorization(
        REDIRECT, scope="mandate:terms_read mandate:terms_propose mandate:log")
    page.goto(asked.url)
    expect(page.get_by_role("group", name="What Jeeves could do for you")).to_be_visible()
    look("consent-mandates")
    page.get_by_label("Read your terms").check()
    page.get_by_label("Propose changes to your terms").check()  # not the log
    page.get_by_role("button", name="Allow what I ticked").click()
    page.wait_for_url("https://butler.example/**")
    me = PersonClient(butler.finish_authorization(asked, page.url))
    assert me.session.tokens.scope.split() == ["mandate:terms_read", "mandate:terms_propose"]

    proposed = me.propose_terms(LOOSER)
    assert proposed["waits_for_person"]
    page.goto(url + "/inbox")
    expect(page.get_by_role("heading", name="Your agent Jeeves proposes a change to your "
                                            "terms")).to_be_visible()
    look("inbox-proposal")
    page.get_by_role("link", name="See the change and decide").click()
    expect(page.get_by_role("heading", name="Your agent Jeeves proposes a change")).to_be_visible()
    look("proposal-preview")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved version 1 of your terms.")).to_be_visible()
    assert me.terms()["version"] == 1

    assert me.propose_terms(STRICTER)["saved"]  # only restricts: applied at once
    page.goto(url + "/")
    expect(page.get_by_text("Your agents changed what vendors may get.")).to_be_visible()
    look("home-alert")
    page.goto(url + "/connections")
    agents = page.locator("section.agent")
    expect(agents.get_by_role("heading", name="Jeeves")).to_be_visible()
    expect(agents.get_by_text("Your agent Jeeves saved version 2 of your terms")).to_be_visible()
    look("connections-agents")
    page.get_by_role("link", name="Revoke Jeeves").click()
    expect(page.get_by_text("stops acting for you")).to_be_visible()
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("Jeeves no longer acts for you.")).to_be_visible()
