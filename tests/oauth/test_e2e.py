"""End to end with a real third-party client: requests-oauthlib against waitress on loopback.

Register (RFC 7591), authorize with consent, token with PKCE S256, read, refresh, revoke,
refused afterwards; the browser part is a `requests.Session` signing in through the pages.
"""

from __future__ import annotations

import re

import pytest
import requests
from requests_oauthlib import OAuth2Session

from tests.oauth.conftest import query, serving

SCOPE = ["data:contact.email", "purpose:ServiceProvision", "retention:30"]


@pytest.fixture
def server(app):
    with serving(app) as base:
        yield base


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def _browser(base: str) -> requests.Session:
    browser = requests.Session()
    page = browser.get(base + "/signup")
    password = "correct horse battery"
    browser.post(base + "/signup", data={"csrf_token": _csrf(page.text), "email": "ada@example.org",
                                         "password": password, "confirm": password})
    return browser


def test_requests_oauthlib_end_to_end(server, monkeypatch, app, clock):
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on loopback only
    meta = requests.get(server + "/.well-known/oauth-authorization-server").json()
    assert meta["issuer"] == server
    assert meta["code_challenge_methods_supported"] == ["S256"]
    redirect_uri = "http://127.0.0.1/callback"
    reg = requests.post(meta["registration_endpoint"], json={
        "client_name": "Acme", "redirect_uris": [redirect_uri],
        "token_endpoint_auth_method": "client_secret_basic"}).json()

    browser = _browser(server)
    vault = app.extensions["custos.vault"]
    ada = vault.find_person_by_email("ada@example.org")
    vault.add_field(ada.id, category="contact.email", name="Email", kind="email",
                    value="ada@example.org", now=clock())

    vendor = OAuth2Session(reg["client_id"], redirect_uri=redirect_uri, scope=SCOPE, pkce="S256")
    url, state = vendor.authorization_url(meta["authorization_endpoint"])
    consent = browser.get(url)
    assert consent.status_code == 200 and "Acme" in consent.text
    answer = browser.post(url, data={"csrf_token": _csrf(consent.text), "decision": "approve",
                                     "category": "contact.email"}, allow_redirects=False)
    location = answer.headers["Location"]
    assert query(location)["iss"] == server and query(location)["state"] == state

    token = vendor.fetch_token(meta["token_endpoint"], authorization_response=location,
                               client_secret=reg["client_secret"])
    data = vendor.get(server + "/api/v1/data")
    assert data.status_code == 200
    assert data.json()["fields"][0]["value"] == "ada@example.org"

    auth = (reg["client_id"], reg["client_secret"])
    fresh = vendor.refresh_token(meta["token_endpoint"], auth=auth)
    assert fresh["refresh_token"] != token["refresh_token"]
    assert vendor.get(server + "/api/v1/data").status_code == 200

    wrong_hint = {"token": fresh["refresh_token"], "token_type_hint": "access_token"}
    revoked = requests.post(meta["revocation_endpoint"], auth=auth, data=wrong_hint)
    assert revoked.status_code == 200
    after = vendor.get(server + "/api/v1/data")
    assert after.status_code == 401
    assert after.json()["error"] == "invalid_token"
