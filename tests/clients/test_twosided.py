"""Two-sided agreements over a real server on loopback (issue 12, docs/agreements.md).

Ada proffers SD-BASE. A vendor that accepts it, by signing the agreement record with its own
registered key, gets her data; one that published it does not accept SD-BASE is refused before
she is asked, with the agreement named; one that refuses the record gets nothing; a forged or
wrong-key acceptance is refused and releases nothing.
"""

from __future__ import annotations

import json

import jsonschema
import pytest
import requests

from api.cli.loopback import Browser
from clients.sdk import (
    Access,
    AccessRefused,
    AuthorizationDenied,
    InvalidRequest,
    InvalidToken,
    VendorClient,
)
from clients.sdk.myterms import USE_REPORT, new_key, sign
from policies.agreements import adopt
from tests.clients.conftest import PASSWORD, REDIRECT, connect
from tests.conftest import configure
from tests.oauth.test_person_vendor import _kantara_schema

OWN = {"default": "ask", "auto_approve": False, "rules": [
    {"id": "email-city", "effect": "permit", "purposes": ["ServiceProvision"],
     "categories": ["contact.email", "address.city"], "label": "Email and city to deliver"}]}


@pytest.fixture
def proffers(app, browser, clock) -> str:
    """Ada's terms adopt SD-BASE (by its alias, as older terms name it)."""
    vault = app.extensions["custos.vault"]
    vault.agreements.terms.save(browser.person_id, adopt(OWN, "service-delivery-only"), clock())
    return browser.person_id


def signing_vendor(server, transport, name: str, **kw) -> VendorClient:
    return VendorClient.register(server, client_name=name, redirect_uris=[REDIRECT],
                                 jurisdiction="DE", transport=transport,
                                 signing_key=new_key(), **kw)


def test_a_vendor_that_accepts_with_its_signature_gets_the_data(server, transport, browser,
                                                                proffers):
    green = signing_vendor(server, transport, "GreenWheels", accepts=["SD-BASE"])
    person = connect(green, browser)
    agreement = person.me()["agreement"]
    with pytest.raises(AccessRefused) as before:  # nothing leaves before the signature
        person.data()
    assert before.value.error == "agreement_not_accepted"
    assert before.value.body["agreements"] == ["SD-BASE"]
    assert before.value.body["status"] == "pending response"
    assert "SD-BASE" in before.value.reasons[0]["text"]

    page = browser.session.get(f"{server}/connections", timeout=5).text
    assert "“Service delivery only”: waiting for GreenWheels to sign" in page
    done = green.accept(agreement)
    assert done["status"] == "accepted" and done["record"]["agreements"] == ["SD-BASE"]
    assert done["record"]["duties"] == [] and done["record"]["aud"] == green.client_id
    page = browser.session.get(f"{server}/connections", timeout=5).text
    assert "“Service delivery only”: signed by GreenWheels and Custos" in page
    assert "GreenWheels says it accepts “Service delivery only”." in page  # its public list
    assert person.data().values("contact.email") == ["ada@example.org"]


def test_a_write_back_waits_for_the_vendors_signature_like_a_read(app, clock, server, transport,
                                                                   browser):
    """Issue 12 makes reads wait for the vendor's signed acceptance; a write waits the same
    way: refused (and logged as a refused write) until it has signed, then allowed."""
    vault = app.extensions["custos.vault"]
    writes = {**OWN, "rules": [*OWN["rules"], {"id": "orders", "effect": "permit",
                                                "actions": ["write"],
                                                "categories": ["customer.orders"]}]}
    vault.agreements.terms.save(browser.person_id, adopt(writes, "SD-BASE"), clock())
    green = signing_vendor(server, transport, "GreenWheels", accepts=["SD-BASE"])
    agreement = connect(green, browser).me()["agreement"]
    order = {"category": "customer.orders", "name": "Order 7", "value": "Cargo bike"}
    with pytest.raises(AccessRefused) as before:
        green.add_record(agreement, **order)
    assert before.value.status == 403 and before.value.error == "agreement_not_accepted"
    assert before.value.body["agreements"] == ["SD-BASE"]
    assert before.value.body["record"] == f"/api/v1/agreements/{agreement}/record"
    assert "before you add records" in before.value.reasons[0]["text"]
    assert [f for f in vault.list_fields(browser.person_id) if f.source] == []
    log = vault.list_events(browser.person_id, kinds=["record_written"])
    assert [(e.payload["outcome"], e.payload["reasons"][0]["code"]) for e in log] == \
        [("refused", "agreement.not_accepted")]

    green.accept(agreement)
    added = green.add_record(agreement, **order)
    assert added["receipt"]["agreement"] == agreement
    assert [f.value for f in vault.list_fields(browser.person_id) if f.source] == ["Cargo bike"]


def test_a_vendor_that_does_not_accept_is_refused_naming_the_agreement(server, transport,
                                                                       browser, proffers):
    fast = signing_vendor(server, transport, "FastCars", accepts=[])
    request = fast.start_authorization(REDIRECT, None, scope="data:contact.email "
                                       "purpose:ServiceProvision retention:30")
    callback = browser.consent(request.url)
    with pytest.raises(AuthorizationDenied) as refused:
        fast.finish_authorization(request, callback)
    assert refused.value.agreements == ["SD-BASE"]
    assert "SD-BASE" in refused.value.description
    assert fast.agreements() == []  # nothing was made, nothing can be read


def test_a_vendor_that_refuses_the_record_gets_nothing(server, transport, browser, proffers):
    fast = signing_vendor(server, transport, "FastCars")  # published nothing: it may answer
    person = connect(fast, browser)
    agreement = person.me()["agreement"]
    answer = fast.refuse(agreement)
    assert answer["status"] == "refused" and "SD-BASE" in answer["error_description"]
    with pytest.raises(InvalidToken):  # the agreement ended: its tokens are revoked
        person.data()
    with pytest.raises(AccessRefused) as ended:
        fast.agreement_data(agreement)
    assert ended.value.reasons[0]["code"] == "agreement.ended"
    assert fast.record(agreement)["status"] == "refused"


@pytest.mark.parametrize("forgery", ["other key", "changed record", "not a jws", "alg none",
                                     "another message's typ"])
def test_a_forged_or_wrong_key_acceptance_is_refused(server, transport, browser, proffers,
                                                     forgery):
    green = signing_vendor(server, transport, "GreenWheels")
    person = connect(green, browser)
    agreement = person.me()["agreement"]
    record = green.record(agreement)["record"]
    token = {"other key": lambda: sign(record, new_key()),
             "changed record": lambda: sign({**record, "duties": []} if record["duties"]
                                            else {**record, "agreements": ["SD-BASE-DP"]},
                                            green.signing_key),
             "not a jws": lambda: "x.y.z",
             "another message's typ": lambda: sign(record, green.signing_key, USE_REPORT),
             "alg none": lambda: _unsigned(record)}[forgery]()
    token_url = f"{server}/api/v1/agreements/{agreement}/acceptance"
    answer = requests.post(token_url, json={"jws": token}, timeout=5,
                           headers={"Authorization": f"Bearer {person.tokens.access_token}"})
    assert answer.status_code == 403, answer.text
    assert answer.json()["error"] == "invalid_signature"
    assert "jws" in answer.json()["fields"]
    with pytest.raises(AccessRefused):
        person.data()
    assert green.record(agreement)["status"] == "pending response"


def _unsigned(record: dict) -> str:
    """An "alg": "none" JWS (RFC 7515 section 10.7 forbids accepting it here)."""
    import base64

    def part(value: bytes) -> str:
        return base64.urlsafe_b64encode(value).decode().rstrip("=")

    header = part(json.dumps({"alg": "none"}).encode())
    return f"{header}.{part(json.dumps(record).encode())}."


def test_the_same_signed_record_on_both_sides(server, transport, browser, proffers, app):
    green = signing_vendor(server, transport, "GreenWheels", accepts=["SD-BASE"])
    person = connect(green, browser)
    agreement = person.me()["agreement"]
    green.accept(agreement)
    vendor_record = requests.get(f"{server}/api/v1/agreements/{agreement}/record", timeout=5,
                                 headers={"Authorization": f"Bearer "
                                          f"{person.tokens.access_token}"}).json()
    vendor_receipt = green.receipt(agreement)  # verified with the server's JWKS
    export = app.extensions["custos.vault"].export_person(proffers, app.extensions[
        "custos.clock"]())
    mine = next(a for a in export["agreements"] if a["id"] == agreement)
    assert json.dumps(mine["negotiation"], sort_keys=True) == \
        json.dumps(vendor_record, sort_keys=True)
    assert mine["receipt"]["jws"] == vendor_receipt.jws
    receipt = mine["receipt"]["receipt"]
    jsonschema.validate(receipt, _kantara_schema())
    assert receipt["custos"]["agreements"] == ["SD-BASE"]
    assert receipt["custos"]["vendor_acceptance"] == vendor_record["vendor_jws"]
    assert receipt["custos"]["negotiation_status"] == "accepted"
    _verify_offline(mine["negotiation"], requests.get(f"{server}/oauth/jwks.json", timeout=5)
                    .json(), green.registration["jwks"])


def _verify_offline(doc: dict, custos_jwks: dict, vendor_jwks: dict) -> None:
    """What docs/agreements.md tells either side to do with the two JWK Sets."""
    from joserfc import jws
    from joserfc.jwk import KeySet

    custos, vendor = KeySet.import_key_set(custos_jwks), KeySet.import_key_set(vendor_jwks)
    signed = json.loads(jws.deserialize_compact(doc["custos_jws"], custos).payload)
    accepted = json.loads(jws.deserialize_compact(signed["acceptance"], vendor).payload)
    assert accepted == signed["record"] == doc["record"]


def _served_keys(stack, key: dict) -> str:
    """The vendor's own JWKS on a loopback server of its own; its URL."""
    from flask import Flask, jsonify

    from clients.sdk.myterms import public_jwks
    from tests.oauth.conftest import serving

    keys = Flask("vendor-keys")
    keys.add_url_rule("/jwks.json", view_func=lambda: jsonify(public_jwks(key)))
    return stack.enter_context(serving(keys, threads=1)) + "/jwks.json"


def test_keys_at_a_jwks_uri_are_fetched_through_the_ssrf_checks(server, transport, browser,
                                                                proffers, app):
    import contextlib

    from tests.conftest import configure

    configure(app, issuer=server)  # a server on loopback may fetch from loopback
    key = new_key()
    with contextlib.ExitStack() as stack:
        green = VendorClient.register(server, client_name="GreenWheels",
                                      redirect_uris=[REDIRECT], transport=transport,
                                      signing_key=key, jwks_uri=_served_keys(stack, key))
        assert "jwks" not in green.registration
        person = connect(green, browser)
        assert green.accept(person.me()["agreement"])["status"] == "accepted"
    metadata = green.registration | {"jwks_uri": "https://169.254.169.254/jwks.json"}
    clients = app.extensions["custos.vault"].agreements.clients
    clients.update_metadata(green.client_id, {k: v for k, v in metadata.items()
                                              if k not in ("client_secret", "client_id")})
    other = connect(green, browser)  # the metadata service is never asked: refused closed
    with pytest.raises(AccessRefused) as refused:
        green.accept(other.me()["agreement"])
    assert refused.value.error == "invalid_signature"


def test_a_counter_offer_goes_to_the_person_and_the_vendor_confirms(server, transport, browser,
                                                                   app, clock):
    vault = app.extensions["custos.vault"]
    vault.agreements.terms.save(browser.person_id, adopt(OWN, "SD-BASE-DP"), clock())
    green = signing_vendor(server, transport, "GreenWheels")
    person = connect(green, browser)
    agreement = person.me()["agreement"]
    assert green.counter(agreement, "SD-BASE")["status"] == "counter-offer made"
    with pytest.raises(AccessRefused):
        person.data()
    inbox = browser.session.get(f"{server}/inbox", timeout=5).text
    assert "GreenWheels proposes another agreement" in inbox
    assert "Service delivery only, with portability" in inbox
    answer = browser.form(f"/inbox/counters/{agreement}", {"decision": "agree"}, page="/inbox")
    assert answer.status_code == 302
    assert green.record(agreement)["status"] == "confirmation required"
    done = green.accept(agreement)
    assert done["status"] == "accepted" and done["record"]["agreements"] == ["SD-BASE"]
    assert done["record"]["duties"] == []
    assert person.data().values("address.city") == ["London"]


def test_preflight_and_the_public_document_say_only_which_agreements(server, transport,
                                                                     browser, proffers):
    green = signing_vendor(server, transport, "GreenWheels", accepts=["SD-BASE"])
    person = connect(green, browser)
    green.accept(person.me()["agreement"])
    sub = person.me()["sub"]
    asked = green.proffered(sub)
    assert asked["agreements"] == ["SD-BASE"] and asked["not_accepted"] == []
    assert set(asked) == {"agreements", "texts", "not_accepted"}  # nothing else about her
    again = green.submit_request(sub, Access(purpose="ServiceProvision",
                                             categories=("address.city",), retention_days=30))
    assert again.raw["agreements"] == ["SD-BASE"] and again.status == "approved"
    assert green.record(again.agreement)["status"] == "pending response"  # signed again
    assert green.publish_accepts(["PDC-INTENT"])["accepts"] == ["PDC-INTENT"]
    assert green.proffered(sub)["not_accepted"] == ["SD-BASE"]
    public = requests.get(f"{server}/api/v1/vendors/{green.client_id}/accepts", timeout=5)
    assert public.json()["accepts"] == ["PDC-INTENT"] and public.json()["published"] is True


def answered_ack(vault, browser) -> str:
    """The one acknowledgement a vendor sent, as the vault keeps it."""
    (ack,) = [d.ack for d in vault.agreements.duties.for_person(browser.person_id) if d.ack]
    return ack


def signin(browser) -> None:
    """Sign in again (a session lasts hours; the clock moved days)."""
    answer = browser.form("/signin", {"email": "ada@example.org", "password": PASSWORD})
    assert answer.status_code == 302, answer.text[:300]


def _notices(app, clock) -> list[str]:
    """The signed notices waiting in the outbox, exactly as the server POSTs them."""
    return [n.body for n in app.extensions["custos.vault"].agreements.outbox.due(clock())]


def test_deletion_acknowledged_or_overdue_shows_on_the_persons_pages(server, transport,
                                                                     browser, app, clock):
    configure(app, duty_ack_days=7)  # CUSTOS_DUTY_ACK_DAYS
    vault = app.extensions["custos.vault"]
    vault.agreements.terms.save(browser.person_id,
                                adopt(adopt(OWN, "SD-BASE"), "delete-on-request"), clock())
    hooks = "https://hooks.example/notices"
    green = signing_vendor(server, transport, "GreenWheels", notification_uri=hooks)
    fast = signing_vendor(server, transport, "SlowCars", notification_uri=hooks)
    sessions = {}
    for vendor in (green, fast):
        sessions[vendor] = connect(vendor, browser)
        agreement = sessions[vendor].me()["agreement"]
        assert vendor.accept(agreement)["record"]["duties"] == ["delete-on-request"]
        vendor.report_use(agreement, purpose="Deliver the order",
                          processor=f"{vendor.registration['client_name']} logistics")
        stopped = browser.form(f"/connections/{agreement}/revoke", {},
                               page=f"/connections/{agreement}/revoke")
        assert stopped.status_code == 302
    notices = _notices(app, clock)
    assert len(notices) == 2
    verified = [green.verifier.notification(n, green.client_id) for n in notices
                if green.verifier.verify(n)[1]["aud"] == green.client_id]
    assert verified[0]["duty"] == "delete" and verified[0]["acknowledge"].endswith(
        "/acknowledgement")
    mine = next(n for n in notices if green.verifier.verify(n)[1]["aud"] == green.client_id)
    answered = green.acknowledge(mine)
    assert answered["kind"] == "delete" and answered["acknowledged_at"]

    clock.advance(days=6)
    signin(browser)
    assert "overdue" not in browser.session.get(f"{server}/", timeout=5).text
    clock.advance(days=2)  # past the 7 days configured: SlowCars never answered
    signin(browser)
    home = browser.session.get(f"{server}/", timeout=5).text
    assert "1 vendor answer overdue" in home
    page = browser.session.get(f"{server}/connections", timeout=5).text
    slow = page[page.index("SlowCars"):]
    assert "<strong>overdue</strong> since" in slow and "Deletions confirmed: 0 of 1" in slow
    good = page[page.index("GreenWheels"):page.index("SlowCars")] \
        if page.index("GreenWheels") < page.index("SlowCars") else page[page.index("GreenWheels"):]
    assert "confirmed on" in good and "Deletions confirmed: 1 of 1" in good
    assert "said it used your data for “Deliver the order”" in good
    log = vault.list_events(browser.person_id, kinds=["use_reported"])
    assert {e.payload["statement_by"] for e in log} == {"vendor"} and len(log) == 2
    export = vault.export_person(browser.person_id, clock())
    assert sorted(d["acknowledged_at"] is not None for d in export["duties"]) == [False, True]
    assert all(d["notice"] in notices for d in export["duties"])
    # Every signed record is in her export: both signatures of each agreement, each receipt,
    # each notice and answer, each use report.
    text = json.dumps(export)
    signed = [e.payload["jws"] for e in log] + notices + [answered_ack(vault, browser)]
    for vendor in (green, fast):
        for agreement in vendor.agreements():
            view = vendor.record(agreement.id)
            signed += [view["vendor_jws"], view["custos_jws"], vendor.receipt(agreement.id).jws]
    assert len(signed) == 11 and all(token and token in text for token in signed)


def test_forged_acknowledgements_and_use_reports_are_refused(server, transport, browser,
                                                             proffers, app, clock):
    green = signing_vendor(server, transport, "GreenWheels",
                           notification_uri="https://hooks.example/n")
    person = connect(green, browser)
    agreement = person.me()["agreement"]
    green.accept(agreement)
    forger = VendorClient(server, green.client_id, green.registration["client_secret"],
                          transport=transport, signing_key=new_key())
    with pytest.raises(AccessRefused) as refused:
        forger.report_use(agreement, purpose="x", processor="y")
    assert refused.value.error == "invalid_signature"
    browser.form(f"/connections/{agreement}/revoke", {}, page=f"/connections/{agreement}/revoke")
    (notice,) = _notices(app, clock)
    with pytest.raises(AccessRefused):
        forger.acknowledge(notice)
    assert app.extensions["custos.vault"].agreements.duties.for_person(
        browser.person_id)[0].acknowledged_at is None


def test_the_consent_screen_says_what_the_person_proffers(server, transport, browser,
                                                         proffers):
    green = signing_vendor(server, transport, "GreenWheels")
    request = green.start_authorization(REDIRECT, None, scope="data:contact.email "
                                        "purpose:ServiceProvision retention:30")
    page = browser.session.get(request.url, timeout=5).text
    assert "You offer GreenWheels your agreement" in page and "Service delivery only" in page
    assert "Nothing leaves until GreenWheels has signed it." in page


def test_portability_the_person_asks_and_the_vendor_gives_her_data_back(server, transport,
                                                                        browser, app, clock):
    vault = app.extensions["custos.vault"]
    vault.agreements.terms.save(browser.person_id, adopt(OWN, "SD-BASE-DP"), clock())
    green = signing_vendor(server, transport, "GreenWheels",
                           notification_uri="https://hooks.example/n")
    person = connect(green, browser)
    agreement = person.me()["agreement"]
    assert green.accept(agreement)["record"]["duties"] == ["portability"]
    page = browser.session.get(f"{server}/connections", timeout=5).text
    assert "Ask GreenWheels for my data back" in page
    asked = browser.form(f"/connections/{agreement}/portability", {}, page="/connections")
    assert asked.status_code == 302
    (notice,) = _notices(app, clock)
    verified = green.verify_notification(notice)
    assert verified["type"] == "portability_requested" and verified["duty"] == "portability"
    with pytest.raises(InvalidRequest) as empty:
        green.acknowledge(verified)  # an answer without the data is not an answer
    assert "data" in str(empty.value)
    held = {"orders": [{"id": "A-17", "city": "London"}]}
    green.acknowledge(verified, data=held)
    page = browser.session.get(f"{server}/connections", timeout=5).text
    assert "for your data back:\n      returned on" in page
    link = f"/connections/returns/{verified['jti']}.json"
    assert link in page
    assert browser.session.get(server + link, timeout=5).json() == held
    other = Browser(server)
    other.signup("bob@example.org", PASSWORD)
    assert other.session.get(server + link, timeout=5).status_code == 404  # hers only


def test_delete_on_request_keeps_the_agreement_and_expects_a_signed_answer(
        server, transport, browser, app, clock):
    vault = app.extensions["custos.vault"]
    vault.agreements.terms.save(browser.person_id, adopt(OWN, "delete-on-request"), clock())
    green = signing_vendor(server, transport, "GreenWheels",
                           notification_uri="https://hooks.example/n")
    person = connect(green, browser)
    agreement = person.me()["agreement"]
    green.accept(agreement)
    page = browser.session.get(f"{server}/connections", timeout=5).text
    assert "Ask GreenWheels to delete what it holds" in page
    asked = browser.form(f"/connections/{agreement}/deletion", {}, page="/connections")
    assert asked.status_code == 302
    (notice,) = _notices(app, clock)
    verified = green.verify_notification(notice)
    assert (verified["type"], verified["duty"]) == ("deletion_requested", "delete")
    assert person.data().values("address.city") == ["London"]  # the agreement goes on
    green.acknowledge(verified)
    page = browser.session.get(f"{server}/connections", timeout=5).text
    assert "to delete your data:\n      confirmed on" in page
    assert "Deletions confirmed: 1 of 1." in page
