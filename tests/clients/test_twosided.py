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

from clients.sdk import AccessRefused, AuthorizationDenied, InvalidToken, VendorClient
from clients.sdk.myterms import new_key, sign
from policies.agreements import adopt
from tests.clients.conftest import REDIRECT, connect
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

    done = green.accept(agreement)
    assert done["status"] == "accepted" and done["record"]["agreements"] == ["SD-BASE"]
    assert done["record"]["duties"] == [] and done["record"]["aud"] == green.client_id
    assert person.data().values("contact.email") == ["ada@example.org"]


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


@pytest.mark.parametrize("forgery", ["other key", "changed record", "not a jws", "alg none"])
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
