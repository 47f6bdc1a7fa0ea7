"""The thinnest end-to-end path through the test client: register, consent, token, read."""

from __future__ import annotations

from tests.oauth.conftest import REDIRECT, query


def test_register_authorize_token_read(app, person, vendor, flow):
    tokens = flow.tokens(vendor)
    assert tokens["token_type"].lower() == "bearer"
    assert tokens["refresh_token"]
    assert tokens["authorization_details"][0]["categories"] == ["contact.email", "address.city"]
    response = flow.read(tokens["access_token"])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert {f["category"] for f in body["fields"]} == {"contact.email", "address.city"}
    assert "+44 20 0000" not in response.get_data(as_text=True)
    kinds = [e.kind for e in app.extensions["custos.vault"].list_events(person)]
    assert "grant_changed" in kinds and kinds[-1] == "access_attempted"


def test_authorization_response_carries_iss_and_state(person, vendor, flow):
    from tests.oauth.conftest import pkce

    _, challenge = pkce()
    response = flow.consent(flow.authorize_url(vendor, challenge=challenge))
    params = query(response.headers["Location"])
    assert response.headers["Location"].startswith(REDIRECT + "?")
    assert params["iss"] == "http://localhost" and params["state"] == "xyz"


def test_a_failure_after_consent_leaves_no_agreement(app, person, vendor, flow, client):
    """The agreement, its receipt and the code are made in one transaction (issue 9 item 10):
    a real database failure while saving the code (a trigger refusing the INSERT) must not
    leave a live agreement without a code behind."""
    from tests.oauth.conftest import pkce

    vault = app.extensions["custos.vault"]
    with vault.transaction("write") as tx:
        tx.run("CREATE TRIGGER no_codes BEFORE INSERT ON auth_codes "
               "BEGIN SELECT RAISE(ABORT, 'disk full'); END")
    _, challenge = pkce()
    response = flow.consent(flow.authorize_url(vendor, challenge=challenge))
    assert response.status_code == 500 and "disk full" not in response.get_data(as_text=True)
    assert vault.agreements.grants.for_person(person) == []
    with vault.transaction("read") as tx:
        assert tx.all("SELECT id FROM receipts") == []
    kinds = [e.kind for e in vault.list_events(person)]
    assert "grant_changed" not in kinds
