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


def test_a_generic_rfc7591_client_works_unmodified(server, monkeypatch, app, clock):
    """A body as a third-party library sends it (standard fields Custos does not use, a
    software statement, a language-tagged name, extensions) registers (RFC 7591 section 2);
    a native-app redirect on an ephemeral loopback port matches (RFC 8252 section 7.3); a
    narrower refresh narrows what the token reads (RFC 6749 section 6)."""
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on loopback only
    monkeypatch.setenv("OAUTHLIB_RELAX_TOKEN_SCOPE", "1")  # the library's switch for 3.3
    meta = requests.get(server + "/.well-known/oauth-authorization-server").json()
    reg = requests.post(meta["registration_endpoint"], json={
        "client_name": "Generic CRM", "client_name#de": "Generisches CRM",
        "redirect_uris": ["http://127.0.0.1/callback"], "application_type": "native",
        "token_endpoint_auth_method": "client_secret_basic", "response_types": ["code"],
        "grant_types": ["authorization_code", "refresh_token"],
        "client_uri": "https://crm.example/", "logo_uri": "https://crm.example/logo.png",
        "tos_uri": "https://crm.example/tos", "policy_uri": "https://crm.example/privacy",
        "jwks_uri": "https://crm.example/jwks.json", "contacts": ["dpo@crm.example"],
        "software_id": "4NRB1-0XZABZI9E6-5SM3R", "software_version": "2.1",
        "software_statement": "eyJhbGciOiJSUzI1NiJ9.eyJzb2Z0d2FyZV9pZCI6IjEifQ.c2ln",
        "default_max_age": 3600, "x_crm_tenant": {"id": 42}})
    assert reg.status_code == 201, reg.text
    registered = reg.json()
    assert registered["tos_uri"] == "https://crm.example/tos" and "x_crm_tenant" not in registered

    browser = _browser(server)
    vault = app.extensions["custos.vault"]
    ada = vault.find_person_by_email("ada@example.org")
    for category, value in (("contact.email", "ada@example.org"), ("address.city", "London")):
        vault.add_field(ada.id, category=category, name=category, kind="text", value=value,
                        now=clock())

    scope = ["data:contact.email", "data:address.city", "purpose:ServiceProvision"]
    vendor = OAuth2Session(registered["client_id"], scope=scope, pkce="S256",
                           redirect_uri="http://127.0.0.1:53682/callback")
    url, _ = vendor.authorization_url(meta["authorization_endpoint"])
    consent = browser.get(url)
    assert consent.status_code == 200, consent.text[:300]
    answer = browser.post(url, data={"csrf_token": _csrf(consent.text), "decision": "approve",
                                     "category": ["contact.email", "address.city"]},
                          allow_redirects=False)
    assert answer.headers["Location"].startswith("http://127.0.0.1:53682/callback?")
    auth = (registered["client_id"], registered["client_secret"])
    token = vendor.fetch_token(meta["token_endpoint"], authorization_response=answer.headers[
        "Location"], client_secret=registered["client_secret"])
    fields = vendor.get(server + "/api/v1/data").json()["fields"]
    assert {f["category"] for f in fields} == {"contact.email", "address.city"}

    vendor.scope = ["data:address.city"]  # the library sends its scope with a refresh
    narrow = vendor.refresh_token(meta["token_endpoint"], auth=auth)
    assert narrow["scope"] == ["data:address.city", "purpose:ServiceProvision"]
    assert narrow["refresh_token"] != token["refresh_token"]
    fields = vendor.get(server + "/api/v1/data").json()["fields"]
    assert [f["value"] for f in fields] == ["London"]
    seen = requests.post(meta["introspection_endpoint"], auth=auth,
                         data={"token": narrow["access_token"]}).json()
    assert seen["scope"] == "data:address.city purpose:ServiceProvision"
