"""Issue 10, home onboarding: an empty vault says what to do first, and each step is marked
done as the person does it."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_person_journey import add_field, nav, sign_up


def test_an_empty_vault_guides_through_three_steps(page, live_server, look):
    sign_up(page, live_server.url)
    start = page.get_by_role("region", name="Get started in three steps")
    expect(start).to_be_visible()
    expect(start.get_by_text("Done")).to_have_count(0)
    look("onboarding-empty")

    start.get_by_role("link", name="Add your basics").click()
    add_field(page, "identity.name", "Name", "Ada Lovelace")
    nav(page, "Home")
    expect(start.locator("li", has_text="Add the basics").get_by_text("Done")).to_be_visible()

    start.get_by_role("button", name=re.compile("^Look at it.*Service delivery only")).click()
    expect(page.get_by_role("heading", name="Check your change before saving")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Save")).click()
    nav(page, "Home")
    expect(start.locator("li", has_text="Pick your terms").get_by_text("Done")).to_be_visible()
    look("onboarding-two-done")


def test_german_pages_from_the_setting(page, live_server, look):
    """Issue 10, languages: chosen in Settings, the pages speak German (and pass the checks)."""
    sign_up(page, live_server.url)
    nav(page, "Settings")
    page.get_by_label("Language of these pages").select_option("de")
    page.get_by_role("button", name="Save").first.click()
    expect(page.get_by_text("Sprache gespeichert.")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.get_by_role("navigation", name="Hauptmenü").get_by_role("link", name="Start").click()
    expect(page.get_by_role("heading", name="In drei Schritten loslegen")).to_be_visible()
    look("home-in-german")
    page.get_by_role("navigation", name="Hauptmenü").get_by_role("link", name="Protokoll").click()
    expect(page.get_by_role("heading", name="Zugriffsprotokoll")).to_be_visible()
    look("log-in-german")
    page.get_by_role("navigation", name="Hauptmenü").get_by_role("link", name="Bedingungen").click()
    form = page.get_by_role("region", name="Eine Regel hinzufügen")
    form.locator("details.section > summary").click()
    form.get_by_role("button", name="Änderung ansehen").click()
    expect(page.locator(".error-summary")).to_contain_text(
        "Geben Sie der Regel einen Namen, in Ihren Worten.")
    look("terms-in-german")
