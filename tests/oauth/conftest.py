"""OAuth fixtures: a registered vendor, a signed-in person with data, PKCE and the flow."""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import re
import secrets
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc import jws
from joserfc.jwk import ECKey

from clients.sdk.myterms import new_key, public_jwks, sign
from tests.conftest import csrf_token

#: the test vendors' signing key (its public half registered as `jwks`): each test vendor
#: can accept the person's proffered agreements (docs/agreements.md)
VENDOR_KEY = new_key()
REDIRECT = "https://vendor.example/cb"
SCOPE = "data:contact.email data:address.city purpose:ServiceProvision retention:30"


def pkce() -> tuple[str, str]:
    """(verifier, S256 challenge) per RFC 7636 section 4."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
    return verifier, challenge.decode().rstrip("=")


def query(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}


class Vendors:
    """Registers vendors through RFC 7591."""

    def __init__(self, client) -> None:
        self.client = client

    def register(self, **extra) -> dict:
        body = {"client_name": "Acme Cars", "redirect_uris": [REDIRECT],
                "token_endpoint_auth_method": "client_secret_basic",
                "grant_types": ["authorization_code", "refresh_token", "client_credentials"],
                "contacts": ["privacy@acme.example"], "custos_jurisdiction": "DE",
                "jwks": public_jwks(VENDOR_KEY)}
        body.update(extra)
        body = {k: v for k, v in body.items() if v is not None}
        response = self.client.post("/oauth/register", json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()


@pytest.fixture
def vendors(client) -> Vendors:
    return Vendors(client)


@pytest.fixture
def vendor(vendors) -> dict:
    return vendors.register()


@pytest.fixture
def person(app, auth) -> str:
    """Ada, signed in, with an email, a city and a phone number."""
    auth.signup()
    vault = app.extensions["custos.vault"]
    person = vault.find_person_by_email("ada@example.org")
    clock = app.extensions["custos.clock"]
    vault.add_field(person.id, category="contact.email", name="Email", kind="email",
                    value="ada@example.org", now=clock())
    vault.add_field(person.id, category="address.city", name="City", kind="text",
                    value="London", now=clock())
    vault.add_field(person.id, category="contact.phone", name="Phone", kind="text",
                    value="+44 20 0000", now=clock())
    return person.id


class Flow:
    """Drives the authorization code flow through the test client."""

    def __init__(self, client) -> None:
        self.client = client

    def authorize_url(self, vendor: dict, *, scope: str = SCOPE, challenge: str | None = None,
                      method: str | None = "S256", redirect_uri: str = REDIRECT,
                      state: str = "xyz", **extra) -> str:
        params = {"response_type": "code", "client_id": vendor["client_id"],
                  "redirect_uri": redirect_uri, "scope": scope, "state": state, **extra}
        if challenge is not None:
            params["code_challenge"] = challenge
        if method is not None:
            params["code_challenge_method"] = method
        from urllib.parse import urlencode

        return "/oauth/authorize?" + urlencode(params)

    def consent(self, url: str, *, decision: str = "approve", categories=None, days=None,
                mandates=None):
        page = self.client.get(url)
        assert page.status_code == 200, page.get_data(as_text=True)[:500]
        html = page.get_data(as_text=True)
        if categories is None:
            categories = re.findall(r'name="category" value="([^"]+)"', html)
        if mandates is None:  # the person ticks every mandate offered unless told otherwise
            mandates = re.findall(r'name="mandate" value="([^"]+)"', html)
        form = {"csrf_token": csrf_token(page), "decision": decision, "category": categories,
                "mandate": mandates}
        if days:
            form["days"] = str(days)
        return self.client.post(url, data=form)

    def code(self, vendor: dict, **kw) -> tuple[str, str]:
        """(code, verifier) after the person approves."""
        verifier, challenge = pkce()
        response = self.consent(self.authorize_url(vendor, challenge=challenge, **kw))
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        params = query(response.headers["Location"])
        assert "code" in params, params
        return params["code"], verifier

    def token(self, vendor: dict, **form):
        if "client_secret" not in vendor:  # a public client names itself (RFC 6749 3.2.1)
            return self.client.post("/oauth/token", data={**form,
                                                          "client_id": vendor["client_id"]})
        return self.client.post("/oauth/token", data=form,
                                auth=(vendor["client_id"], vendor["client_secret"]))

    def tokens(self, vendor: dict, **kw) -> dict:
        code, verifier = self.code(vendor, **kw)
        response = self.token(vendor, grant_type="authorization_code", code=code,
                              redirect_uri=REDIRECT, code_verifier=verifier)
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    def read(self, access_token: str):
        return self.client.get("/api/v1/data",
                               headers={"Authorization": f"Bearer {access_token}"})

    def accept(self, access_token: str, key: dict | None = None):
        """The vendor signs the record of the person's proffered agreements (if any) and
        posts the acceptance; None when there was nothing to accept."""
        auth = {"Authorization": f"Bearer {access_token}"}
        refused = self.read(access_token).get_json()
        if refused.get("error") != "agreement_not_accepted":
            return None
        record = self.client.get(refused["record"], headers=auth).get_json()["record"]
        return self.client.post(refused["record"].replace("/record", "/acceptance"),
                                json={"jws": sign(record, key or VENDOR_KEY)}, headers=auth)

    def accepted_read(self, access_token: str):
        """Accept what the person proffers, then read."""
        self.accept(access_token)
        return self.read(access_token)


@pytest.fixture
def flow(client) -> Flow:
    return Flow(client)


@contextlib.contextmanager
def serving(app, threads: int = 4):
    """The app under waitress on a loopback port, in a thread; yields the base URL."""
    from waitress.server import create_server

    srv = create_server(app, host="127.0.0.1", port=0, threads=threads)

    def run():
        try:
            srv.run()
        except (OSError, ValueError):  # the socket map was closed from the test thread
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.effective_port}"
    finally:
        srv.task_dispatcher.shutdown()  # let a worker finish its answer before the socket goes
        for channel in list(srv._map.values()):  # kept-alive connections too, not only the
            channel.close()  # listener: an unclosed socket warns later, in another test
        thread.join(timeout=5)


# DPoP (RFC 9449): a client's key and its bound tokens, for test_dpop*.py
TOKEN = "http://localhost/oauth/token"


class Key:
    """A client's DPoP key that can also make broken proofs."""

    def __init__(self) -> None:
        self.key = ECKey.generate_key("P-256", private=True)
        self.jkt = self.key.thumbprint()

    def proof(self, clock, method="POST", url=TOKEN, *, token=None, header=None, drop=(),
              **claims) -> str:
        body = {"jti": secrets.token_urlsafe(16), "htm": method, "htu": url,
                "iat": int(clock().timestamp())}
        if token is not None:
            body["ath"] = base64.urlsafe_b64encode(
                hashlib.sha256(token.encode()).digest()).decode().rstrip("=")
        body.update(claims)
        for name in drop:
            body.pop(name)
        head = {"typ": "dpop+jwt", "alg": "ES256", "jwk": self.key.as_dict(private=False),
                **(header or {})}
        return jws.serialize_compact(head, json.dumps(body), self.key, algorithms=["ES256"])


@pytest.fixture
def key() -> Key:
    return Key()


def redeem(client, flow, vendor, clock, key=None, **kw):
    """The code flow's token request, with a proof by `key` when given."""
    code, verifier = flow.code(vendor, **kw)
    return token_request(client, vendor, {"grant_type": "authorization_code", "code": code,
                                          "redirect_uri": REDIRECT, "code_verifier": verifier},
                         key.proof(clock) if key else None)


def token_request(client, vendor, form, proof=None, **headers):
    if proof is not None:
        headers["DPoP"] = proof
    if "client_secret" not in vendor:
        return client.post("/oauth/token", data={**form, "client_id": vendor["client_id"]},
                           headers=headers)
    return client.post("/oauth/token", data=form, headers=headers,
                       auth=(vendor["client_id"], vendor["client_secret"]))


@pytest.fixture
def bound(client, flow, vendor, person, clock, key) -> dict:
    """DPoP-bound tokens of a confidential vendor."""
    answer = redeem(client, flow, vendor, clock, key)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()
