"""The vendor SDK against a real server on a loopback port: no mocked HTTP."""

from __future__ import annotations

import pytest

from clients.butler.authorize import SCOPE as BUTLER_SCOPE
from clients.sdk import (
    Access,
    AuthorizationDenied,
    CallbackMismatch,
    DPoPKey,
    InvalidToken,
    Tokens,
    VendorClient,
)
from tests.clients.conftest import REDIRECT, connect
from tests.conftest import configure


def test_register_authorize_read_refresh_receipt_revoke(vendor, browser):
    assert vendor.metadata.iss_parameter and vendor.registration["client_secret"]
    saved = []
    person = connect(vendor, browser, on_tokens=saved.append)
    data = person.data()
    assert data.values("contact.email") == ["ada@example.org"]
    assert data.values("address.city") == ["London"] and not data.values("contact.phone")
    assert person.me()["sub"] == data.sub
    first = person.tokens
    assert person.refresh().refresh_token != first.refresh_token
    assert saved[-1] is person.tokens and len(saved) == 2
    assert person.data().agreement == data.agreement
    receipt = vendor.receipt(data.agreement)
    assert receipt.receipt["piiPrincipalId"] == data.sub and receipt.status == "active"
    assert vendor.introspect(person.tokens.access_token)["active"] is True
    person.revoke()
    assert vendor.introspect(person.tokens.access_token) == {"active": False}
    with pytest.raises(InvalidToken):
        person.data()


def test_callback_checks_state_and_issuer(vendor, browser):
    request = vendor.start_authorization(REDIRECT, Access(purpose="ServiceProvision",
                                                          categories=("contact.email",)))
    callback = browser.consent(request.url)
    with pytest.raises(CallbackMismatch) as wrong_state:
        vendor.finish_authorization(request, callback.replace(request.state, "forged"))
    assert wrong_state.value.error == "invalid_state"
    mixed = callback.replace("iss=http", "iss=https")
    with pytest.raises(CallbackMismatch) as wrong_iss:
        vendor.finish_authorization(request, mixed)
    assert wrong_iss.value.error == "invalid_issuer"
    assert vendor.finish_authorization(request, callback).data().values("contact.email")


def test_terms_refusals_carry_the_reasons(server, vendor, browser, transport):
    session = connect(vendor, browser)
    me = person_client(server, browser, transport)
    me.propose_terms({"default": "ask", "rules": [
        {"id": "no-email", "effect": "deny", "categories": ["contact.email", "contact.phone"]}]})
    data = session.data()
    assert data.values("address.city") == ["London"] and not data.values("contact.email")
    assert data.withheld[0]["reasons"][0]["rule"] == "no-email"
    asked = vendor.submit_request(data.sub, Access(purpose="ServiceProvision",
                                                   categories=("contact.phone",)))
    assert asked.status == "denied" and asked.reasons[0]["rule"] == "no-email"
    request = vendor.start_authorization(REDIRECT, Access(purpose="ServiceProvision",
                                                          categories=("contact.email",)))
    with pytest.raises(AuthorizationDenied) as denied:
        vendor.finish_authorization(request, browser.consent(request.url))
    assert denied.value.error == "access_denied" and "terms" in denied.value.description
    me.propose_terms({"default": "ask", "rules": [
        {"id": "nothing", "effect": "deny", "categories": ["address", "contact"]}]})
    with pytest.raises(InvalidToken) as cut:  # every category denied: the agreement is cut
        session.data()
    assert cut.value.status == 401 and cut.value.__cause__.error == "invalid_grant"


def person_client(server, browser, transport):
    from clients.butler import PersonClient
    from clients.sdk.session import TokenSession

    butler = VendorClient.register(server, client_name="Butler", redirect_uris=[REDIRECT],
                                   public=True, transport=transport)
    request = butler.start_authorization(REDIRECT, scope=BUTLER_SCOPE)
    session = butler.finish_authorization(request, browser.consent(request.url))
    assert isinstance(session, TokenSession)
    return PersonClient(session)


@pytest.mark.parametrize("nonce", [False, True], ids=["no-nonce", "nonce-required"])
def test_a_dpop_vendor_reads_refreshes_and_its_tokens_are_useless_without_the_key(
        server, app, browser, transport, clock, nonce):
    """RFC 9449 through the SDK: bound tokens (code bound by dpop_jkt), proofs on every call,
    a server-asked nonce taken and retried once (sections 8 and 9)."""
    configure(app, dpop_nonce=nonce)
    key = DPoPKey(clock=clock)
    vendor = VendorClient.register(server, client_name="Acme Cars", redirect_uris=[REDIRECT],
                                   transport=transport, clock=clock, dpop=key)
    assert vendor.registration["dpop_bound_access_tokens"] is True
    person = connect(vendor, browser)
    assert person.tokens.token_type == "DPoP"
    assert person.data().values("contact.email") == ["ada@example.org"]
    person.refresh()
    assert person.data().values("contact.email") == ["ada@example.org"]
    assert vendor.agreements()  # the vendor's own client-credentials token is bound too
    assert vendor.introspect(person.tokens.access_token)["cnf"] == {"jkt": key.thumbprint}
    thief = VendorClient(server, vendor.client_id, vendor.registration["client_secret"],
                         transport=transport, clock=clock)
    with pytest.raises(InvalidToken):
        thief.session(Tokens(**{**person.tokens.__dict__, "token_type": "Bearer",
                                "refresh_token": None})).data()
