"""Scopes: the granted scope is returned (RFC 6749 section 3.3) and never stored in plaintext
beside the person, since `data:<category>` names the person's data."""

from __future__ import annotations

from tests.oauth.conftest import REDIRECT, SCOPE, pkce, query


def test_narrowed_consent_returns_the_granted_scope_and_stores_none(app, person, vendor, flow,
                                                                     client):
    verifier, challenge = pkce()
    answer = flow.consent(flow.authorize_url(vendor, challenge=challenge),
                          categories=["address.city"])
    code = query(answer.headers["Location"])["code"]
    token = flow.token(vendor, grant_type="authorization_code", code=code,
                       redirect_uri=REDIRECT, code_verifier=verifier).get_json()
    assert "data:contact.email" in SCOPE  # asked for email and city, the person gave the city
    assert token["scope"].split() == ["data:address.city", "purpose:ServiceProvision",
                                      "retention:30"]
    fresh = flow.token(vendor, grant_type="refresh_token",
                       refresh_token=token["refresh_token"]).get_json()
    assert fresh["scope"] == token["scope"]
    seen = client.post("/oauth/introspect", data={"token": fresh["access_token"]},
                       auth=(vendor["client_id"], vendor["client_secret"])).get_json()
    assert seen["active"] and seen["scope"] == token["scope"]
    with app.extensions["custos.vault"].transaction("read") as tx:
        stored = tx.all("SELECT scope FROM tokens") + tx.all("SELECT scope FROM auth_codes")
    assert stored and all("data:" not in s and "purpose:" not in s for (s,) in stored)
