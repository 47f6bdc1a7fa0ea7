"""RFC MUSTs found missing by outside testing (issue 9 items 3-7): loopback ports, repeated
parameters, introspection's client authentication, the bare Bearer challenge, scopes_supported."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from api.services import details
from policies import vocab
from tests.oauth.conftest import REDIRECT, pkce, query

LOOPBACK = ["http://127.0.0.1/cb", "http://[::1]:8080/cb", "http://localhost:8000/cb"]


@pytest.fixture
def native(vendors) -> dict:
    """A public native app with loopback redirect URIs (RFC 8252 section 7.3)."""
    return vendors.register(client_name="Desktop", redirect_uris=LOOPBACK,
                            token_endpoint_auth_method="none",
                            grant_types=["authorization_code", "refresh_token"])


@pytest.mark.parametrize("requested", ["http://127.0.0.1:51004/cb", "http://127.0.0.1/cb",
                                       "http://[::1]:61023/cb", "http://[::1]/cb"])
def test_loopback_ip_redirects_match_on_any_port(person, native, flow, requested):
    """RFC 8252 section 7.3: the server MUST allow any port for loopback IP redirect URIs."""
    verifier, challenge = pkce()
    answer = flow.consent(flow.authorize_url(native, challenge=challenge, redirect_uri=requested))
    assert answer.status_code == 302 and answer.headers["Location"].startswith(requested + "?")
    code = query(answer.headers["Location"])["code"]
    wrong_port = flow.token(native, grant_type="authorization_code", code=code,
                            redirect_uri="http://127.0.0.1:9/cb", code_verifier=verifier)
    assert wrong_port.status_code == 400  # the token request names the same URI (6749 4.1.3)
    code, verifier = flow.code(native, redirect_uri=requested)
    token = flow.token(native, grant_type="authorization_code", code=code,
                       redirect_uri=requested, code_verifier=verifier)
    assert token.status_code == 200, token.get_json()


@pytest.mark.parametrize("requested", [
    "http://127.0.0.1:51004/other", "http://127.0.0.1:51004/cb?x=1", "https://127.0.0.1:5/cb",
    "http://evil@127.0.0.1:5/cb", "http://127.0.0.1:0/cb", "http://127.0.0.1:/cb",
    "http://[::1]:70000/cb", "http://localhost:9/cb", "http://127.0.0.2:5/cb",
])
def test_only_the_port_is_lenient(person, native, flow, client, requested):
    _, challenge = pkce()
    response = client.get(flow.authorize_url(native, challenge=challenge, redirect_uri=requested))
    assert response.status_code == 400 and "Location" not in response.headers


def test_other_redirects_still_match_exactly(person, vendor, flow, client):
    _, challenge = pkce()
    response = client.get(flow.authorize_url(vendor, challenge=challenge,
                                             redirect_uri="https://vendor.example:8443/cb"))
    assert response.status_code == 400 and "Location" not in response.headers


def test_a_repeated_token_parameter_is_invalid_request(person, vendor, flow):
    """RFC 6749 section 3.2: parameters MUST NOT be included more than once."""
    code, verifier = flow.code(vendor)
    form = [("grant_type", "authorization_code"), ("code", code), ("code", code),
            ("redirect_uri", REDIRECT), ("code_verifier", verifier)]
    twice = flow.client.post("/oauth/token", data=MultiDict(form),
                             auth=(vendor["client_id"], vendor["client_secret"]))
    assert twice.status_code == 400 and twice.get_json()["error"] == "invalid_request"
    assert "code" in twice.get_json()["error_description"]
    once = flow.token(vendor, grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
                      code_verifier=verifier)
    assert once.status_code == 200  # the refused request spent nothing


@pytest.mark.parametrize("path, name", [("/oauth/token", "grant_type"),
                                        ("/oauth/token", "refresh_token"),
                                        ("/oauth/revoke", "token"),
                                        ("/oauth/introspect", "token")])
def test_repeated_parameters_at_every_token_style_endpoint(person, vendor, flow, client, path,
                                                           name):
    tokens = flow.tokens(vendor)
    form = MultiDict([("grant_type", "refresh_token"), ("token", tokens["access_token"]),
                      ("refresh_token", tokens["refresh_token"])])
    form.add(name, form[name])
    response = client.post(path, data=form, auth=(vendor["client_id"], vendor["client_secret"]))
    assert response.status_code == 400 and response.get_json()["error"] == "invalid_request"
    assert flow.read(tokens["access_token"]).status_code == 200


def test_repeated_authorization_details_is_invalid_request(person, vendor, flow, client):
    """RFC 6749 section 3.1: the error goes back to the (verified) redirect URI with state."""
    _, challenge = pkce()
    detail = '[{"type":"custos_data_access","purpose":"ServiceProvision",' \
             '"categories":["contact.email"]}]'
    url = flow.authorize_url(vendor, challenge=challenge, scope="")
    for _ in range(2):
        url += "&authorization_details=" + detail
    response = client.get(url)
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    params = query(response.headers["Location"])
    assert params["error"] == "invalid_request" and "authorization_details" in \
        params["error_description"]
    assert params["state"] == "xyz" and params["iss"] == "http://localhost"


@pytest.mark.parametrize("name", ["client_id", "redirect_uri"])
def test_a_repeated_client_id_or_redirect_uri_gets_a_page(person, vendor, flow, client, name):
    """Until these are verified, the error cannot be redirected (RFC 6749 section 4.1.2.1)."""
    _, challenge = pkce()
    url = flow.authorize_url(vendor, challenge=challenge)
    value = vendor["client_id"] if name == "client_id" else REDIRECT
    response = client.get(f"{url}&{name}={value}")
    assert response.status_code == 400 and "Location" not in response.headers


def test_introspection_refuses_a_public_client(person, native, flow, client):
    """RFC 7662 section 2.1: the endpoint MUST require authorization; a client_id is none."""
    code, verifier = flow.code(native, redirect_uri="http://127.0.0.1:4000/cb")
    tokens = flow.token(native, grant_type="authorization_code", code=code,
                        redirect_uri="http://127.0.0.1:4000/cb", code_verifier=verifier).get_json()
    response = client.post("/oauth/introspect", data={"token": tokens["access_token"],
                                                      "client_id": native["client_id"]})
    assert response.status_code == 401 and response.get_json()["error"] == "invalid_client"
    assert "active" not in response.get_json()
    revoked = client.post("/oauth/revoke", data={"token": tokens["refresh_token"],
                                                 "client_id": native["client_id"]})
    assert revoked.status_code == 200  # RFC 7009 lets a public client revoke its own tokens
    meta = client.get("/.well-known/oauth-authorization-server").get_json()
    assert "none" not in meta["introspection_endpoint_auth_methods_supported"]
    assert "none" in meta["revocation_endpoint_auth_methods_supported"]


def test_introspection_still_works_for_a_confidential_client(person, vendor, flow, client):
    tokens = flow.tokens(vendor)
    response = client.post("/oauth/introspect", data={"token": tokens["access_token"]},
                           auth=(vendor["client_id"], vendor["client_secret"]))
    assert response.get_json()["active"] is True


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic YTpi"},
                                     {"Authorization": "Digest x"}])
def test_no_credentials_gets_a_bare_bearer_challenge(client, headers):
    """RFC 6750 section 3.1: a request without authentication information gets no error code;
    it learns both schemes the API takes (RFC 9449 section 7.1: DPoP with its algorithms)."""
    response = client.get("/api/v1/data", headers=headers)
    assert response.status_code == 401
    challenge = response.headers["WWW-Authenticate"]
    assert challenge.startswith('Bearer realm="custos", DPoP algs="ES256 ')
    assert "error" not in challenge


def test_a_bad_token_still_gets_invalid_token(client):
    response = client.get("/api/v1/data", headers={"Authorization": "Bearer nope"})
    assert response.status_code == 401
    assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_scopes_supported_lists_only_scopes_the_server_accepts(client):
    """RFC 8414 section 2: scope values the server supports, never placeholders."""
    scopes = client.get("/.well-known/oauth-authorization-server").get_json()["scopes_supported"]
    assert scopes and not any("<" in s or ">" in s for s in scopes)
    for scope in scopes:
        if scope.startswith("data:"):
            request = f"{scope} purpose:ServiceProvision"
        elif scope.startswith("purpose:"):
            request = f"data:contact.email {scope}"
        elif scope.startswith("sharing:"):
            request = f"data:contact.email purpose:ServiceProvision {scope}"
        else:
            request = scope
        details.from_scope(request)  # raises InvalidAuthorizationDetails if not accepted
    assert {s[5:] for s in scopes if s.startswith("data:")} == \
        {c.id for c in vocab.categories()}
    assert {"mandate:answer", "vendor", "sharing:none", "sharing:third_party"} <= set(scopes)
    assert "person" not in scopes  # the all-powers scope is gone (issue 13)


def test_every_listed_scope_works_at_the_authorization_endpoint(person, vendor, flow, client):
    scopes = client.get("/.well-known/oauth-authorization-server").get_json()["scopes_supported"]
    purpose = next(s for s in scopes if s.startswith("purpose:"))
    data = [s for s in scopes if s.startswith("data:")][:3]
    _, challenge = pkce()
    page = client.get(flow.authorize_url(vendor, challenge=challenge,
                                         scope=" ".join([*data, purpose, "sharing:none"])))
    assert page.status_code == 200, page.get_data(as_text=True)[:300]
