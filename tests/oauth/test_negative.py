"""The negative cases of issue 4: every one must be refused, and refused the right way."""

from __future__ import annotations

import pytest

from tests.oauth.conftest import REDIRECT, pkce, query


def _error(response) -> dict:
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return query(response.headers["Location"])


def test_missing_code_challenge_is_refused(person, vendor, flow, client):
    params = _error(client.get(flow.authorize_url(vendor, method=None)))
    assert params["error"] == "invalid_request" and "code_challenge" in params["error_description"]
    assert params["iss"] == "http://localhost" and params["state"] == "xyz"


def test_plain_method_is_refused(person, vendor, flow, client):
    verifier, _ = pkce()
    params = _error(client.get(flow.authorize_url(vendor, challenge=verifier, method="plain")))
    assert params["error"] == "invalid_request" and "S256" in params["error_description"]


def test_wrong_verifier_is_refused(person, vendor, flow):
    code, _ = flow.code(vendor)
    wrong, _ = pkce()
    response = flow.token(vendor, grant_type="authorization_code", code=code,
                          redirect_uri=REDIRECT, code_verifier=wrong)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_grant"


def test_verifier_without_challenge_is_refused(app, person, vendor, flow, clock):
    """RFC 9700 section 4.8.2; such a code cannot be made here, so it is planted in the vault."""
    vault = app.extensions["custos.vault"]
    grant = vault.agreements.grants.create(person, vendor["client_id"], {
        "purpose": "ServiceProvision", "categories": ["contact.email"], "terms_version": 0,
        "decided_by": "person"}, expires_at=clock.now.replace(year=2027), now=clock.now)
    vault.agreements.tokens.save_code(
        "planted-code", client_id=vendor["client_id"], person_id=person, grant_id=grant.id,
        redirect_uri=REDIRECT, challenge="", challenge_method="S256", scope="",
        family_id="f", expires_at=clock.now.replace(hour=10))
    verifier, _ = pkce()
    response = flow.token(vendor, grant_type="authorization_code", code="planted-code",
                          redirect_uri=REDIRECT, code_verifier=verifier)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"


def test_code_replay_is_refused_and_revokes_what_it_issued(app, person, vendor, flow):
    code, verifier = flow.code(vendor)
    form = dict(grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
                code_verifier=verifier)
    first = flow.token(vendor, **form).get_json()
    assert flow.read(first["access_token"]).status_code == 200
    again = flow.token(vendor, **form)
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_grant"
    assert flow.read(first["access_token"]).status_code == 401
    refresh = flow.token(vendor, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert refresh.status_code == 400
    kinds = [e.kind for e in app.extensions["custos.vault"].list_events(person)]
    assert "token_reuse_detected" in kinds


def test_expired_code_is_refused(person, vendor, flow, clock):
    code, verifier = flow.code(vendor)
    clock.advance(minutes=11)
    response = flow.token(vendor, grant_type="authorization_code", code=code,
                          redirect_uri=REDIRECT, code_verifier=verifier)
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_grant"


def test_refresh_rotates_and_reuse_revokes_the_family(person, vendor, flow):
    first = flow.tokens(vendor)
    second = flow.token(vendor, grant_type="refresh_token",
                        refresh_token=first["refresh_token"]).get_json()
    assert second["refresh_token"] != first["refresh_token"]
    assert flow.read(second["access_token"]).status_code == 200
    reuse = flow.token(vendor, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert reuse.status_code == 400 and reuse.get_json()["error"] == "invalid_grant"
    assert flow.read(second["access_token"]).status_code == 401
    newest = flow.token(vendor, grant_type="refresh_token", refresh_token=second["refresh_token"])
    assert newest.status_code == 400


@pytest.mark.parametrize("redirect_uri", ["https://evil.example/cb", REDIRECT + "/",
                                          REDIRECT + "?x=1", "https://VENDOR.example/cb"])
def test_wrong_redirect_uri_gets_a_page_not_a_redirect(person, vendor, flow, client,
                                                       redirect_uri):
    _, challenge = pkce()
    response = client.get(flow.authorize_url(vendor, challenge=challenge,
                                             redirect_uri=redirect_uri))
    assert response.status_code == 400 and "Location" not in response.headers
    assert response.mimetype == "text/html"


def test_unknown_client_gets_a_page_not_a_redirect(person, flow, client):
    _, challenge = pkce()
    response = client.get(flow.authorize_url({"client_id": "cus_nobody"}, challenge=challenge))
    assert response.status_code == 400 and "Location" not in response.headers
    assert "The client does not exist" in response.get_data(as_text=True)


def test_revoked_token_introspects_inactive(person, vendor, flow, client):
    tokens = flow.tokens(vendor)
    auth = (vendor["client_id"], vendor["client_secret"])
    live = client.post("/oauth/introspect", data={"token": tokens["access_token"]}, auth=auth)
    assert live.get_json()["active"] is True and live.get_json()["sub"]
    client.post("/oauth/revoke", data={"token": tokens["access_token"],
                                       "token_type_hint": "refresh_token"}, auth=auth)
    dead = client.post("/oauth/introspect", data={"token": tokens["access_token"]}, auth=auth)
    assert dead.get_json() == {"active": False}


def test_another_vendor_cannot_introspect_a_token(person, vendors, vendor, flow, client):
    tokens = flow.tokens(vendor)
    other = vendors.register(client_name="Other")
    response = client.post("/oauth/introspect", data={"token": tokens["access_token"]},
                           auth=(other["client_id"], other["client_secret"]))
    assert response.get_json() == {"active": False}


def test_token_response_is_not_cached(person, vendor, flow):
    code, verifier = flow.code(vendor)
    response = flow.token(vendor, grant_type="authorization_code", code=code,
                          redirect_uri=REDIRECT, code_verifier=verifier)
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_no_implicit_and_no_password_grant(person, vendor, flow, client):
    response = client.get(flow.authorize_url(vendor, response_type="token"))
    assert response.status_code in (302, 400)
    if response.status_code == 302:
        assert query(response.headers["Location"])["error"] == "unsupported_response_type"
    password = flow.token(vendor, grant_type="password", username="a", password="b")
    assert password.get_json()["error"] == "unsupported_grant_type"
