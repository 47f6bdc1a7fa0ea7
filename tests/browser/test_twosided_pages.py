"""Two-sided agreements in Chromium, each step looked at (axe-core, both widths): the consent
screen names what Ada proffers, a vendor's counter-offer waits in her inbox, and Connections
shows the signed agreement with the button that asks for her data back (issue 12)."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from clients.sdk import Access, VendorClient
from clients.sdk.myterms import new_key
from policies.agreements import adopt
from tests.browser.test_person_journey import nav, sign_up

REDIRECT = "https://vendor.example/cb"
OWN = {"default": "ask", "rules": [
    {"id": "city", "effect": "permit", "purposes": ["ServiceProvision"],
     "categories": ["address.city"], "label": "My city, to deliver"}]}


def test_proffer_counter_and_portability_on_the_pages(page, live_server, look):
    url, app = live_server.url, live_server.app
    sign_up(page, url)
    vault = app.extensions["custos.vault"]
    ada = vault.find_person_by_email("ada@example.org").id
    clock = app.extensions["custos.clock"]
    vault.add_field(ada, category="address.city", name="City", kind="text", value="London",
                    now=clock())
    vault.agreements.terms.save(ada, adopt(OWN, "SD-BASE-DP"), clock())
    green = VendorClient.register(url, client_name="GreenWheels", redirect_uris=[REDIRECT],
                                  signing_key=new_key(),
                                  notification_uri="https://greenwheels.example/n")
    landed: list[str] = []
    page.route("https://vendor.example/**", lambda route: (landed.append(route.request.url),
                                                           route.fulfill(body="vendor")))
    request = green.start_authorization(REDIRECT, Access(
        purpose="ServiceProvision", categories=("address.city",), retention_days=30))
    page.goto(request.url)
    expect(page.get_by_text("Nothing leaves until GreenWheels has signed it.")).to_be_visible()
    look("consent-proffers")
    page.get_by_role("button", name="Share", exact=True).click()
    page.wait_for_url(re.compile(r"^https://vendor\.example/"))
    person = green.finish_authorization(request, landed[0])
    agreement = person.me()["agreement"]

    green.counter(agreement, "SD-BASE")
    page.goto(url + "/")
    nav(page, "Inbox")
    expect(page.get_by_role("heading", name="GreenWheels proposes another agreement")
           ).to_be_visible()
    look("inbox-counter-offer")
    page.get_by_role("button", name="Decline").click()
    expect(page.get_by_text("You declined GreenWheels's counter-offer")).to_be_visible()
    assert green.record(agreement)["status"] == "refused"

    second = green.start_authorization(REDIRECT, Access(
        purpose="ServiceProvision", categories=("address.city",), retention_days=30))
    page.goto(second.url)
    page.get_by_role("button", name="Share", exact=True).click()
    page.wait_for_url(re.compile(r"^https://vendor\.example/"))
    kept = green.finish_authorization(second, landed[-1])
    green.accept(kept.me()["agreement"])
    page.goto(url + "/connections")
    expect(page.get_by_text("“Service delivery only, with portability”: signed by GreenWheels "
                            "and Custos")).to_be_visible()
    page.get_by_role("button", name=re.compile("Ask GreenWheels for my data back")).click()
    expect(page.get_by_text("GreenWheels has been asked for your data back.")).to_be_visible()
    expect(page.get_by_text("for your data back: answer due by")).to_be_visible()
    look("connections-signed-and-asked")
