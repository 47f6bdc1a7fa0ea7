"""Fixtures for the SDK and the butler: a real server on a loopback port, a person's browser,
vendors registered over HTTP, and retry policies that record their waits instead of sleeping.
"""

from __future__ import annotations

import pytest

from api.cli.loopback import Browser, serving
from clients.sdk import Access, RetryPolicy, Transport, VendorClient

PASSWORD = "correct horse battery"
REDIRECT = "https://vendor.example/cb"
EMAIL_CITY = Access(purpose="ServiceProvision", categories=("contact.email", "address.city"),
                    retention_days=30)


class Waits(list):
    """A `sleep` that records how long it was asked to wait."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def waits() -> Waits:
    return Waits()


@pytest.fixture
def transport(waits) -> Transport:
    return Transport(timeout=5, retry=RetryPolicy(attempts=3, backoff=0.01, sleep=waits))


@pytest.fixture
def server(app):
    with serving(app, threads=6) as base:
        yield base


@pytest.fixture
def browser(server, app, clock) -> Browser:
    """Ada's browser, signed up, with an email, a city and a phone number in her vault."""
    person = Browser(server)
    person.signup("ada@example.org", PASSWORD)
    vault = app.extensions["custos.vault"]
    ada = vault.find_person_by_email("ada@example.org")
    for category, name, kind, value in (("contact.email", "Email", "email", "ada@example.org"),
                                        ("address.city", "City", "text", "London"),
                                        ("contact.phone", "Phone", "text", "+44 20 0000")):
        vault.add_field(ada.id, category=category, name=name, kind=kind, value=value,
                        now=clock())
    person.person_id = ada.id
    person.clock = clock  # the server's clock: the butler's DPoP proofs are made on it
    return person


@pytest.fixture
def vendor(server, transport) -> VendorClient:
    return VendorClient.register(server, client_name="Acme Cars", redirect_uris=[REDIRECT],
                                 certifications=["b-corp"], jurisdiction="DE",
                                 transport=transport)


def connect(vendor: VendorClient, browser: Browser, access: Access = EMAIL_CITY, **kw):
    """The person approves `access` for `vendor` in the browser; the vendor's session."""
    request = vendor.start_authorization(REDIRECT, access)
    callback = browser.consent(request.url)
    return vendor.finish_authorization(request, callback, **kw)
