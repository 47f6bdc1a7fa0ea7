"""DPoP (RFC 9449): each MUST and MUST NOT of the server, at the token endpoint and /api/v1.

Proofs are made here with joserfc, field by field, so each check of section 4.3 can be broken
on its own; the clock is the app's (injected), so `iat` windows are tested without waiting.
The independent client (oauth4webapi) is in test_dpop_oauth4webapi.py.
"""

from __future__ import annotations

import base64
import json

import pytest
from joserfc import jws
from joserfc.jwk import ECKey, OctKey

from api import create_app
from tests.conftest import configure
from tests.oauth.conftest import REDIRECT, TOKEN, Key, pkce, redeem, token_request

DATA = "http://localhost/api/v1/data"


def read(client, token, proof=None, scheme="DPoP"):
    headers = {"Authorization": f"{scheme} {token}"}
    if proof is not None:
        headers["DPoP"] = proof
    return client.get("/api/v1/data", headers=headers)


def test_metadata_names_asymmetric_algorithms_only(client):
    """RFC 9449 section 5.1: dpop_signing_alg_values_supported; never none or an HMAC."""
    algs = client.get("/.well-known/oauth-authorization-server").get_json()[
        "dpop_signing_alg_values_supported"]
    assert "ES256" in algs and "none" not in algs and not any(a.startswith("HS") for a in algs)


def test_a_proof_binds_the_token_and_introspection_shows_the_key(client, bound, key, vendor,
                                                                 clock):
    """Section 5: token_type DPoP MUST be included; 6.2: cnf.jkt in introspection; 7.1: the
    resource accepts the DPoP scheme with a proof carrying ath."""
    assert bound["token_type"] == "DPoP"
    seen = client.post("/oauth/introspect", data={"token": bound["access_token"]},
                       auth=(vendor["client_id"], vendor["client_secret"])).get_json()
    assert seen["cnf"] == {"jkt": key.jkt} and seen["token_type"] == "DPoP"
    token = bound["access_token"]
    answer = read(client, token, key.proof(clock, "GET", DATA, token=token))
    assert answer.status_code == 200, answer.get_json()
    assert "ada@example.org" in json.dumps(answer.get_json())


def test_a_stolen_bound_token_is_refused_as_bearer(client, bound):
    """Section 7.2: a DPoP-bound token presented as a bearer token MUST be refused."""
    answer = read(client, bound["access_token"], scheme="Bearer")
    assert answer.status_code == 401
    assert answer.get_json()["error"] == "invalid_token"


def test_a_stolen_bound_token_is_refused_with_the_thiefs_key(client, bound, clock):
    """Section 4.3 step 12: the proof's key MUST match the token's cnf.jkt."""
    token = bound["access_token"]
    answer = read(client, token, Key().proof(clock, "GET", DATA, token=token))
    assert answer.status_code == 401
    assert answer.get_json()["error"] == "invalid_dpop_proof"
    assert answer.headers["WWW-Authenticate"].startswith("DPoP algs=")


def test_a_bound_token_without_any_proof_is_refused(client, bound):
    answer = read(client, bound["access_token"])
    assert answer.status_code == 401 and answer.get_json()["error"] == "invalid_dpop_proof"


def test_a_replayed_proof_is_refused_at_the_resource(client, bound, key, clock):
    """Section 11.1: a proof's jti is accepted once."""
    token = bound["access_token"]
    proof = key.proof(clock, "GET", DATA, token=token)
    assert read(client, token, proof).status_code == 200
    again = read(client, token, proof)
    assert again.status_code == 401 and "used before" in again.get_json()["error_description"]


def test_a_replayed_proof_is_refused_at_the_token_endpoint(client, flow, vendor, person, clock,
                                                           key):
    proof = key.proof(clock)
    code, verifier = flow.code(vendor)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "code_verifier": verifier}
    assert token_request(client, vendor, form, proof).status_code == 200
    code, verifier = flow.code(vendor)
    again = token_request(client, vendor, {**form, "code": code, "code_verifier": verifier},
                          proof)
    assert again.status_code == 400 and again.get_json()["error"] == "invalid_dpop_proof"


def test_the_replay_cache_is_shared_by_every_process(app, settings, client, bound, key, clock):
    """A proof used at one app process is refused by another on the same store."""
    token = bound["access_token"]
    proof = key.proof(clock, "GET", DATA, token=token)
    assert read(client, token, proof).status_code == 200
    other = create_app(settings, testing=True)
    other.extensions["custos.clock"] = clock
    try:
        assert read(other.test_client(), token, proof).status_code == 401
    finally:
        other.extensions["custos.vault"].close()


BROKEN = {
    "wrong htm": dict(method="POST"),
    "wrong htu": dict(url="http://localhost/api/v1/me"),
    "htu of another host": dict(url="http://evil.example/api/v1/data"),
    "too old": dict(iat_shift=-600),
    "from the future": dict(iat_shift=600),
    "no jti": dict(drop=("jti",)),
    "no iat": dict(drop=("iat",)),
    "no ath": dict(drop=("ath",)),
    "wrong ath": dict(ath="A" * 43),
    "typ not dpop+jwt": dict(header={"typ": "JWT"}),
}


@pytest.mark.parametrize("case", BROKEN)
def test_each_check_of_section_4_3_refuses(client, bound, key, clock, case):
    """RFC 9449 section 4.3: each check on its own refuses the request (MUST)."""
    token = bound["access_token"]
    options = dict(BROKEN[case])
    shift = options.pop("iat_shift", 0)
    method, url = options.pop("method", "GET"), options.pop("url", DATA)
    if shift:
        options["iat"] = int(clock().timestamp()) + shift
    answer = read(client, token, key.proof(clock, method, url, token=token, **options))
    assert answer.status_code == 401, case
    assert answer.get_json()["error"] == "invalid_dpop_proof", case


def test_the_query_is_not_part_of_htu(client, bound, key, clock):
    """Section 4.3 step 9: htu is compared without query and fragment."""
    token = bound["access_token"]
    proof = key.proof(clock, "GET", "http://LOCALHOST:80/api/v1/data", token=token)
    answer = client.get("/api/v1/data?x=1", headers={"Authorization": f"DPoP {token}",
                                                     "DPoP": proof})
    assert answer.status_code == 200, answer.get_json()


def _signed(header: dict, body: dict, key) -> str:
    return jws.serialize_compact(header, json.dumps(body), key, algorithms=[header["alg"]])


def test_symmetric_none_and_private_keys_are_refused(client, clock):
    """Section 4.3 steps 5 and 7: an asymmetric alg, never none; the jwk MUST NOT be private."""
    body = {"jti": "j1", "htm": "POST", "htu": TOKEN, "iat": int(clock().timestamp())}
    secret = OctKey.generate_key(256)
    hmac_proof = _signed({"typ": "dpop+jwt", "alg": "HS256", "jwk": secret.as_dict()}, body,
                         secret)
    ec = ECKey.generate_key("P-256", private=True)
    private = _signed({"typ": "dpop+jwt", "alg": "ES256", "jwk": ec.as_dict(private=True)},
                      body, ec)
    head = base64.urlsafe_b64encode(json.dumps(
        {"typ": "dpop+jwt", "alg": "none", "jwk": ec.as_dict(private=False)}).encode())
    unsigned = head.decode().rstrip("=") + "." + base64.urlsafe_b64encode(
        json.dumps(body).encode()).decode().rstrip("=") + "."
    for proof in (hmac_proof, private, unsigned, "not-a-jwt", ""):
        answer = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                             headers={"DPoP": proof})
        assert answer.status_code == 400, proof
        assert answer.get_json()["error"] == "invalid_dpop_proof", proof


def test_a_bad_signature_is_refused(client, clock, key):
    proof = key.proof(clock)
    head, body, sig = proof.split(".")
    forged = ".".join([head, base64.urlsafe_b64encode(json.dumps(
        {"jti": "x", "htm": "POST", "htu": TOKEN, "iat": int(clock().timestamp())}).encode()
    ).decode().rstrip("="), sig])
    answer = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                         headers={"DPoP": forged})
    assert answer.get_json()["error"] == "invalid_dpop_proof"


def test_two_dpop_headers_are_refused(client, clock, key, vendor):
    """Section 4.3 step 1: not more than one DPoP header."""
    answer = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                         headers=[("DPoP", key.proof(clock)), ("DPoP", key.proof(clock))],
                         auth=(vendor["client_id"], vendor["client_secret"]))
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_dpop_proof"


def test_a_weak_rsa_key_is_refused(client, clock):
    """A 512-bit RSA modulus: joserfc warns, the server refuses (never a 500)."""
    jwk = {"kty": "RSA", "e": "AQAB", "n": base64.urlsafe_b64encode(b"\xc1" * 64).decode()
           .rstrip("=")}
    head = base64.urlsafe_b64encode(json.dumps(
        {"typ": "dpop+jwt", "alg": "RS256", "jwk": jwk}).encode()).decode().rstrip("=")
    answer = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                         headers={"DPoP": head + ".e30.c2ln"})
    assert answer.status_code == 400 and answer.get_json()["error"] == "invalid_dpop_proof"


def test_an_unbound_token_sent_with_the_dpop_scheme_is_refused(client, flow, vendor, person,
                                                               key, clock):
    token = flow.tokens(vendor)["access_token"]
    assert flow.read(token).status_code == 200  # a bearer token still works as before
    answer = read(client, token, key.proof(clock, "GET", DATA, token=token))
    assert answer.status_code == 401 and answer.get_json()["error"] == "invalid_token"


def test_a_code_bound_with_dpop_jkt_needs_that_key(client, flow, vendor, person, key, clock):
    """Section 10: the server MUST check the proof's key against dpop_jkt."""
    code, verifier = flow.code(vendor, dpop_jkt=key.jkt)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "code_verifier": verifier}
    assert token_request(client, vendor, form).get_json()["error"] == "invalid_dpop_proof"
    assert token_request(client, vendor, form, Key().proof(clock)).get_json()["error"] == \
        "invalid_dpop_proof"
    answer = token_request(client, vendor, form, key.proof(clock))
    assert answer.status_code == 200 and answer.get_json()["token_type"] == "DPoP"


def test_a_malformed_dpop_jkt_is_refused(client, flow, vendor, person):
    verifier, challenge = pkce()
    page = client.get(flow.authorize_url(vendor, challenge=challenge, dpop_jkt="short"))
    assert page.status_code == 400 and "dpop_jkt" in page.get_data(as_text=True)


def test_a_client_registered_dpop_bound_must_send_proofs(client, vendors, flow, person, key,
                                                        clock):
    """Section 5.3: dpop_bound_access_tokens makes the server reject requests without one;
    the code is not spent by the refusal."""
    vendor = vendors.register(dpop_bound_access_tokens=True)
    code, verifier = flow.code(vendor)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "code_verifier": verifier}
    refused = token_request(client, vendor, form)
    assert refused.status_code == 400 and refused.get_json()["error"] == "invalid_dpop_proof"
    assert token_request(client, vendor, form, key.proof(clock)).status_code == 200
    own = token_request(client, vendor, {"grant_type": "client_credentials"})
    assert own.get_json()["error"] == "invalid_dpop_proof"


def test_registration_takes_only_a_boolean(client):
    answer = client.post("/oauth/register", json={
        "client_name": "X", "redirect_uris": [REDIRECT], "dpop_bound_access_tokens": "yes"})
    assert answer.status_code == 400 and "dpop_bound_access_tokens" in answer.get_json()["fields"]


@pytest.fixture
def public(vendors) -> dict:
    return vendors.register(client_name="Phone app", token_endpoint_auth_method="none",
                            grant_types=["authorization_code", "refresh_token"])


def test_a_public_clients_refresh_token_is_bound(client, flow, public, person, key, clock):
    """Section 5: a refresh token issued to a public client MUST be bound to the key."""
    tokens = redeem(client, flow, public, clock, key).get_json()
    form = {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
    assert token_request(client, public, form).get_json()["error"] == "invalid_dpop_proof"
    assert token_request(client, public, form, Key().proof(clock)).get_json()["error"] == \
        "invalid_dpop_proof"
    answer = token_request(client, public, form, key.proof(clock))
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["token_type"] == "DPoP"


def test_a_confidential_clients_refresh_token_is_bound_to_its_secret(client, bound, vendor,
                                                                   clock):
    """Section 5: a confidential client's refresh token is not bound to the key; the new
    access token is bound to the key of the refresh request's proof."""
    other = Key()
    answer = token_request(client, vendor, {"grant_type": "refresh_token",
                                            "refresh_token": bound["refresh_token"]},
                           other.proof(clock))
    assert answer.status_code == 200
    seen = client.post("/oauth/introspect", data={"token": answer.get_json()["access_token"]},
                       auth=(vendor["client_id"], vendor["client_secret"])).get_json()
    assert seen["cnf"]["jkt"] == other.jkt


def test_a_required_nonce_is_handed_out_and_then_accepted(app, client, flow, vendor, person,
                                                          key, clock):
    """Sections 8 and 9: use_dpop_nonce with a DPoP-Nonce header; a proof with it passes."""
    configure(app, dpop_nonce=True)
    code, verifier = flow.code(vendor)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "code_verifier": verifier}
    first = token_request(client, vendor, form, key.proof(clock))
    assert first.status_code == 400 and first.get_json()["error"] == "use_dpop_nonce"
    nonce = first.headers["DPoP-Nonce"]
    answer = token_request(client, vendor, form, key.proof(clock, nonce=nonce))
    assert answer.status_code == 200, answer.get_json()
    token = answer.get_json()["access_token"]
    refused = read(client, token, key.proof(clock, "GET", DATA, token=token))
    assert refused.status_code == 401
    assert 'error="use_dpop_nonce"' in refused.headers["WWW-Authenticate"]
    fresh = refused.headers["DPoP-Nonce"]
    assert read(client, token, key.proof(clock, "GET", DATA, token=token,
                                         nonce=fresh)).status_code == 200
    clock.advance(minutes=11)  # two windows later the old nonce is stale
    stale = read(client, token, key.proof(clock, "GET", DATA, token=token, nonce=fresh))
    assert stale.status_code == 401


def test_a_proof_is_accepted_within_its_window_only(client, vendor, key, clock):
    """Section 4.3 step 11, with the injected clock: made 100 s ago passes, 200 s fails."""
    auth = (vendor["client_id"], vendor["client_secret"])
    made = clock.now
    clock.advance(seconds=100)
    ok = client.post("/oauth/token", data={"grant_type": "client_credentials",
                                           "scope": "vendor"},
                     headers={"DPoP": key.proof(lambda: made)}, auth=auth)
    assert ok.status_code == 200 and ok.get_json()["token_type"] == "DPoP"
    clock.advance(seconds=100)
    late = client.post("/oauth/token", data={"grant_type": "client_credentials",
                                             "scope": "vendor"},
                       headers={"DPoP": key.proof(lambda: made)}, auth=auth)
    assert late.get_json()["error"] == "invalid_dpop_proof"


def _raw(header: dict, body: str) -> str:
    part = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
    return part + "." + base64.urlsafe_b64encode(body.encode()).decode().rstrip("=") + ".c2ln"


HOSTILE = ["é", "a,b", "x" * 9000, "a.b.c", "e30.e30.e30", " ", "..",
           _raw({"typ": "dpop+jwt", "alg": "ES256", "jwk": "nope"}, "{}"),
           _raw({"typ": "dpop+jwt", "alg": "ES256", "jwk": {"kty": "EC"}}, "{}"),
           _raw({"typ": ["dpop+jwt"], "alg": {"x": 1}}, "[]")]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_proofs_are_refused_never_a_500(client, bound, value):
    """Bad input: a clear error naming DPoP at both ends, never a 500, nothing changes."""
    at_token = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                           headers={"DPoP": value})
    assert at_token.status_code == 400 and at_token.get_json()["error"] == "invalid_dpop_proof"
    at_api = read(client, bound["access_token"], value)
    assert at_api.status_code == 401 and at_api.get_json()["error"] == "invalid_dpop_proof"


def test_a_nan_or_huge_iat_is_refused(client, key, clock):
    for iat in (float("nan"), float("inf"), 1e300, True, "1"):
        answer = client.post("/oauth/token", data={"grant_type": "client_credentials"},
                             headers={"DPoP": key.proof(clock, iat=iat)})
        assert answer.get_json()["error"] == "invalid_dpop_proof", iat
