"""Token, registration and API endpoints answer 429 with Retry-After past their limit."""

from __future__ import annotations

import os

import pytest

from tests.conftest import configure
from tests.oauth.conftest import REDIRECT

REGISTRATION = {"client_name": "Acme", "redirect_uris": [REDIRECT],
                "token_endpoint_auth_method": "client_secret_basic"}


def _limited(responses) -> None:
    *first, last = responses
    assert all(r.status_code != 429 for r in first), [r.status_code for r in first]
    assert last.status_code == 429
    assert int(last.headers["Retry-After"]) > 0
    assert last.get_json()["error"] == "too_many_requests"


@pytest.mark.parametrize("variable, call", [
    ("CUSTOS_TOKEN_RATE_LIMIT",
     lambda c: c.post("/oauth/token", data={"grant_type": "client_credentials"})),
    ("CUSTOS_REGISTRATION_RATE_LIMIT", lambda c: c.post("/oauth/register", json=REGISTRATION)),
    ("CUSTOS_API_RATE_LIMIT",
     lambda c: c.get("/api/v1/me", headers={"Authorization": "Bearer nothing"})),
])
def test_429_with_retry_after_past_the_limit(tmp_path, variable, call):
    """Each limit is set the way an operator sets it: in the environment."""
    from api import create_app
    from api.config import from_env

    app = create_app(from_env({"CUSTOS_HOME": str(tmp_path), variable: "3 per minute"}),
                     testing=True)
    try:
        _limited([call(app.test_client()) for _ in range(4)])
    finally:
        app.extensions["custos.vault"].close()


def test_the_api_limit_counts_per_address(app, client):
    configure(app, api_rate_limit="2 per minute")
    here = [client.get("/api/v1/offers") for _ in range(3)]
    _limited(here)
    there = client.get("/api/v1/offers", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert there.status_code == 401


def test_the_api_windows_refuse_past_the_limit_and_open_again():
    """The in-process limiter of /api/v1 (issue 15): fixed windows per address and limit, a
    refused call not counted, every limit of "2 per second; 3 per minute" applied."""
    from api.resource.ratelimit import Windows, _items

    at = [100.0]
    windows = Windows(clock=lambda: at[0])
    limits = _items("2 per second; 3 per minute")
    assert [windows.hit("a", limits) for _ in range(2)] == [None, None]
    assert windows.hit("a", limits) == pytest.approx(1.0)  # the second's window is full
    assert windows.hit("b", limits) is None  # another address counts apart
    at[0] += 1.0
    assert windows.hit("a", limits) is None  # a new second; the minute holds 3 now
    at[0] += 1.0
    assert windows.hit("a", limits) == pytest.approx(58.0)  # the minute is full
    at[0] += 58.0
    assert windows.hit("a", limits) is None


def test_the_api_limit_is_shared_between_processes_through_redis(tmp_path):
    """With `CUSTOS_RATELIMIT_STORAGE_URL=redis://…` two app processes count one /api/v1
    limit together (the in-process windows are for the default `memory://`)."""
    import uuid

    import redis  # in the test extra
    url = os.environ.get("CUSTOS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.exceptions.ConnectionError as exc:
        if os.environ.get("CUSTOS_TEST_REQUIRE_REDIS"):
            raise
        pytest.skip(f"Redis unreachable at {url}: {exc}")
    from api import create_app
    from api.config import from_env

    apps = [create_app(from_env({"CUSTOS_HOME": str(tmp_path / f"h{i}"),
                                 "CUSTOS_RATELIMIT_STORAGE_URL": url,
                                 "CUSTOS_API_RATE_LIMIT": "3 per minute"}), testing=True)
            for i in range(2)]
    here = {"REMOTE_ADDR": f"test-{uuid.uuid4().hex}"}  # a fresh counter in the shared store
    try:
        calls = [apps[i % 2].test_client().get("/api/v1/me", environ_base=here,
                                               headers={"Authorization": "Bearer nothing"})
                 for i in range(4)]
        _limited(calls)
    finally:
        for app in apps:
            app.extensions["custos.vault"].close()
