"""Notices never go into the server's own network: SSRF guard at registration and delivery."""

from __future__ import annotations

import pytest

from api import jobs
from api.oauth import targets


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
    app.config["CUSTOS_ISSUER"] = "https://custos.example"
    monkeypatch.setattr(targets.socket, "getaddrinfo",
                        lambda *a, **k: [(2, 1, 6, "", ("10.1.2.3", 443))])
    sent = []
    clock.advance(days=1, seconds=1)
    counts = jobs.run_jobs_once(app, post=lambda url, **kw: sent.append(url))
    assert counts == {"expired": 1, "delivered": 0, "failed": 1} and sent == []
    with app.extensions["custos.vault"].transaction("read") as tx:
        [(error,)] = tx.all("SELECT last_error FROM outbox")
    assert error.startswith("refused: its host resolves to a private")
