"""The fast read (api/resource/fastread.py) answers exactly as Flask's route would.

Each case sends the same request twice: once through the app as it runs (the fast read in
front) and once straight to Flask's route (the middleware stepped around), and compares status,
headers and body. A spy on the route shows which way each answer came.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from api.resource.fastread import FastRead, bearer
from api.services.person_actions import revoke_grant
from tests.conftest import configure, save_terms

ROUTE = "resource_data.read_data"
ONCE_A_DAY = {"default": "ask", "rules": [
    {"id": "once-a-day", "effect": "permit", "purposes": ["ServiceProvision"],
     "categories": ["contact", "address"], "frequency": {"max": 1, "per": "day"}}]}


@pytest.fixture
def routed(app, monkeypatch) -> list[str]:
    """Counts the requests Flask's route answered."""
    calls: list[str] = []
    view = app.view_functions[ROUTE]

    def spy(*args, **kwargs):
        calls.append("flask")
        return view(*args, **kwargs)

    monkeypatch.setitem(app.view_functions, ROUTE, spy)
    return calls


def both(app, client, token: str | None = None, **kw):
    """(the answer as the app gives it, the answer of Flask's route) to one request."""
    if token is not None:
        kw.setdefault("headers", {"Authorization": f"Bearer {token}"})
    fast = client.get("/api/v1/data", **kw)
    middleware = app.wsgi_app
    assert isinstance(middleware, FastRead)
    app.wsgi_app = middleware.flask_wsgi
    try:
        slow = client.get("/api/v1/data", **kw)
    finally:
        app.wsgi_app = middleware
    return fast, slow


def same(fast, slow) -> None:
    assert fast.status_code == slow.status_code
    assert sorted(fast.headers.items()) == sorted(slow.headers.items())
    assert fast.get_data() == slow.get_data()


def test_an_allowed_read_is_the_same_and_skips_flask(app, person, vendor, flow, client, routed):
    access = flow.tokens(vendor)["access_token"]
    flow.accept(access)
    fast, slow = both(app, client, access)
    same(fast, slow)
    assert fast.status_code == 200 and {f["category"] for f in fast.get_json()["fields"]} == {
        "contact.email", "address.city"}
    assert fast.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in fast.headers  # plain HTTP here
    assert routed == ["flask"]  # only the second one went through the route
    log = app.extensions["custos.vault"].list_events(person, kinds=["access_attempted"])
    assert [e.payload["outcome"] for e in log][-2:] == ["allowed", "allowed"]


def test_over_https_both_send_hsts(app, person, vendor, flow, client, routed):
    access = flow.tokens(vendor)["access_token"]
    flow.accept(access)
    fast, slow = both(app, client, access, base_url="https://localhost")
    same(fast, slow)
    assert fast.headers["Strict-Transport-Security"].startswith("max-age=")


def test_unknown_empty_and_ended_tokens_are_refused_alike(app, person, vendor, flow, client,
                                                          routed):
    for token in ("no-such-token", "x" * 5000, "\u0663\u0664"):
        fast, slow = both(app, client, token)
        same(fast, slow)
        assert fast.status_code == 401 and 'error="invalid_token"' in \
            fast.headers["WWW-Authenticate"]
    access = flow.tokens(vendor)["access_token"]
    flow.accept(access)
    agreement = flow.read(access).get_json()["agreement"]
    revoke_grant(app.extensions["custos.vault"], person, agreement, actor="person",
                 now=app.extensions["custos.clock"](), issuer="http://localhost", mail=None)
    fast, slow = both(app, client, access)
    same(fast, slow)
    assert fast.status_code == 401
    assert routed == ["flask"] * 4


def test_a_token_bound_to_a_dpop_key_is_refused_as_bearer_alike(app, person, vendor, flow,
                                                                 client):
    """RFC 9449 section 7.2: a bound token MUST NOT be accepted as a bearer token."""
    access = flow.tokens(vendor)["access_token"]
    flow.accept(access)
    agreement = flow.read(access).get_json()["agreement"]
    vault, now = app.extensions["custos.vault"], app.extensions["custos.clock"]()
    bound = "bound-" + uuid.uuid4().hex
    vault.agreements.tokens.save(access=bound, refresh=None, client_id=vendor["client_id"],
                                 person_id=person, grant_id=agreement,
                                 family_id=uuid.uuid4().hex, scope="", now=now,
                                 access_ttl=timedelta(hours=1), jkt="A" * 43)
    fast, slow = both(app, client, bound)
    same(fast, slow)
    assert fast.status_code == 401 and "bound to a DPoP key" in fast.get_json()[
        "error_description"]


def test_a_read_the_terms_refuse_is_logged_once_a_request_alike(app, person, vendor, flow,
                                                               client, routed):
    save_terms(client, ONCE_A_DAY)
    access = flow.tokens(vendor)["access_token"]
    flow.accept(access)  # reads once, and the one read a day is spent
    routed.clear()
    fast, slow = both(app, client, access)
    same(fast, slow)
    assert fast.status_code == 403 and fast.get_json()["error"] == "access_refused"
    log = app.extensions["custos.vault"].list_events(person, kinds=["access_attempted"])
    assert [e.payload["outcome"] for e in log][-2:] == ["refused", "refused"]
    assert len(routed) == 1


def test_the_rate_limit_counts_fast_reads_too(app, person, vendor, flow, client, routed):
    access = flow.tokens(vendor)["access_token"]
    flow.accept(access)
    configure(app, api_rate_limit="3 per minute")
    answers = [flow.read(access) for _ in range(4)]  # a new limit: a new window
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[-1].headers["Retry-After"]
    fast, slow = both(app, client, access)
    same(fast, slow)
    assert fast.status_code == 429


def test_an_unexpected_failure_is_the_apps_500_alike(app, person, vendor, flow, client,
                                                     monkeypatch):
    access = flow.tokens(vendor)["access_token"]
    flow.accept(access)

    def broken(*args, **kwargs):
        raise RuntimeError("ada@example.org")  # a message that must never reach the vendor

    monkeypatch.setattr("api.resource.data.release", broken)
    fast, slow = both(app, client, access)
    same(fast, slow)
    assert fast.status_code == 500 and fast.get_json()["error"] == "server_error"
    assert "ada@" not in fast.get_data(as_text=True)


@pytest.mark.parametrize("environ", [
    {"REQUEST_METHOD": "POST"},
    {"REQUEST_METHOD": "HEAD"},
    {"QUERY_STRING": "a=1"},
    {"PATH_INFO": "/api/v1/data/"},
    {"HTTP_AUTHORIZATION": "DPoP abc"},
    {"HTTP_AUTHORIZATION": "Bearer "},
    {"HTTP_AUTHORIZATION": "Basic abc"},
    {"HTTP_AUTHORIZATION": None},
])
def test_every_other_request_is_left_to_flask(environ):
    base = {"REQUEST_METHOD": "GET", "PATH_INFO": "/api/v1/data", "QUERY_STRING": "",
            "HTTP_AUTHORIZATION": "Bearer abc"}
    assert bearer(base) == "abc"
    changed = {k: v for k, v in (base | environ).items() if v is not None}
    assert bearer(changed) is None


def test_those_requests_get_flasks_answer(app, person, vendor, flow, client, routed):
    access = flow.tokens(vendor)["access_token"]
    flow.accept(access)
    routed.clear()
    assert client.get("/api/v1/data?x=1",
                      headers={"Authorization": f"Bearer {access}"}).status_code == 200
    assert client.get("/api/v1/data").status_code == 401
    assert len(routed) == 2
