"""DPoP over real HTTP (requests against waitress on loopback): each MUST and MUST NOT of RFC
9449 that depends on what travels on the wire (the URI the server sees, the headers), beside
the in-process cases of test_dpop.py. The person's consent runs through the test client; the
code is redeemed and the API called over HTTP."""

from __future__ import annotations

import pytest
import requests

from tests.conftest import configure
from tests.oauth.conftest import REDIRECT, Key, serving


@pytest.fixture
def live(app, person, vendor, flow, clock):
    """(base URL, a DPoP-bound token from a code redeemed over HTTP, its key)."""
    key = Key()
    with serving(app) as base:
        code, verifier = flow.code(vendor)
        answer = requests.post(base + "/oauth/token", timeout=10, data={
            "grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "code_verifier": verifier}, auth=(vendor["client_id"], vendor["client_secret"]),
            headers={"DPoP": key.proof(clock, url=base + "/oauth/token")})
        assert answer.status_code == 200, answer.text
        assert answer.json()["token_type"] == "DPoP"  # section 5: MUST
        assert answer.headers["DPoP-Nonce"]  # section 8.2: a nonce to use next
        yield base, answer.json()["access_token"], key


def _get(base: str, token: str, proof: str | None, scheme: str = "DPoP",
         path: str = "/api/v1/data"):
    headers = {"Authorization": f"{scheme} {token}"}
    if proof is not None:
        headers["DPoP"] = proof
    return requests.get(base + path, headers=headers, timeout=10)


def test_a_proof_for_this_request_is_accepted(live, clock):
    base, token, key = live
    answer = _get(base, token, key.proof(clock, "GET", base + "/api/v1/data", token=token))
    assert answer.status_code == 200, answer.text
    assert answer.headers["DPoP-Nonce"]


def test_the_bound_token_as_bearer_is_refused(live):
    """Section 7.2: MUST NOT be accepted as a bearer token."""
    base, token, _ = live
    answer = _get(base, token, None, scheme="Bearer")
    assert answer.status_code == 401
    assert 'error="invalid_token"' in answer.headers["WWW-Authenticate"]


@pytest.mark.parametrize("case", ["replayed", "wrong htu", "wrong host", "wrong htm",
                                  "stale", "no ath", "other key"])
def test_each_broken_proof_is_refused(live, clock, case):
    base, token, key = live
    url = base + "/api/v1/data"
    if case == "replayed":  # section 11.1
        proof = key.proof(clock, "GET", url, token=token)
        assert _get(base, token, proof).status_code == 200
    elif case == "wrong htu":  # section 4.3 step 9
        proof = key.proof(clock, "GET", base + "/api/v1/me", token=token)
    elif case == "wrong host":
        proof = key.proof(clock, "GET", url.replace("127.0.0.1", "localhost"), token=token)
    elif case == "wrong htm":  # step 8
        proof = key.proof(clock, "POST", url, token=token)
    elif case == "stale":  # step 11
        proof = key.proof(clock, "GET", url, token=token, iat=int(clock().timestamp()) - 3600)
    elif case == "no ath":  # step 12
        proof = key.proof(clock, "GET", url)
    else:  # step 12: the token's cnf.jkt
        proof = Key().proof(clock, "GET", url, token=token)
    answer = _get(base, token, proof)
    assert answer.status_code == 401, case
    assert answer.json()["error"] == "invalid_dpop_proof", case
    assert answer.headers["WWW-Authenticate"].startswith('DPoP algs="ES256'), case


def test_a_required_nonce_over_http(app, live, clock):
    """Section 9: 401 use_dpop_nonce with a DPoP-Nonce header, then accepted with it."""
    base, token, key = live
    configure(app, dpop_nonce=True)
    url = base + "/api/v1/data"
    first = _get(base, token, key.proof(clock, "GET", url, token=token))
    assert first.status_code == 401
    assert 'error="use_dpop_nonce"' in first.headers["WWW-Authenticate"]
    nonce = first.headers["DPoP-Nonce"]
    assert _get(base, token, key.proof(clock, "GET", url, token=token,
                                       nonce=nonce)).status_code == 200


def test_cors_lets_browser_clients_send_proofs_and_read_nonces(live):
    base, _, _ = live
    answer = requests.options(base + "/oauth/token", timeout=10)
    assert "DPoP" in answer.headers["Access-Control-Allow-Headers"]
    assert "DPoP-Nonce" in answer.headers["Access-Control-Expose-Headers"]
