"""Hostile input gets a 400 that says what is wrong (the quick cases; test_hostile_input.py
sends every hostile case to every route on both backends)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from api import untrusted
from tests.oauth.conftest import Flow, Vendors
from tests.oauth.test_person_vendor import bearer, butler, vendor_token


@pytest.mark.parametrize("text, words", [
    ("[" * 100_000 + "]" * 100_000, "nested more than 32 levels deep"),
    ('{"a":' * 40 + "1" + "}" * 40, "nested more than 32 levels deep"),
    ('{"rules": [{"label": "a\\u0000b"}]}', "rules[0].label holds a NUL character"),
    ('{"text": "\\ud800"}', "text holds an unpaired surrogate"),
    ('{"\\u0000": 1}', "a member name in the JSON holds a NUL character"),
])
def test_untrusted_json_is_refused_with_a_reason(text, words):
    with pytest.raises(untrusted.JSONRefused, match=words.replace("[", r"\[")):
        untrusted.loads(text)


def test_json_within_the_limit_is_read():
    text = '{"a":' * 31 + "[1]" + "}" * 31
    assert untrusted.loads(text) is not None and untrusted.loads('"\u00e9\U0001f984"')


@pytest.fixture
def me(auth, client):
    auth.signup()
    return butler(Vendors(client), Flow(client))["access_token"]


def test_a_deep_json_body_is_a_400_naming_the_problem(client, me):
    deep = "[" * 50_000 + "]" * 50_000
    response = client.put("/api/v1/person/terms", data=deep, headers=bearer(me),
                          content_type="application/json")
    assert response.status_code == 400
    assert "nested more than 32 levels deep" in response.get_json()["error_description"]
    registered = client.post("/oauth/register", data=deep, content_type="application/json")
    assert registered.status_code == 400 and registered.is_json


@pytest.mark.parametrize("path", ["/data/a%00b", "/intents/%00", "/receipts/%00.json"])
def test_a_nul_in_a_path_id_is_a_400_naming_it(auth, client, path):
    auth.signup()
    response = client.get(path)
    assert response.status_code == 400
    assert "holds a NUL character" in response.get_data(as_text=True)


def test_a_nul_in_a_query_parameter_is_a_400_naming_it(client, me):
    response = client.get("/api/v1/person/requests?status=a%00", headers=bearer(me))
    assert response.status_code == 400
    assert response.get_json()["fields"] == {"status": ["holds a NUL character"]}


@pytest.mark.parametrize("limit", ["9" * 5000, "\u0663", "\uff11"])
def test_numbers_must_be_ascii_digits_of_sane_length(client, me, limit):
    vendor = Vendors(client).register()
    token = vendor_token(client, vendor)
    response = client.get("/api/v1/intents", query_string={"limit": limit}, headers=bearer(token))
    assert response.status_code == 400 and "limit" in response.get_json()["fields"]


@pytest.mark.parametrize("since", ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00"])
def test_an_out_of_range_time_is_a_400(client, me, since):
    response = client.get("/api/v1/person/log", query_string={"since": since},
                          headers=bearer(me))
    assert response.status_code == 400 and "since" in response.get_json()["fields"]


@pytest.mark.parametrize("name, value", [("scope", "data:contact.email \u0663"),
                                         ("response_type", "c\u00f6de"),
                                         ("redirect_uri", "https://vendor.example/cb\\"),
                                         ("scope", '"quoted"')])
def test_authorize_refuses_parameters_outside_rfc6749_syntax(auth, client, name, value):
    """RFC 6749 Appendix A; never a redirect, as nothing is verified yet."""
    auth.signup()
    vendor = Vendors(client).register()
    url = Flow(client).authorize_url(vendor, challenge="E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw"
                                     "-cM", **{name: value})
    response = client.get(url)
    assert response.status_code == 400 and "Location" not in response.headers
    assert f"{name}: not valid" in response.get_data(as_text=True)


def test_authorize_shows_a_page_for_a_nul_not_json(auth, client):
    """The authorization endpoint is a page a person sees, unlike the rest of /oauth/."""
    auth.signup()
    response = client.get("/oauth/authorize?client_id=a%00b")
    assert response.status_code == 400 and response.mimetype == "text/html"
    assert "client_id: holds a NUL character" in response.get_data(as_text=True)


def test_deep_authorization_details_are_invalid_authorization_details(auth, client):
    auth.signup()
    vendor = Vendors(client).register()
    deep = "[" * 50_000 + "]" * 50_000
    url = Flow(client).authorize_url(vendor, scope="", challenge="x" * 43,
                                     authorization_details=deep)
    response = client.get(url)
    assert response.status_code == 302
    error = parse_qs(urlsplit(response.headers["Location"]).query)
    assert error["error"] == ["invalid_authorization_details"]


def test_a_vendors_odd_value_in_an_error_stays_in_rfc6749_characters(client, me):
    """RFC 6749 section 5.2: error_description is printable ASCII without " and \\."""
    vendor = Vendors(client).register()
    token = vendor_token(client, vendor)
    details = [{"type": "custos_data_access", "purpose": "\U0001f984\"\\",
                "categories": ["contact.email"]}]
    response = client.post("/api/v1/requests", headers=bearer(token),
                           json={"subject": "x", "authorization_details": details})
    assert response.status_code == 400
    assert all(0x20 <= ord(c) <= 0x7e and c not in '"\\'
               for c in response.get_json()["error_description"])


@pytest.mark.parametrize("header", ["Basic ", "Basic", "Bearer  ", "Basic AHg6eQ=="])
def test_a_malformed_basic_header_is_invalid_client(client, header):
    response = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                           headers={"Authorization": header})
    assert response.status_code in (400, 401)
    assert response.get_json()["error"] == "invalid_client"


def test_try_request_with_a_candidate_that_is_not_an_object(auth, client):
    from tests.conftest import csrf_token

    auth.signup()
    token = csrf_token(client.get("/terms"))
    for candidate in ("[]", "-1", "null", json.dumps("text")):
        response = client.post("/terms/try", data={"candidate": candidate, "csrf_token": token})
        assert response.status_code == 400
        assert "could not be read" in response.get_data(as_text=True)
