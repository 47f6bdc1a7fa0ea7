"""Dynamic registration (RFC 7591): what a generic client sends is accepted, what is kept is
checked, and nothing malformed or oversized gets stored (issue 9 items 1, 10 and 11)."""

from __future__ import annotations

import json

import pytest
from joserfc.jwk import ECKey, OctKey

BASE = {"client_name": "Acme Cars", "redirect_uris": ["https://vendor.example/cb"]}


def _register(client, **fields):
    return client.post("/oauth/register", json={**BASE, **fields})


def _refused(response, field: str) -> dict:
    body = response.get_json()
    assert response.status_code == 400, body
    assert body["error"] in ("invalid_client_metadata", "invalid_redirect_uri")
    assert field in body["fields"] and field in body["error_description"], body
    return body


def _stored(app, client_id: str) -> dict:
    return app.extensions["custos.vault"].agreements.clients.get(client_id).metadata


def test_unknown_and_unsupported_metadata_is_ignored_not_refused(app, client):
    """RFC 7591 section 2: the server MUST ignore metadata it does not understand."""
    response = _register(client, software_statement="eyJhbGciOiJub25lIn0.e30.",
                         default_max_age=3600, require_auth_time=True,
                         **{"client_name#fr": "Acme Voitures", "x_vendor_extension": {"a": 1}})
    assert response.status_code == 201, response.get_json()
    reply = response.get_json()
    for dropped in ("software_statement", "default_max_age", "client_name#fr",
                    "x_vendor_extension", "require_auth_time"):
        assert dropped not in reply and dropped not in _stored(app, reply["client_id"])


def test_standard_metadata_is_kept_and_echoed(app, client):
    """RFC 7591 section 3.2.1: the reply holds every registered field, as stored."""
    key = ECKey.generate_key("P-256").as_dict(private=False)
    kept = {"client_uri": "https://acme.example/", "logo_uri": "https://acme.example/logo.png",
            "tos_uri": "https://acme.example/tos", "policy_uri": "https://acme.example/privacy",
            "contacts": ["privacy@acme.example"], "software_id": "acme-crm",
            "software_version": "4.2.1", "jwks": {"keys": [key]}}
    response = _register(client, **kept)
    assert response.status_code == 201, response.get_json()
    reply = response.get_json()
    stored = _stored(app, reply["client_id"])
    for name, value in kept.items():
        assert reply[name] == value and stored[name] == value
    with_uri = _register(client, jwks_uri="https://acme.example/jwks.json")
    assert with_uri.get_json()["jwks_uri"] == "https://acme.example/jwks.json"


def test_the_client_never_picks_its_own_id_or_secret(app, client):
    response = _register(client, client_id="cus_mine", client_secret="mine",
                         client_id_issued_at=1, client_secret_expires_at=1)
    reply = response.get_json()
    assert response.status_code == 201 and reply["client_id"] != "cus_mine"
    assert reply["client_secret"] != "mine" and reply["client_secret_expires_at"] == 0
    assert app.extensions["custos.vault"].agreements.clients.find("cus_mine") is None
    assert "client_id" not in _stored(app, reply["client_id"])


def test_jwks_and_jwks_uri_together_are_refused(client):
    """RFC 7591 section 2: the two MUST NOT both be present."""
    key = ECKey.generate_key("P-256").as_dict(private=False)
    response = _register(client, jwks={"keys": [key]}, jwks_uri="https://acme.example/jwks")
    _refused(response, "jwks")


@pytest.mark.parametrize("jwks, words", [
    ({"keys": [ECKey.generate_key("P-256").as_dict(private=True)]}, "private"),
    ({"keys": [OctKey.generate_key(256).as_dict()]}, "private"),
    ({"keys": [{"kty": "EC", "crv": "P-256", "x": "AAAA"}]}, "keys[0]"),
    ({"keys": [{"kty": "nonsense"}]}, "keys[0]"),
    ({"keys": []}, "keys"),
    ({"keys": "none"}, "keys"),
    ({"not_keys": 1}, "keys"),
    ([1, 2], "JWK Set"),
    ({"keys": [ECKey.generate_key("P-256").as_dict(private=False)] * 11}, "at most"),
])
def test_jwks_must_be_a_set_of_public_keys(client, jwks, words):
    body = _refused(_register(client, jwks=jwks), "jwks")
    assert words in json.dumps(body["fields"])


@pytest.mark.parametrize("uri", [
    "https://vendor.example/c b", "https://vendor.example/cb\n", "https://vendor.example/cb\t",
    "https://vendor.example/\x00", " https://vendor.example/cb", "https://vendor.example:99999/cb",
    "https://vendor.example:0/cb", "https://vendor.example:http/cb",
    "https://vendor.example;script-src *.evil/cb", "https://vendor.example'/cb",
    "https://vendor.example/%zz", "https://vendor.example/é", "https://ven_dor.example/cb",
    "https://user:pw@vendor.example/cb", "https:///cb", "https://[::1/cb", "https://[zz]/cb",
    "http://vendor.example/cb", "ftp://vendor.example/cb", "javascript:alert(1)",
    "https://vendor.example/cb#frag", "/relative/cb", "", "https://-vendor.example/cb",
    "https://vendor..example/cb", "https://" + "a" * 64 + ".example/cb",
    "https://vendor.example/" + "a" * 2001, None, 5, ["https://vendor.example/cb"],
])
def test_malformed_redirect_uris_are_refused(client, uri):
    """RFC 3986 syntax, a DNS name or IP literal as host, https except on loopback, no fragment
    (RFC 6749 section 3.1.2): nothing malformed can reach a CSP header or a redirect."""
    _refused(_register(client, redirect_uris=[uri]), "redirect_uris")


@pytest.mark.parametrize("field", ["client_uri", "logo_uri", "tos_uri", "policy_uri",
                                   "jwks_uri", "custos_notification_uri"])
@pytest.mark.parametrize("uri", ["https://vendor.example/a b", "http://vendor.example/",
                                 "https://vendor.example:70000/", "https://a;b.example/", 5])
def test_every_uri_field_is_checked(client, field, uri):
    _refused(_register(client, **{field: uri}), field)


@pytest.mark.parametrize("uri", ["https://vendor.example/cb", "https://vendor.example:8443/cb?a=1",
                                 "http://127.0.0.1/cb", "http://127.0.0.1:5000/cb",
                                 "http://[::1]/cb", "http://localhost:8000/cb",
                                 "https://192.0.2.10/cb", "https://xn--bcher-kva.example/cb",
                                 "https://Vendor.Example/c%20b"])
def test_well_formed_redirect_uris_are_kept(client, uri):
    response = _register(client, redirect_uris=[uri])
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["redirect_uris"] == [uri]


@pytest.mark.parametrize("field, value", [
    ("client_name", "x" * 201), ("client_name", "Acme\x00Cars"), ("client_name", ""),
    ("software_id", "s" * 201), ("software_version", "v" * 65), ("scope", "s " * 600),
    ("contacts", ["a@b.example"] * 6), ("contacts", ["x" * 250 + "@b.example"]),
    ("custos_contact_name", "n" * 201), ("custos_phone", "1" * 41),
    ("custos_address", {"streetAddress": "s" * 201}), ("custos_address", {"evil": "x"}),
    ("custos_address", {"streetAddress": {"nested": 1}}),
    ("custos_certifications", ["c"] * 21), ("redirect_uris", ["https://v.example/cb"] * 11),
    ("grant_types", ["authorization_code"] * 4),
])
def test_every_field_has_a_size_limit(client, field, value):
    _refused(_register(client, **{field: value}), field)


def test_stored_metadata_is_capped(client):
    """Each field within its limit can still add up: the stored whole has a cap too."""
    uris = [f"https://vendor.example/{i}/" + "p" * 1900 for i in range(10)]
    body = _refused(_register(client, redirect_uris=uris), "_schema")
    assert "16384" in body["error_description"]


def test_a_megabyte_registration_stores_nothing(app, client):
    before = len(app.extensions["custos.vault"].agreements.clients.all())
    response = _register(client, client_uri="https://vendor.example/" + "a" * 1_000_000)
    assert response.status_code in (400, 413)
    assert len(app.extensions["custos.vault"].agreements.clients.all()) == before




def test_a_malformed_redirect_registered_before_the_checks_is_never_used(app, person, flow,
                                                                        client, clock):
    """A vendor stored before registration was strict keeps its row, but its malformed URI
    cannot reach the consent page's CSP header or a redirect: it matches nothing."""
    from tests.oauth.conftest import pkce

    bad = "https://vendor.example;script-src 'unsafe-inline'/cb"
    record, _ = app.extensions["custos.vault"].agreements.clients.register(
        {"client_name": "Old", "redirect_uris": [bad], "grant_types": ["authorization_code"],
         "token_endpoint_auth_method": "client_secret_basic"}, clock(), confidential=True)
    _, challenge = pkce()
    response = client.get(flow.authorize_url({"client_id": record.client_id},
                                             challenge=challenge, redirect_uri=bad))
    assert response.status_code == 400 and "Location" not in response.headers
    assert "unsafe-inline" not in response.headers.get("Content-Security-Policy", "")
