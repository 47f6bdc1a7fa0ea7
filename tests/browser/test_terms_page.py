"""The terms page in Chromium: a rule form that keeps what was typed through its errors."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.test_person_journey import expect_summary, nav, sign_up
from tests.browser.test_rule_builder import open_section


def test_rule_errors_keep_the_mode_and_everything_typed(page, live_server, look):
    """Issue 10, 1 and 2: an empty form proposed a nameless "refuse everything" rule; a bad
    retention switched to "Edit a rule" and the corrected resubmit lost the rule."""
    sign_up(page, live_server.url)
    nav(page, "Terms")
    form = open_section(page, "Add a rule")
    form.get_by_role("button", name="Preview the change").click()
    expect_summary(page, "Give the rule a name, in your words.",
                   "Choose which data the rule covers: tick “All my data” or the kinds of data.")
    look("empty-rule-refused")

    form = page.get_by_role("region", name="Add a rule")
    form.get_by_label("Name this rule").fill("Ask me before anyone gets my phone number")
    form.get_by_label("What happens").select_option("ask")
    form.locator("summary", has_text="Contact").click()  # the kinds of data are in groups
    form.get_by_label("Telephone number", exact=True).check()
    form.locator("summary", has_text="More").click()  # conditions are behind "More"
    form.get_by_label("The vendor claims these certifications").fill("b-corp")
    form.get_by_label("They keep it at most (days)").fill("thirty")
    form.get_by_role("button", name="Preview the change").click()
    expect_summary(page, "Enter a whole number of days, such as 30.")
    look("bad-retention")
    form = page.get_by_role("region", name="Add a rule")  # still adding, everything kept
    expect(form.get_by_label("Name this rule")).to_have_value(
        "Ask me before anyone gets my phone number")
    expect(form.get_by_label("What happens")).to_have_value("ask")
    expect(form.get_by_label("Telephone number", exact=True)).to_be_checked()
    expect(form.get_by_label("The vendor claims these certifications")).to_have_value("b-corp")
    expect(page.locator("[aria-invalid=true]")).to_have_count(1)  # only the retention
    page.locator(".error-summary").get_by_role("link").click()
    expect(form.get_by_label("They keep it at most (days)")).to_be_focused()
    form.get_by_label("They keep it at most (days)").fill("30")
    form.get_by_role("button", name="Preview the change").click()
    expect(page.get_by_role("heading", name="Check your change before saving")).to_be_visible()
    page.get_by_role("button", name=re.compile("^Save")).click()
    expect(page.get_by_text("Ask me before anyone gets my phone number", exact=True)
           ).to_be_visible()
    look("rule-saved")


def test_unknown_addresses_get_a_page_that_helps(page, live_server, look):
    """Issue 10, 7: the framework's bare 404 page, and 400 for an unknown rule."""
    sign_up(page, live_server.url)
    for path in ("/no-such-page", "/terms/rules/no-such-rule"):
        answer = page.goto(live_server.url + path)
        assert answer.status == 404
        expect(page.get_by_role("heading", name="Page not found")).to_be_visible()
        look("not-found")
    page.get_by_role("link", name="your vault’s home page").click()
    expect(page.get_by_role("heading", name="Your vault")).to_be_visible()
