"""A person's first visit in real Chromium: sign up, keep data and intents, export, delete."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect


def nav(page, name: str) -> None:
    """Follow a link of the main navigation (Inbox may carry a count: "Inbox 1 waiting")."""
    page.get_by_role("navigation", name="Main").get_by_role(
        "link", name=re.compile(rf"^{name}( \d+ waiting)?$")).click()


def add_field(page, category, name, value, shown=None):
    """Fill in the "Add a field" form on My data and wait for the new row."""
    page.get_by_label("Category").select_option(category)
    page.get_by_label("Name").fill(name)
    page.get_by_label("Value").fill(value)
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("cell", name=shown or value)).to_be_visible()


def expect_summary(page, *messages: str) -> None:
    """The error summary is at the top, has the focus, and links to each field in error."""
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_have_attribute("role", "alert")
    for message in messages:
        expect(summary.get_by_role("link", name=message)).to_be_visible()


def sign_up(page, url, email="ada@example.org", password="correct horse battery"):
    page.goto(url + "/signup")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_role("button", name="Create my vault").click()
    expect(page.get_by_role("heading", name="Your vault")).to_be_visible()


def test_sign_up_keep_data_export_and_delete(page, live_server, look, tmp_path):
    url = live_server.url
    page.goto(url + "/")
    look("welcome", readme="welcome")
    page.goto(url + "/signup")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password", exact=True).fill("short")
    page.get_by_label("Password again").fill("short")
    page.get_by_role("button", name="Create my vault").click()
    expect(page.locator("#password-error")).to_have_text("Use a password of 10 to 256 characters.")
    expect(page.get_by_label("Email")).to_have_value("ada@example.org")  # kept what was typed
    look("signup-error")
    sign_up(page, url)
    look("home")

    nav(page, "My data")
    page.get_by_label("Category").select_option("contact.email")
    page.get_by_label("Name").fill("Home email")
    page.get_by_label("Value").fill("42")  # an email address is not a number
    page.get_by_role("button", name="Add").click()
    expect_summary(page, "Enter an email address such as name@example.org.")
    expect(page.get_by_label("Value")).to_have_attribute("aria-describedby",
                                                         "value-hint value-error")
    expect(page.get_by_label("Name")).to_have_value("Home email")
    expect(page.get_by_label("Category")).to_have_value("contact.email")
    look("my-data-error")
    page.locator(".error-summary").get_by_role("link").click()
    expect(page.get_by_label("Value")).to_be_focused()  # the summary leads to the field
    page.get_by_label("Value").fill("ada@lovelace.example")
    page.get_by_role("button", name="Add").click()
    expect(page.get_by_role("cell", name="ada@lovelace.example")).to_be_visible()
    add_field(page, "address.city", "City", "Hamburg")
    page.get_by_label("Category").select_option("demographics.birthdate")
    expect(page.get_by_label("Value")).to_have_attribute("type", "date")  # a date picker
    add_field(page, "demographics.birthdate", "Born", "1990-11-25")
    page.get_by_label("Category").select_option("financial.income")
    expect(page.get_by_label("Value")).to_have_attribute("inputmode", "decimal")
    add_field(page, "financial.income", "Income", "52,000")
    look("my-data", readme="my-data")

    nav(page, "Intents")
    page.get_by_label("What kind of thing").select_option("vehicles")
    page.get_by_label("What you want").fill("An electric car with 400 km range")
    page.get_by_label("Budget").fill("lots")
    page.get_by_role("button", name="Save intent").click()
    expect_summary(page, "Enter a number such as 52,000 or 3.5.")
    look("intent-error")
    page.get_by_label("Budget").fill("30,000")
    page.get_by_label("Currency").fill("EUR")
    page.get_by_label("Conditions").fill("electric only")
    page.get_by_label("Who may see it").select_option("shown")
    page.get_by_role("button", name="Save intent").click()
    expect(page.get_by_role("heading", name="An electric car with 400 km range")).to_be_visible()
    look("intents", readme="intents")

    nav(page, "Settings")
    with page.expect_download() as info:
        page.get_by_role("button", name="Download my data").click()
    saved = tmp_path / "export.json"
    info.value.save_as(saved)
    document = json.loads(saved.read_text())
    assert "ada@lovelace.example" in json.dumps(document)
    look("settings")
    page.get_by_label("Current password").fill("correct horse battery")
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_role("button", name="Change my password").click()
    expect_summary(page, "Use a password of 10 to 256 characters.",
                   "Type the new password again.")
    look("settings-error")

    page.get_by_label(re.compile("to confirm")).fill("delete my vault")
    page.get_by_label("Your password").fill("correct horse battery")
    page.get_by_role("button", name="Delete my vault for good").click()
    expect(page.get_by_text("Your vault is deleted")).to_be_visible()
    look("deleted")
    vault = live_server.app.extensions["custos.vault"]
    assert vault.find_person_by_email("ada@example.org") is None


def test_phone_width_and_keyboard(page, live_server, look):
    page.set_viewport_size({"width": 390, "height": 844})
    sign_up(page, live_server.url, email="kim@example.org")
    for path in ("/", "/data", "/intents", "/terms", "/inbox", "/offers", "/connections",
                 "/log", "/receipts", "/settings"):
        page.goto(live_server.url + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} scrolls sideways on a phone ({width}px)"
    look("phone-terms")
    page.goto(live_server.url + "/data")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to content"
    look("phone-data")


# The focused element's outline colour, and the colour behind it (the nearest background).
FOCUS_RING = """() => {
  const el = document.activeElement;
  let under = el.parentElement;
  while (under && getComputedStyle(under).backgroundColor === "rgba(0, 0, 0, 0)") {
    under = under.parentElement;
  }
  return [getComputedStyle(el).outlineColor,
          under ? getComputedStyle(under).backgroundColor : "rgb(255, 255, 255)"];
}"""


def _contrast(first: str, second: str) -> float:
    """WCAG 2.2 contrast ratio of two CSS rgb() colours."""
    def luminance(css: str) -> float:
        channels = [int(c) / 255 for c in re.findall(r"\d+", css)[:3]]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_focus_ring_stands_out(page, live_server):
    """WCAG 2.2 1.4.11: the focus ring was 1.8:1 against the page; 3:1 at least."""
    sign_up(page, live_server.url, email="fay@example.org")
    page.goto(live_server.url + "/data")
    rings = {}
    for name in ("Terms", "Add"):  # in the dark header, and on the page
        page.get_by_role("link" if name == "Terms" else "button", name=name, exact=True).focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")  # focused from the keyboard: :focus-visible
        rings[name] = _contrast(*page.evaluate(FOCUS_RING))
    assert min(rings.values()) >= 3, rings


def test_deleting_a_field_asks_first_with_javascript(page, live_server):
    sign_up(page, live_server.url, email="lee@example.org")
    nav(page, "My data")
    add_field(page, "address.city", "City", "Lisbon")
    questions: list[str] = []
    page.once("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    page.get_by_role("button", name="Delete City").click()
    expect(page.get_by_role("cell", name="Lisbon")).to_be_visible()  # dismissed: kept
    page.once("dialog", lambda d: (questions.append(d.message), d.accept()))
    page.get_by_role("button", name="Delete City").click()
    expect(page.get_by_text("Deleted.")).to_be_visible()
    assert questions == ["Delete “City” from your vault?"] * 2


def test_my_data_without_javascript(browser, live_server):
    """Without JavaScript the value input stays text, and the server reads a written date."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_up(page, live_server.url, email="noa@example.org")
        nav(page, "My data")
        page.get_by_label("Category").select_option("demographics.birthdate")
        expect(page.get_by_label("Value")).to_have_attribute("type", "text")  # no script ran
        add_field(page, "demographics.birthdate", "Born", "25.11.1990", shown="1990-11-25")
        page.get_by_label("Category").select_option("financial.income")
        page.get_by_label("Name").fill("Income")
        page.get_by_label("Value").fill("5,2000")
        page.get_by_role("button", name="Add").click()
        expect(page.locator(".error-summary")).to_contain_text("did you mean 52,000?")
        expect(page.get_by_label("Value")).to_have_value("5,2000")  # what was typed stays
    finally:
        context.close()
