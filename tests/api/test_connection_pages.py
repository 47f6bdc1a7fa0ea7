"""Connections and receipts pages: what each vendor has, revoke with confirmation, receipts."""

from __future__ import annotations

import json

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
