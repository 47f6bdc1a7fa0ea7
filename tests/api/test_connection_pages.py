"""Connections and receipts pages: what each vendor has, revoke with confirmation, receipts."""

from __future__ import annotations

import json
import re

import pytest

from tests.oauth.conftest import Flow, Vendors


@pytest.fixture
def grant(app, auth, client):
    """Ada has agreed that Acme Cars may read her email and city for service provision."""
    auth.signup()
    vault = app.extensions["custos.vault"]
    person = vault.find_person_by_email("ada@example.org").id
    clock = app.extensions["custos.clock"]
    vault.add_field(person, category="contact.email", name="Email", kind="email",
                    value="ada@example.org", now=clock())
    vault.add_field(person, category="address.city", name="City", kind="text", value="London",
                    now=clock())
    vendor = Vendors(client).register()
    flow = Flow(client)
    tokens = flow.tokens(vendor)
    assert flow.read(tokens["access_token"]).status_code == 200
    [grant] = vault.agreements.grants.for_person(person)
    return {"id": grant.id, "vendor": vendor, "tokens": tokens, "flow": flow}


def test_connections_show_what_why_and_reads(client, grant):
    page = client.get("/connections").get_data(as_text=True)
    assert "Acme Cars" in page and "Active" in page
    assert "Email address and city" in page
    assert "1 read in the last 30 days, at most 1 on one day" in page


def test_revoke_asks_first_then_cuts_the_vendor_off(auth, client, grant):
    confirm = client.get(f"/connections/{grant['id']}/revoke")
    assert "Revoke Acme Cars?" in confirm.get_data(as_text=True)
    assert grant["flow"].read(grant["tokens"]["access_token"]).status_code == 200  # not yet
    done = auth.post(f"/connections/{grant['id']}/revoke", {},
                     page=f"/connections/{grant['id']}/revoke")
    assert done.status_code == 302
    assert grant["flow"].read(grant["tokens"]["access_token"]).status_code in (401, 403)
    page = client.get("/connections").get_data(as_text=True)
    assert "Revoked" in page and "no longer has access" in page


def test_receipt_readable_and_downloadable(client, grant):
    page = client.get(f"/receipts/{grant['id']}").get_data(as_text=True)
    assert "Receipt: Acme Cars" in page
    document = json.loads(client.get(f"/receipts/{grant['id']}.json").get_data(as_text=True))
    assert document["version"] and "services" in document
    jws = client.get(f"/receipts/{grant['id']}.jws").get_data(as_text=True)
    assert jws.count(".") == 2
    assert "Acme Cars" in client.get("/receipts").get_data(as_text=True)


def test_someone_elses_connection_is_not_found(auth, client, grant):
    auth.signout()
    auth.signup(email="eve@example.org")
    assert client.get(f"/connections/{grant['id']}/revoke").status_code == 404
    assert client.get(f"/receipts/{grant['id']}").status_code == 404
    response = auth.post(f"/connections/{grant['id']}/revoke", {}, page="/connections")
    assert response.status_code == 404


def test_export_holds_agreements_and_receipts(auth, client, grant):
    import json as _json

    document = _json.loads(auth.post("/settings/export", {}, page="/settings")
                           .get_data(as_text=True))
    [agreement] = document["agreements"]
    assert agreement["id"] == grant["id"] and agreement["receipt"]["jws"].count(".") == 2
    assert agreement["categories"] == ["contact.email", "address.city"]
    assert document["terms"] == [] and document["requests"] == [] and document["offers"] == []


def test_deleting_the_account_ends_agreements_and_tells_the_vendor(app, auth, client, grant):
    vault = app.extensions["custos.vault"]
    clients = vault.agreements.clients
    vendor_id = grant["vendor"]["client_id"]
    clients.update_metadata(vendor_id, {**clients.get(vendor_id).metadata,
                                        "custos_notification_uri": "https://acme.example/n"})
    auth.post("/settings/delete", {"phrase": "delete my vault",
                                   "password": "correct horse battery"}, page="/settings")
    assert grant["flow"].read(grant["tokens"]["access_token"]).status_code == 401
    with vault.transaction("read") as tx:
        [(client_id,)] = tx.all("SELECT client_id FROM outbox")
        assert tx.all("SELECT id FROM grants") == []
    assert client_id == grant["vendor"]["client_id"]


PHONE = "data:contact.phone purpose:ServiceProvision retention:30"


@pytest.fixture
def second(app, client, grant):
    """A second agreement with the same vendor (her phone), and one with another vendor."""
    flow, clock = grant["flow"], app.extensions["custos.clock"]
    clock.advance(minutes=1)
    phone = flow.tokens(grant["vendor"], scope=PHONE)
    clock.advance(minutes=1)
    other = Vendors(client).register(client_name="Bike Hub")
    bikes = flow.tokens(other)
    return {"phone": phone, "other": other, "bikes": bikes}


def _cards(html: str) -> list[str]:
    return re.findall(r'<section class="card connection[^"]*"[^>]*>\s*<h2[^>]*>([^<]+)</h2>',
                      html)


def test_one_card_per_vendor_with_everything_it_can_read(client, grant, second):
    page = client.get("/connections").get_data(as_text=True)
    assert _cards(page) == ["Bike Hub", "Acme Cars"]
    acme = page[page.index(">Acme Cars<"):]
    assert "Can read now: email address, city and telephone number" in acme
    assert "<table" not in page  # cards: nothing squeezed into table cells on a phone


def test_revoking_one_agreement_says_the_other_is_still_live(auth, client, grant, second):
    """The bug: one revoke left the vendor's other agreement live while the page said
    "no longer has access". Now the page says what is still shared, and offers to stop all."""
    confirm = client.get(f"/connections/{grant['id']}/revoke").get_data(as_text=True)
    assert "can still read your telephone number under another agreement" in confirm
    done = auth.post(f"/connections/{grant['id']}/revoke", {},
                     page=f"/connections/{grant['id']}/revoke", follow_redirects=True)
    page = done.get_data(as_text=True)
    assert "no longer has access" not in page
    assert "Acme Cars can still read your telephone number" in page
    flow = grant["flow"]
    assert flow.read(second["phone"]["access_token"]).status_code == 200


def test_stop_sharing_everything_ends_every_agreement_of_the_vendor(app, auth, client, grant,
                                                                    second):
    vault = app.extensions["custos.vault"]
    vendor_id = grant["vendor"]["client_id"]
    clients = vault.agreements.clients
    clients.update_metadata(vendor_id, {**clients.get(vendor_id).metadata,
                                        "custos_notification_uri": "https://acme.example/n"})
    path = f"/connections/vendors/{vendor_id}/stop"
    confirm = client.get(path).get_data(as_text=True)
    assert "Stop sharing everything with Acme Cars?" in confirm
    assert "email address and city" in confirm and "telephone number" in confirm
    flow = grant["flow"]
    assert flow.read(second["phone"]["access_token"]).status_code == 200  # not yet
    done = auth.post(path, {}, page=path, follow_redirects=True).get_data(as_text=True)
    assert "Acme Cars can no longer read anything of yours: 2 agreements ended" in done
    for tokens in (grant["tokens"], second["phone"]):
        assert flow.read(tokens["access_token"]).status_code == 401
    assert flow.read(second["bikes"]["access_token"]).status_code == 200  # another vendor
    assert len(vault.agreements.outbox.for_client(vendor_id)) == 2  # a notice for each
    page = client.get("/connections").get_data(as_text=True)
    live, ended = page.split("Ended connections")
    assert _cards(live) == ["Bike Hub"] and "Acme Cars" in ended
    again = auth.post(path, {}, page="/connections", follow_redirects=True)
    assert "Acme Cars could already read nothing of yours." in again.get_data(as_text=True)


def test_stop_sharing_needs_the_csrf_token_and_your_own_vendor(auth, client, grant, second):
    vendor_id = grant["vendor"]["client_id"]
    assert client.post(f"/connections/vendors/{vendor_id}/stop").status_code == 400
    assert grant["flow"].read(grant["tokens"]["access_token"]).status_code == 200
    auth.signout()
    auth.signup(email="eve@example.org")
    assert client.get(f"/connections/vendors/{vendor_id}/stop").status_code == 404
    assert auth.post(f"/connections/vendors/{vendor_id}/stop", {},
                     page="/connections").status_code == 404
    assert grant["flow"].read(grant["tokens"]["access_token"]).status_code == 200
