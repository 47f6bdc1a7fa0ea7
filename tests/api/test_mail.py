"""Email to the person over a real SMTP server (aiosmtpd): verification, password reset,
notices, notifications, unsubscribe and the digest; links followed with the test client."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

import pytest

from api import jobs
from api.config import _smtp
from api.services import mail_links
from api.services.mail import KINDS, choices, mail_config, notify_person, set_choices
from tests.conftest import Auth, configure, csrf_token, link_in
from tests.oauth.conftest import Flow, Vendors
from tests.oauth.test_offers import INTENT, OFFER
from tests.oauth.test_person_vendor import DETAILS, bearer, butler, vendor_token

NO_MAIL = {"overdue_told": 0, "digests": 0, "mailed": 0, "mail_failed": 0}
PASSWORD = "correct horse battery"
NEW_PASSWORD = "a brand new long passphrase"


def run_jobs(app) -> dict[str, int]:
    return jobs.run_jobs_once(app)


def vault_of(app):
    return app.extensions["custos.vault"]


def person_id(app, email="ada@example.org") -> str:
    return vault_of(app).find_person_by_email(email).id


def signed_up(app, mailbox, email="ada@example.org"):
    """A person signed up through the page, her verification email taken from the box."""
    client = app.test_client()
    Auth(client).signup(email=email)
    run_jobs(app)
    (welcome,) = mailbox.take()
    return client, welcome


def ask_reset(client, email: str):
    """Ask for a reset link; closing the answer (as a WSGI server does once it is sent) runs
    the queueing deferred until then (api/web/mail_pages.py)."""
    answer = Auth(client).post("/reset", {"email": email})
    answer.get_data()
    answer.close()
    return answer


def verified(app, mailbox, email="ada@example.org"):
    """Signed up, and her address confirmed by the emailed link."""
    client, welcome = signed_up(app, mailbox, email)
    link = link_in(welcome, "/verify/")
    assert Auth(client).post(link, {}).status_code == 302
    return client


def test_signup_sends_a_link_that_verifies_the_address_once(mail_app, mailbox):
    client, message = signed_up(mail_app, mailbox)
    assert message["To"] == "ada@example.org"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe"] is None  # account email: no unsubscribe
    link = link_in(message, "/verify/")
    anonymous = mail_app.test_client()  # another browser: the link alone is enough
    page = anonymous.get(link)
    assert page.status_code == 200 and "Confirm my address" in page.get_data(as_text=True)
    assert vault_of(mail_app).links.verified_at(person_id(mail_app)) is None  # GET changes nothing
    done = anonymous.post(link, data={"csrf_token": csrf_token(page)})
    assert done.status_code == 302
    assert vault_of(mail_app).links.verified_at(person_id(mail_app)) is not None
    kinds = [e.event.kind for e in vault_of(mail_app).list_events(person_id(mail_app))]
    assert "email_verified" in kinds
    assert anonymous.get(link).status_code == 404  # single use
    assert "confirmed" in client.get("/settings").get_data(as_text=True)


def test_password_reset_by_emailed_single_use_link(mail_app, mailbox, clock):
    ada, _ = signed_up(mail_app, mailbox)
    other_device = mail_app.test_client()
    Auth(other_device).signin()
    assert other_device.get("/settings").status_code == 200
    stranger = mail_app.test_client()
    asked = ask_reset(stranger, "ada@example.org")
    unknown = ask_reset(stranger, "nobody@example.org")
    # no account enumeration: the same answer whether or not the address has a vault
    assert asked.status_code == unknown.status_code == 200
    assert _text(asked) == _text(unknown) and "we have sent a link" in _text(asked)
    assert run_jobs(mail_app)["mailed"] == 1
    (message,) = mailbox.take()
    assert message["To"] == "ada@example.org"
    link = link_in(message, "/reset/")
    token = link.rsplit("/", 1)[1]
    assert token.encode() not in _store_bytes(mail_app)  # only its hash is stored
    form = stranger.get(link)
    assert form.status_code == 200
    refused = stranger.post(link, data={"csrf_token": csrf_token(form), "password": "short",
                                        "confirm": "short"})
    assert refused.status_code == 400 and "10 to 256 characters" in _text(refused)
    done = stranger.post(link, data={"csrf_token": csrf_token(form), "password": NEW_PASSWORD,
                                     "confirm": NEW_PASSWORD})
    assert done.status_code == 302 and done.headers["Location"].endswith("/signin")
    # every session ended, on every device
    assert ada.get("/settings").status_code == 302
    assert other_device.get("/settings").status_code == 302
    assert stranger.get(link).status_code == 404  # used once, never again
    assert Auth(mail_app.test_client()).signin().status_code == 400  # the old password is void
    assert Auth(mail_app.test_client()).signin(password=NEW_PASSWORD).status_code == 302
    run_jobs(mail_app)
    (notice,) = mailbox.take()
    assert notice["Subject"] == "Your Custos password was changed"
    assert NEW_PASSWORD not in notice.get_content()


def test_a_reset_link_is_short_lived_and_only_the_newest_works(mail_app, mailbox, clock):
    signed_up(mail_app, mailbox)
    client = mail_app.test_client()
    for _ in range(2):
        ask_reset(client, "ada@example.org")
    run_jobs(mail_app)
    first, second = (link_in(m, "/reset/") for m in mailbox.take())
    assert client.get(first).status_code == 404  # the second request voided it
    assert client.get(second).status_code == 200
    clock.advance(minutes=31)
    assert client.get(second).status_code == 404
    assert "does not work" in _text(client.get(second))


def test_reset_requests_are_rate_limited_per_address(mail_app, mailbox):
    configure(mail_app, reset_rate_limit="2 per minute")
    client = mail_app.test_client()
    answers = [ask_reset(client, f"p{i}@example.org").status_code
               for i in range(3)]
    assert answers == [200, 200, 429]


def test_reset_requests_for_one_address_are_limited_from_anywhere(mail_app, mailbox):
    signed_up(mail_app, mailbox)
    configure(mail_app, reset_rate_limit="2 per hour")

    def ask(email: str, address: str) -> int:
        client = mail_app.test_client()
        page = client.get("/reset", environ_base={"REMOTE_ADDR": address})
        answer = client.post("/reset", data={"email": email, "csrf_token": csrf_token(page)},
                             environ_base={"REMOTE_ADDR": address})
        answer.close()  # as a server does once the answer is sent: the link is queued then
        return answer.status_code

    assert [ask("ada@example.org", f"10.0.0.{i}") for i in range(3)] == [200, 200, 429]
    # the same for an address without a vault: the limit tells nothing
    assert [ask("nobody@example.org", f"10.0.1.{i}") for i in range(3)] == [200, 200, 429]
    run_jobs(mail_app)
    assert len(mailbox.take()) == 2  # her inbox got two links, not more


def test_a_reset_request_names_the_field_it_refuses(mail_app):
    client = mail_app.test_client()
    answer = Auth(client).post("/reset", {"email": "not an address"})
    assert answer.status_code == 400 and "Enter an email address" in _text(answer)
    assert 'value="not an address"' in _text(answer)  # what was typed stays


def test_a_request_waiting_emails_her_and_the_link_unsubscribes_without_signing_in(
        mail_app, mailbox, clock):
    client, _ = signed_up(mail_app, mailbox)
    vault, mail = vault_of(mail_app), mail_config(mail_app.config["CUSTOS_SETTINGS"])
    pid = person_id(mail_app)
    # never to an address its owner has not confirmed
    assert notify_person(vault, pid, "request_waiting", clock(), mail=mail) is None
    assert "only once you have confirmed" in _text(client.get("/settings"))
    mail_links.verify(vault, vault.links.issue(pid, "verify", clock(), timedelta(days=1)),
                      clock())
    assert notify_person(vault, pid, "request_waiting", clock(), mail=mail) == "sent"
    run_jobs(mail_app)
    (message,) = mailbox.take()
    text = message.get_content()
    assert message["Subject"] == "A request waits for your answer"
    assert "http://localhost/inbox" in text
    link = link_in(message, "/unsubscribe/")
    # RFC 8058 section 3.1: the one-click header pair
    assert message["List-Unsubscribe"] == f"<http://localhost{link}>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    raw = message.raw
    assert f"List-Unsubscribe: <http://localhost{link}>".encode() in raw  # not encoded
    assert f"Stop these emails: http://localhost{link}".encode() in raw  # one line
    anonymous = mail_app.test_client()
    assert anonymous.get(link).status_code == 200
    assert choices(vault, pid)["request_waiting"] is True  # a GET (a mail scanner) changes nothing
    # RFC 8058 section 3.2: a POST without cookies or CSRF token is enough
    done = anonymous.post(link, data={"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200 and "Done" in _text(done)
    assert choices(vault, pid)["request_waiting"] is False
    assert choices(vault, pid)["agent_changed"] is True  # single purpose: one kind only
    assert notify_person(vault, pid, "request_waiting", clock(), mail=mail) is None
    assert notify_person(vault, pid, "agent_changed", clock(), mail=mail) == "sent"


def test_a_vendors_waiting_request_emails_her_without_naming_anyone(mail_app, mailbox):
    client = verified(mail_app, mailbox)
    vault, clock = vault_of(mail_app), mail_app.extensions["custos.clock"]
    vault.add_field(person_id(mail_app), category="contact.phone", name="Phone", kind="text",
                    value="+44 1", now=clock())
    vendor = Vendors(client).register()  # Acme Cars
    flow = Flow(client)
    sub = flow.read(flow.tokens(vendor)["access_token"]).get_json()["sub"]
    asked = client.post("/api/v1/requests", headers=bearer(vendor_token(client, vendor)), json={
        "subject": sub, "authorization_details": [
            {**DETAILS[0], "categories": ["contact.email", "contact.phone"]}]})
    assert asked.get_json()["status"] == "pending"
    run_jobs(mail_app)
    sent = {m["Subject"]: m for m in mailbox.take()}
    waiting = sent["A request waits for your answer"]
    assert waiting["To"] == "ada@example.org"
    text = waiting.get_content()
    assert "http://localhost/inbox" in text
    assert "Acme" not in text and "phone" not in text and "+44" not in text  # minimal


def test_her_agent_changing_something_emails_her(mail_app, mailbox):
    client = verified(mail_app, mailbox)
    agent = butler(Vendors(client), Flow(client))["access_token"]
    terms = client.get("/api/v1/person/terms", headers=bearer(agent)).get_json()["terms"]
    asked = client.put("/api/v1/person/terms?dry_run=1", json=terms, headers=bearer(agent))
    assert asked.status_code == 200
    assert client.get("/api/v1/person/requests", headers=bearer(agent)).status_code == 200
    run_jobs(mail_app)
    assert mailbox.take() == []  # reading and asking change nothing
    saved = client.put("/api/v1/person/terms", json=terms, headers=bearer(agent))
    assert saved.status_code == 200, saved.get_json()
    run_jobs(mail_app)
    (message,) = mailbox.take()
    assert message["Subject"] == "Your agent changed something"
    assert "http://localhost/log" in message.get_content()


def test_the_agent_email_comes_with_the_alert_and_only_then(mail_app, mailbox):
    """The email is sent where the `agent_changed_access` alert is recorded (one place): an
    agent's change vendors cannot see raises neither; one they can raises both."""
    client = verified(mail_app, mailbox)
    vault, pid = vault_of(mail_app), person_id(mail_app)
    agent = bearer(butler(Vendors(client), Flow(client))["access_token"])
    added = client.post("/api/v1/person/data", headers=agent, json={
        "category": "contact.phone", "name": "Mobile", "value": "+44 7700 900123"})
    assert added.status_code == 201, added.get_json()
    hidden = client.post("/api/v1/person/intents", headers=agent,
                         json={**INTENT, "visibility": "hidden"})
    assert hidden.status_code == 201, hidden.get_json()
    run_jobs(mail_app)
    assert mailbox.take() == []  # no live agreement covers the phone, the intent is hidden
    assert vault.list_events(pid, kinds=["agent_changed_access"]) == []
    shown = client.post("/api/v1/person/intents", json=INTENT, headers=agent)
    assert shown.status_code == 201, shown.get_json()
    assert len(vault.list_events(pid, kinds=["agent_changed_access"])) == 1
    run_jobs(mail_app)
    (message,) = mailbox.take()
    assert message["Subject"] == "Your agent changed something"


def test_a_vendors_reply_emails_her_and_her_own_message_does_not(mail_app, mailbox, clock):
    client = verified(mail_app, mailbox)
    vault, pid = vault_of(mail_app), person_id(mail_app)
    vendor = Vendors(client).register()
    intent = vault.add_intent(pid, INTENT, clock())
    offer = vault.agreements.offers.receive(pid, intent.id, vendor["client_id"], OFFER, clock())
    vault.agreements.offers.decide(offer.id, {"action": "deliver", "by": "person"}, clock())
    page = client.get(f"/offers/{offer.id}/thread")
    asked = client.post(f"/offers/{offer.id}/messages", data={
        "text": "Any red ones?", "csrf_token": csrf_token(page)})
    assert asked.status_code == 302
    run_jobs(mail_app)
    assert mailbox.take() == []  # she wrote it herself
    answered = client.post(f"/api/v1/offers/{offer.id}/messages", json={"text": "Yes, two."},
                           headers=bearer(vendor_token(client, vendor)))
    assert answered.status_code == 201, answered.get_json()
    run_jobs(mail_app)
    (message,) = mailbox.take()
    assert message["Subject"] == "You have a reply" and message["To"] == "ada@example.org"
    text = message.get_content()
    assert "http://localhost/offers" in text and "/unsubscribe/" in text
    assert "Yes, two" not in text and "Acme" not in text  # no text, no vendor name


@pytest.mark.parametrize("spoil", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # another MAC
    lambda t: t.split(".")[0],  # no MAC
    lambda t: "x" + t,
    lambda t: "%00",
])
def test_a_spoiled_unsubscribe_link_does_nothing(mail_app, mailbox, clock, spoil):
    signed_up(mail_app, mailbox)
    vault, mail = vault_of(mail_app), mail_config(mail_app.config["CUSTOS_SETTINGS"])
    pid = person_id(mail_app)
    url = mail_links.unsubscribe_url(vault, mail, pid, "reply_arrived", clock())
    token = url.rsplit("/", 1)[1]
    answer = mail_app.test_client().post(f"/unsubscribe/{spoil(token)}")
    assert answer.status_code in (400, 404)  # a NUL is refused at the edge (api/untrusted.py)
    assert choices(vault, pid)["reply_arrived"] is True


def test_a_link_for_one_person_never_unsubscribes_another(mail_app, mailbox, clock):
    signed_up(mail_app, mailbox)
    signed_up(mail_app, mailbox, "bob@example.org")
    vault, mail = vault_of(mail_app), mail_config(mail_app.config["CUSTOS_SETTINGS"])
    ada, bob = person_id(mail_app), person_id(mail_app, "bob@example.org")
    token = mail_links.unsubscribe_url(vault, mail, ada, "reply_arrived", clock()).rsplit("/")[-1]
    body, mac = token.split(".")
    forged = mail_links._b64(f"{bob}|reply_arrived".encode()) + "." + mac
    assert mail_app.test_client().post(f"/unsubscribe/{forged}").status_code == 404
    assert choices(vault, bob)["reply_arrived"] is True


def test_the_daily_digest_bundles_a_day_once(mail_app, mailbox, clock):
    client = verified(mail_app, mailbox)
    Auth(client).post("/settings/notifications", {"request_waiting": "1", "reply_arrived": "1",
                                                  "digest": "1"}, page="/settings")
    vault, mail = vault_of(mail_app), mail_config(mail_app.config["CUSTOS_SETTINGS"])
    pid = person_id(mail_app)
    assert choices(vault, pid) == {"request_waiting": True, "agent_changed": False,
                                   "ack_overdue": False, "reply_arrived": True, "digest": True}
    for kind in ("request_waiting", "request_waiting", "reply_arrived"):
        assert notify_person(vault, pid, kind, clock(), mail=mail) == "digest"
    assert notify_person(vault, pid, "agent_changed", clock(), mail=mail) is None
    clock.advance(hours=14, minutes=59)  # 23:59 the same day: nothing yet
    assert run_jobs(mail_app) == {"expired": 0, "delivered": 0, "failed": 0, **NO_MAIL}
    clock.advance(minutes=2)  # just after midnight UTC
    assert run_jobs(mail_app)["digests"] == 1
    (digest,) = mailbox.take()
    text = digest.get_content()
    assert digest["Subject"] == "Your daily summary from Custos"
    assert "A request waits for your answer (2 times)" in text
    assert "You have a reply (1 time)" in text
    assert run_jobs(mail_app)["digests"] == 0  # sent once
    unsubscribe = link_in(digest, "/unsubscribe/")
    mail_app.test_client().post(unsubscribe)
    assert not any(choices(vault, pid)[k] for k in ("request_waiting", "reply_arrived"))


def test_a_failing_smtp_server_never_breaks_a_request_and_is_retried(app, clock, mailbox):
    configure(app, smtp_url=_smtp("smtp://127.0.0.1:9"), issuer="http://localhost")  # refused
    client = app.test_client()
    assert Auth(client).signup().status_code == 302
    assert run_jobs(app)["mail_failed"] == 1
    configure(app, smtp_url=_smtp(mailbox.url))
    assert run_jobs(app)["mailed"] == 0  # backing off
    clock.advance(seconds=31)
    assert run_jobs(app)["mailed"] == 1
    assert len(mailbox.take()) == 1


def test_without_smtp_the_pages_say_email_is_off_and_nothing_breaks(app, auth):
    assert auth.signup().status_code == 302
    settings = _text(auth.client.get("/settings"))
    assert "Email notifications are off" in settings
    reset = auth.client.get("/reset")
    assert "does not send email" in _text(reset)
    assert run_jobs(app) == {"expired": 0, "delivered": 0, "failed": 0, **NO_MAIL}
    assert vault_of(app).mail.waiting() == 0
    assert notify_person(vault_of(app), person_id(app), "reply_arrived",
                         app.extensions["custos.clock"](), mail=None) is None


def test_changing_the_address_tells_the_old_one_and_verifies_the_new(mail_app, mailbox):
    client, _ = signed_up(mail_app, mailbox)
    auth = Auth(client)
    wrong = auth.post("/settings/email", {"em_email": "ada@new.example",
                                          "em_password": "wrong password"}, page="/settings")
    assert wrong.status_code == 400 and "The password is wrong." in _text(wrong)
    assert 'value="ada@new.example"' in _text(wrong)
    taken = mail_app.test_client()
    Auth(taken).signup(email="bob@example.org")
    clash = auth.post("/settings/email", {"em_email": "bob@example.org", "em_password": PASSWORD},
                      page="/settings")
    assert clash.status_code == 400 and "Another vault uses this address." in _text(clash)
    done = auth.post("/settings/email", {"em_email": "Ada@New.example", "em_password": PASSWORD},
                     page="/settings")
    assert done.status_code == 302
    run_jobs(mail_app)
    sent = {m["To"]: m for m in mailbox.take()}
    assert sent["ada@example.org"]["Subject"] == \
        "The email address of your Custos vault was changed"
    assert "ada@new.example" not in sent["ada@example.org"].get_content()  # minimal
    verify = link_in(sent["ada@new.example"], "/verify/")
    assert mail_app.test_client().get(verify).status_code == 200
    assert Auth(mail_app.test_client()).signin(email="ada@new.example").status_code == 302
    assert Auth(mail_app.test_client()).signin().status_code == 400


def test_a_password_change_in_settings_sends_a_notice(mail_app, mailbox):
    client, _ = signed_up(mail_app, mailbox)
    Auth(client).post("/settings/password", {"pw_current": PASSWORD, "pw_password": NEW_PASSWORD,
                                             "pw_confirm": NEW_PASSWORD}, page="/settings")
    run_jobs(mail_app)
    (notice,) = mailbox.take()
    assert notice["Subject"] == "Your Custos password was changed"


def test_mail_is_sealed_at_rest_and_never_logged(mail_app, mailbox, clock, caplog):
    with caplog.at_level(logging.DEBUG):
        client = mail_app.test_client()
        Auth(client).signup(email="secret.person@example.org")
        vault, pid = vault_of(mail_app), person_id(mail_app, "secret.person@example.org")
        mail_links.verify(vault, vault.links.issue(pid, "verify", clock(), timedelta(days=1)),
                          clock())
        assert notify_person(vault, pid, "reply_arrived", clock(),
                             mail=mail_config(mail_app.config["CUSTOS_SETTINGS"])) == "sent"
        stored = _store_bytes(mail_app)
        assert vault_of(mail_app).mail.waiting() == 2
        run_jobs(mail_app)
    assert b"secret.person" not in stored and b"Confirm your email" not in stored
    ours = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    assert ours and not any("secret.person" in line for line in ours)  # aiosmtpd's own log aside
    assert len(mailbox.take()) == 2


def test_deleting_the_vault_drops_its_queued_mail(mail_app, mailbox, clock):
    client = mail_app.test_client()
    Auth(client).signup()
    assert vault_of(mail_app).mail.waiting() == 1
    Auth(client).post("/settings/delete", {"phrase": "delete my vault", "password": PASSWORD},
                      page="/settings")
    assert vault_of(mail_app).mail.waiting() == 0
    assert run_jobs(mail_app)["mailed"] == 0


def _text(response) -> str:
    return response.get_data(as_text=True)


def _store_bytes(app) -> bytes:
    home = app.config["CUSTOS_SETTINGS"].home
    return b"".join(p.read_bytes() for p in home.iterdir() if re.search(r"\.db", p.name))


def test_the_mail_services_are_flask_free():
    """They take the vault, `now` and the MailConfig: no Flask, no request, no app helpers."""
    from pathlib import Path

    from tests.dataimport.test_flask_free import FORBIDDEN, imported_names

    services = Path(__file__).resolve().parents[2] / "api" / "services"
    for name in ("mail.py", "mail_links.py"):
        assert imported_names((services / name).read_text()) & FORBIDDEN == set(), name


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_says_what_happened_with_a_link_and_its_own_unsubscribe(mail_app, mailbox,
                                                                         clock, kind):
    verified(mail_app, mailbox)
    vault, mail = vault_of(mail_app), mail_config(mail_app.config["CUSTOS_SETTINGS"])
    assert notify_person(vault, person_id(mail_app), kind, clock(), mail=mail) == "sent"
    run_jobs(mail_app)
    (message,) = mailbox.take()
    assert message["Subject"] == KINDS[kind].subject
    assert f"http://localhost{KINDS[kind].path}" in message.get_content().splitlines()
    mail_app.test_client().post(link_in(message, "/unsubscribe/"))
    assert [k for k, on in choices(vault, person_id(mail_app)).items() if not on] == \
        [kind, "digest"]  # that kind only ("digest" is off: right away is the default)


def test_an_unknown_kind_is_a_programming_error(mail_app, clock):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notify_person(vault_of(mail_app), "anyone", "gossip", clock(), mail=None)


def test_an_agents_proposal_that_waits_for_her_emails_her(mail_app, mailbox):
    """A terms change her agent may not make alone waits in her inbox: she hears of it, like a
    vendor's waiting request (the email names nobody and no rule)."""
    client = verified(mail_app, mailbox)
    agent = butler(Vendors(client), Flow(client))["access_token"]
    terms = client.get("/api/v1/person/terms", headers=bearer(agent)).get_json()["terms"]
    looser = {**terms, "default": "permit"}  # lets vendors get more than before
    waits = client.put("/api/v1/person/terms", json=looser, headers=bearer(agent))
    assert waits.status_code in (200, 202), waits.get_json()
    assert waits.get_json()["waits_for_person"] is True
    run_jobs(mail_app)
    (message,) = mailbox.take()
    assert message["Subject"] == "A request waits for your answer"
    assert "http://localhost/inbox" in message.get_content()
    assert "permit" not in message.get_content()


def _notice(app, pid: str, sent, client_id: str = "vendor-that-must-delete") -> str:
    """A signed notice the vendor must answer within the configured delay (issue 12)."""
    duties, days = vault_of(app).agreements.duties, app.config["CUSTOS_SETTINGS"].duty_ack_days
    return duties.add(duties.new_id(), "an-agreement", pid, client_id, "delete", "a.b.c",
                      sent, sent + timedelta(days=days)).id


def test_a_vendors_overdue_answer_emails_her_once_and_one_in_time_never(mail_app, mailbox,
                                                                        clock):
    verified(mail_app, mailbox)
    vault, pid = vault_of(mail_app), person_id(mail_app)
    days = mail_app.config["CUSTOS_SETTINGS"].duty_ack_days
    late = _notice(mail_app, pid, clock())
    in_time = _notice(mail_app, pid, clock(), client_id="vendor-that-answers")
    clock.advance(days=days - 1)
    vault.agreements.duties.acknowledge(in_time, "a.c.k", clock())
    clock.advance(days=1, seconds=-1)  # a second before the deadline: nothing
    assert run_jobs(mail_app)["overdue_told"] == 0 and mailbox.take() == []
    clock.advance(seconds=1)  # due now, and unanswered
    counts = run_jobs(mail_app)
    assert (counts["overdue_told"], counts["mailed"]) == (1, 1)
    (message,) = mailbox.take()
    assert message["Subject"] == KINDS["ack_overdue"].subject
    text = message.get_content()
    assert "http://localhost/connections" in text.splitlines()
    assert "vendor-that" not in text and late not in text  # names nobody, no id
    assert run_jobs(mail_app)["overdue_told"] == 0 and mailbox.take() == []  # never twice
    clock.advance(days=40)
    assert run_jobs(mail_app)["overdue_told"] == 0 and mailbox.take() == []
    assert vault.agreements.duties.overdue_count(pid, clock()) == 1  # still shown as overdue
    vault.agreements.duties.acknowledge(late, "a.c.k", clock())  # a late answer: no email
    assert run_jobs(mail_app)["overdue_told"] == 0 and mailbox.take() == []


def test_several_notices_overdue_at_once_are_one_email_and_a_new_one_another(mail_app,
                                                                             mailbox, clock):
    verified(mail_app, mailbox)
    pid, days = person_id(mail_app), mail_app.config["CUSTOS_SETTINGS"].duty_ack_days
    _notice(mail_app, pid, clock()), _notice(mail_app, pid, clock(), client_id="another")
    clock.advance(days=days)
    assert run_jobs(mail_app)["overdue_told"] == 1
    assert len(mailbox.take()) == 1
    _notice(mail_app, pid, clock())
    clock.advance(days=days)
    assert run_jobs(mail_app)["overdue_told"] == 1 and len(mailbox.take()) == 1


def test_the_overdue_email_honours_her_choices_and_the_digest(mail_app, mailbox, clock):
    verified(mail_app, mailbox)
    vault, pid = vault_of(mail_app), person_id(mail_app)
    days = mail_app.config["CUSTOS_SETTINGS"].duty_ack_days
    set_choices(vault, pid, {"request_waiting": True}, clock())  # as Settings does
    _notice(mail_app, pid, clock())
    clock.advance(days=days)
    assert run_jobs(mail_app)["overdue_told"] == 0 and mailbox.take() == []  # she chose not
    set_choices(vault, pid, {"ack_overdue": True}, clock())
    assert run_jobs(mail_app)["overdue_told"] == 0 and mailbox.take() == []  # not later either
    set_choices(vault, pid, {"ack_overdue": True, "digest": True}, clock())
    _notice(mail_app, pid, clock())
    clock.advance(days=days)
    assert run_jobs(mail_app)["overdue_told"] == 1 and mailbox.take() == []  # in the digest
    clock.advance(days=1)
    assert run_jobs(mail_app)["digests"] == 1
    (digest,) = mailbox.take()
    assert f"{KINDS['ack_overdue'].subject} (1 time)" in digest.get_content()
    assert choices(vault, pid)["ack_overdue"] is True


def test_without_email_no_notice_is_marked_told(app, clock):
    configure(app, issuer="http://localhost")  # the jobs run, email is off
    vault = vault_of(app)
    pid = vault.create_person("ada@example.org", "not-a-hash", clock())
    _notice(app, pid, clock())
    clock.advance(days=app.config["CUSTOS_SETTINGS"].duty_ack_days)
    assert run_jobs(app)["overdue_told"] == 0
    assert vault.agreements.duties.overdue_untold(clock()) != {}
