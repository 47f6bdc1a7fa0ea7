"""What goes wrong, over real HTTP: server down, rate limits, revoked and expired agreements,
tampered receipts and notices. The retry policy records its waits instead of sleeping.
"""

from __future__ import annotations

import base64
import json
import socket
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import requests
from flask import Flask, jsonify

from api.cli.loopback import serving
from clients.sdk import (
    InvalidToken,
    OAuthError,
    RateLimited,
    RetryPolicy,
    ServerUnavailable,
    SignatureError,
    Transport,
    VendorClient,
)
from clients.sdk.webhook import notification_view
from tests.clients.conftest import REDIRECT, connect
from tests.clients.test_sdk import person_client
from tests.conftest import configure


def test_server_down_is_retried_then_reported(waits, transport):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(ServerUnavailable) as down:
        VendorClient(f"http://127.0.0.1:{port}", "cus_x", transport=transport)
    assert "cannot reach" in str(down.value)
    assert len(waits) == 2  # three attempts, backing off between them


def _limited_app(answers: list[tuple[int, dict]]) -> Flask:
    """A tiny app that plays back (status, headers) answers, then 200."""
    app = Flask("limited")
    seen = []

    @app.route("/thing", methods=["GET", "POST"])
    def thing():
        seen.append(1)
        if answers:
            status, headers = answers.pop(0)
            return jsonify(error="too_many_requests", error_description="slow down"), status, \
                headers
        return jsonify(ok=True, calls=len(seen))

    return app


def test_429_honours_retry_after_seconds_and_dates(waits, transport):
    later = format_datetime(datetime.now(UTC) + timedelta(seconds=20), usegmt=True)
    app = _limited_app([(429, {"Retry-After": "2"}), (429, {"Retry-After": later})])
    with serving(app) as base:
        assert transport.json("POST", base + "/thing") == {"ok": True, "calls": 3}
    assert waits[0] == 2.0 and 15 <= waits[1] <= 20


def test_429_beyond_the_patience_is_raised_with_retry_after(waits):
    patient = Transport(retry=RetryPolicy(attempts=3, max_wait=10, sleep=waits))
    with serving(_limited_app([(429, {"Retry-After": "3600"})])) as base:
        with pytest.raises(RateLimited) as limited:
            patient.json("GET", base + "/thing")
    assert limited.value.retry_after == 3600 and limited.value.status == 429 and waits == []


def test_5xx_retries_reads_but_never_repeats_a_post(waits, transport):
    with serving(_limited_app([(502, {}), (502, {})])) as base:
        assert transport.json("GET", base + "/thing")["calls"] == 3
    with serving(_limited_app([(500, {})])) as base:
        with pytest.raises(ServerUnavailable):
            transport.json("POST", base + "/thing")


def test_revoked_grant_refuses_the_vendor(server, vendor, browser, transport):
    session = connect(vendor, browser)
    agreement = session.data().agreement
    person_client(server, browser, transport).revoke(agreement)
    with pytest.raises(InvalidToken):
        session.data()
    assert vendor.receipt(agreement).status == "revoked"
    assert [a.status for a in vendor.agreements()] == ["revoked"]


def test_expired_refresh_token(vendor, browser, clock):
    session = connect(vendor, browser)
    clock.advance(days=31)  # refresh tokens live 30 days on the server's clock
    with pytest.raises(OAuthError) as dead:
        session.refresh()
    assert dead.value.error == "invalid_grant"
    with pytest.raises(InvalidToken) as refused:
        session.data()
    assert refused.value.__cause__.error == "invalid_grant"


def _b64(data: dict) -> str:
    raw = json.dumps(data, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_tampered_receipt_is_refused(vendor, browser):
    agreement = connect(vendor, browser).data().agreement
    view = vendor._own.call("GET", f"/api/v1/agreements/{agreement}/receipt")
    assert vendor.verifier.receipt(view)["consentReceiptID"] == view["id"]
    edited = {**view, "receipt": {**view["receipt"], "jurisdiction": "XX"}}
    with pytest.raises(SignatureError, match="differs"):
        vendor.verifier.receipt(edited)
    header, _, signature = view["jws"].split(".")
    forged = ".".join([header, _b64({**view["receipt"], "jurisdiction": "XX"}), signature])
    with pytest.raises(SignatureError, match="does not verify"):
        vendor.verifier.receipt({"jws": forged})


def test_notification_verified_by_the_flask_helper(app, server, browser, transport, clock):
    received = []
    hook = Flask("vendor-hook")
    with serving(hook) as hook_base:
        vendor = VendorClient.register(server, client_name="Acme", redirect_uris=[REDIRECT],
                                       notification_uri=hook_base + "/notices",
                                       transport=transport)
        hook.add_url_rule("/notices", view_func=notification_view(vendor, received.append),
                          methods=["POST"])
        agreement = connect(vendor, browser).data().agreement
        person_client(server, browser, transport).revoke(agreement)
        from api.services.notify import deliver_due

        configure(app, issuer=server)  # a loopback server: loopback notices are allowed
        assert deliver_due(app.extensions["custos.vault"], clock.now,
                           issuer=server) == {"delivered": 1, "failed": 0}
        assert received[0]["agreement"] == agreement and received[0]["duty"] == "delete"
        body = app.extensions["custos.vault"].agreements.outbox.for_client(
            vendor.client_id)[0].body
        header, payload, signature = body.split(".")
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        tampered = ".".join([header, _b64({**claims, "agreement": "someone-else"}), signature])
        answer = requests.post(hook_base + "/notices", data=tampered, timeout=5)
        assert answer.status_code == 400 and answer.json()["error"] == "invalid_signature"
        assert requests.post(hook_base + "/notices", data="junk", timeout=5).status_code == 400
        assert len(received) == 1



def test_the_servers_own_rate_limit_is_honoured(app, vendor, waits):
    configure(app, api_rate_limit="2 per minute")
    vendor.agreements()
    vendor.agreements()
    with pytest.raises(RateLimited) as limited:
        vendor.agreements()  # retried after each Retry-After (recorded, not slept), then raised
    assert limited.value.status == 429 and 0 < limited.value.retry_after <= 60
    assert len(waits) == 2 and all(0 < w <= 60 for w in waits)
