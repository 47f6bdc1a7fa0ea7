"""Password reset end to end in real Chromium, the email going through a real SMTP server
(aiosmtpd): ask for a link, follow it from the email, choose a new password, sign in."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from api import create_app, jobs
from api.config import Settings, _smtp
from tests.browser.test_person_journey import sign_up
from tests.conftest import configure

NEW_PASSWORD = "a brand new long passphrase"


@pytest.fixture
def live_server(tmp_path, mailbox):
    """The app with email on: the local SMTP server, and its own URL as the issuer."""
    from tests.oauth.conftest import serving

    settings = Settings(home=tmp_path / "home", secret_key="b" * 40, secure_cookies=False,
                        signin_rate_limit="1000 per minute", argon2_profile="CHEAPEST",
                        smtp_url=_smtp(mailbox.url))
    app = create_app(settings)
    try:
        with serving(app) as url:
            configure(app, issuer=url)
            yield SimpleNamespace(url=url, app=app)
    finally:
        app.extensions["custos.vault"].close()


def emailed_link(app, mailbox, url: str, path: str) -> str:
    """Run the jobs once (they send the mail), then the link to `path` in the one email."""
    jobs.run_jobs_once(app)
    (message,) = mailbox.take()
    match = re.search(re.escape(url + path) + r"\S+", message.get_content())
    assert match, message.get_content()
    return match.group(0)


def test_reset_the_password_from_the_emailed_link(page, live_server, mailbox, look):
    url, app = live_server.url, live_server.app
    sign_up(page, url)
    emailed_link(app, mailbox, url, "/verify/")  # the welcome email, confirmed elsewhere
    page.get_by_role("button", name="Sign out", exact=True).click()

    page.get_by_role("link", name="Forgot your password?").click()
    look("reset-ask")
    page.get_by_label("Email").fill("not an address")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.locator("#email-error")).to_have_text(
        "Enter an email address such as name@example.org.")
    expect(page.get_by_label("Email")).to_have_value("not an address")
    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status")).to_contain_text("we have sent a link")
    look("reset-sent")

    link = emailed_link(app, mailbox, url, "/reset/")
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password")).to_be_visible()
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill("something else entirely")
    page.get_by_role("button", name="Save my new password").click()
    expect(page.locator("#confirm-error")).to_have_text("The two passwords differ.")
    look("reset-mismatch")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("New password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save my new password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    look("reset-done")

    page.get_by_label("Email").fill("ada@example.org")
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your vault")).to_be_visible()
    notice = mailbox.take() or []
    jobs.run_jobs_once(app)
    notice += mailbox.take()
    assert [m["Subject"] for m in notice] == ["Your Custos password was changed"]

    page.goto(link)  # a used link never works again
    expect(page.get_by_role("heading", name="This link does not work")).to_be_visible()
    look("reset-link-used")


def test_email_choices_in_settings_and_unsubscribe_without_signing_in(page, live_server, mailbox,
                                                                     look):
    from api.services.mail import choices, mail_config, notify_person

    url, app = live_server.url, live_server.app
    sign_up(page, url)
    verify = emailed_link(app, mailbox, url, "/verify/")
    page.goto(verify)
    look("verify")
    page.get_by_role("button", name="Confirm my address").click()
    expect(page.get_by_role("status")).to_contain_text("your email address is confirmed")
    page.goto(url + "/settings")
    expect(page.get_by_text("ada@example.org, confirmed")).to_be_visible()
    look("settings-email")
    page.get_by_label("A vendor is late to confirm what it must do").uncheck()
    page.get_by_label("Once a day, one summary").check()
    page.get_by_role("button", name="Save my email choices").click()
    expect(page.get_by_role("status")).to_contain_text("Your email choices are saved")
    expect(page.get_by_label("Once a day, one summary")).to_be_checked()
    expect(page.get_by_label("A vendor is late to confirm what it must do")).not_to_be_checked()

    page.get_by_label("New email address").fill("ada@new.example")
    page.get_by_label("Vault password").fill("not my password")
    page.get_by_role("button", name="Change my address").click()
    expect(page.locator("#em_password-error")).to_have_text("The password is wrong.")
    expect(page.get_by_label("New email address")).to_have_value("ada@new.example")  # kept
    look("settings-email-error")
    page.get_by_label("Vault password").fill("correct horse battery")
    page.get_by_role("button", name="Change my address").click()
    expect(page.get_by_text("ada@new.example, not confirmed yet")).to_be_visible()
    jobs.run_jobs_once(app)
    told = {m["To"]: m["Subject"] for m in mailbox.take()}
    assert told == {"ada@example.org": "The email address of your Custos vault was changed",
                    "ada@new.example": "Confirm your email address for Custos"}
    page.get_by_role("button", name="Send me a new link to confirm it").click()
    verify = emailed_link(app, mailbox, url, "/verify/")
    page.goto(verify)
    page.get_by_role("button", name="Confirm my address").click()
    page.goto(url + "/settings")
    expect(page.get_by_text("ada@new.example, confirmed")).to_be_visible()

    vault = app.extensions["custos.vault"]
    person = vault.find_person_by_email("ada@new.example").id
    page.get_by_label("Right away, one email each time").check()
    page.get_by_role("button", name="Save my email choices").click()
    with app.app_context():
        notify_person(vault, person, "reply_arrived", app.extensions["custos.clock"](),
                      mail=mail_config(app.config["CUSTOS_SETTINGS"]))
    link = emailed_link(app, mailbox, url, "/unsubscribe/")
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.goto(link)
    look("unsubscribe")
    page.get_by_role("button", name="Stop these emails").click()
    expect(page.get_by_role("status")).to_contain_text("You will not get emails for this")
    assert choices(vault, person)["reply_arrived"] is False
