"""Notices never go into the server's own network: SSRF guard at registration and delivery."""

from __future__ import annotations

import pytest

from api import jobs
from api.services import targets
from tests.api.test_mail import NO_MAIL
from tests.conftest import configure


@pytest.mark.parametrize("url", ["https://169.254.169.254/latest/meta-data",
                                 "https://10.0.0.5/hook", "https://192.168.1.1/x",
                                 "https://[fd00::1]/x", "https://0.0.0.0/x"])
def test_registration_refuses_private_ip_literals(client, url):
    response = client.post("/oauth/register", json={
        "client_name": "Sneaky", "redirect_uris": ["https://sneaky.example/cb"],
        "custos_notification_uri": url})
    assert response.status_code == 400
    assert "custos_notification_uri" in response.get_json()["fields"]


def test_delivery_refuses_names_that_resolve_inside(monkeypatch):
    def resolves_to(address):
        return lambda *a, **k: [(2, 1, 6, "", (address, 443))]

    monkeypatch.setattr(targets.socket, "getaddrinfo", resolves_to("169.254.169.254"))
    assert "link-local" in targets.delivery_problem("https://metadata.example/", False)
    monkeypatch.setattr(targets.socket, "getaddrinfo", resolves_to("127.0.0.1"))
    assert "loopback" in targets.delivery_problem("https://me.example/", False)
    assert targets.delivery_problem("https://me.example/", True) is None
    monkeypatch.setattr(targets.socket, "getaddrinfo", resolves_to("93.184.216.34"))
    assert targets.delivery_problem("https://vendor.example/", False) is None


def test_a_refused_notice_is_never_posted(app, person, vendors, flow, client, clock, monkeypatch):
    vendor = vendors.register(custos_notification_uri="https://inside.example/notices")
    tokens = flow.tokens(vendor, scope="data:contact.email purpose:ServiceProvision duration:1")
    assert flow.read(tokens["access_token"]).status_code == 200
    configure(app, issuer="https://custos.example")
    monkeypatch.setattr(targets.socket, "getaddrinfo",
                        lambda *a, **k: [(2, 1, 6, "", ("10.1.2.3", 443))])
    sent = []
    clock.advance(days=1, seconds=1)
    counts = jobs.run_jobs_once(app, post=lambda url, **kw: sent.append(url))
    assert counts == \
        {"expired": 1, "delivered": 0, "failed": 1, **NO_MAIL} and sent == []
    with app.extensions["custos.vault"].transaction("read") as tx:
        [(error,)] = tx.all("SELECT last_error FROM outbox")
    assert error.startswith("refused: its host resolves to a private")


def test_a_loopback_request_never_opens_loopback_targets(app, person, vendors, flow, client,
                                                         clock):
    """Issue 9, item 9: a health probe on 127.0.0.1 must not teach the jobs a loopback issuer."""
    vendor = vendors.register(custos_notification_uri="https://127.0.0.1:9/notices")
    tokens = flow.tokens(vendor, scope="data:contact.email purpose:ServiceProvision duration:1")
    assert flow.read(tokens["access_token"]).status_code == 200
    assert client.get("/signin", base_url="http://127.0.0.1:8000").status_code == 200
    sent = []

    def post(url, **kw):
        sent.append(url)
        raise AssertionError("posted to loopback")

    clock.advance(days=1, seconds=1)
    assert jobs.run_jobs_once(app, post=post) == \
        {"expired": 0, "delivered": 0, "failed": 0, **NO_MAIL}
    configure(app, issuer="https://custos.example")
    client.get("/signin", base_url="http://127.0.0.1:8000")
    assert jobs.run_jobs_once(app, post=post) == \
        {"expired": 1, "delivered": 0, "failed": 1, **NO_MAIL}
    assert sent == []
    with app.extensions["custos.vault"].transaction("read") as tx:
        [(error,)] = tx.all("SELECT last_error FROM outbox")
    assert error == "refused: its host resolves to a loopback address"


def test_a_loopback_issuer_may_notify_loopback(app, person, vendors, flow, clock):
    vendor = vendors.register(custos_notification_uri="http://127.0.0.1:9/notices")
    flow.tokens(vendor, scope="data:contact.email purpose:ServiceProvision duration:1")
    configure(app, issuer="http://127.0.0.1:8000")
    sent = []
    clock.advance(days=1, seconds=1)
    counts = jobs.run_jobs_once(app, post=lambda url, **kw: sent.append(url) or Answer())
    assert counts == \
        {"expired": 1, "delivered": 1, "failed": 0, **NO_MAIL}
    assert sent == ["http://127.0.0.1:9/notices"]


class Answer:
    status_code = 204
