"""Agreements seen from both sides: terms, revocation, the inbox, receipts and notices."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import jsonschema
import requests

from api.services.mandates import all_scopes
from api.services.signing import verify
from tests.conftest import csrf_token
from tests.oauth.conftest import serving

DENY_EMAIL = {"default": "ask", "rules": [{"id": "no-email", "effect": "deny",
                                           "categories": ["contact.email"]}]}
DENY_ALL = {"default": "deny", "rules": []}
DETAILS = [{"type": "custos_data_access", "purpose": "ServiceProvision",
            "categories": ["contact.email"], "retention_days": 30}]


def butler(vendors, flow) -> dict:
    """A butler client the person authorised to act for them, with every mandate."""
    reg = vendors.register(client_name="Butler", token_endpoint_auth_method="none",
                           grant_types=["authorization_code", "refresh_token"])
    return flow.tokens(reg, scope=" ".join(all_scopes()))


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def vendor_token(client, vendor) -> str:
    response = client.post("/oauth/token", data={"grant_type": "client_credentials",
                                                 "scope": "vendor"},
                           auth=(vendor["client_id"], vendor["client_secret"]))
    assert response.status_code == 200, response.get_json()
    return response.get_json()["access_token"]


def test_terms_change_to_deny_takes_effect_on_the_next_call(app, person, vendor, vendors, flow,
                                                           client):
    tokens = flow.tokens(vendor)
    assert len(flow.read(tokens["access_token"]).get_json()["fields"]) == 2
    me = butler(vendors, flow)["access_token"]
    saved = client.put("/api/v1/person/terms", json=DENY_EMAIL, headers=bearer(me))
    assert saved.status_code == 200 and saved.get_json()["cut"] == []
    body = flow.read(tokens["access_token"]).get_json()
    assert [f["category"] for f in body["fields"]] == ["address.city"]
    assert body["withheld"][0]["reasons"][0]["rule"] == "no-email"
    cut = client.put("/api/v1/person/terms", json=DENY_ALL, headers=bearer(me)).get_json()
    assert cut["cut"] and cut["vendors_cut_off"] == [vendor["client_id"]]
    refused = flow.read(tokens["access_token"])
    assert refused.status_code == 401  # the agreement was cut, its tokens with it


def test_what_if_dry_run_saves_nothing(person, vendor, vendors, flow, client):
    flow.tokens(vendor)
    me = butler(vendors, flow)["access_token"]
    answer = client.put("/api/v1/person/terms?dry_run=1", json=DENY_ALL, headers=bearer(me))
    assert answer.get_json()["saved"] is False and len(answer.get_json()["cut"]) == 1
    assert client.get("/api/v1/person/terms", headers=bearer(me)).get_json()["version"] == 0


def test_bad_terms_are_a_400_naming_the_field(person, vendors, flow, client):
    me = butler(vendors, flow)["access_token"]
    bad = {"rules": [{"id": "x", "effect": "deny", "purposes": ["Marketting"]}]}
    response = client.put("/api/v1/person/terms", json=bad, headers=bearer(me))
    assert response.status_code == 400
    assert any("purposes" in k for k in response.get_json()["fields"])


def test_vendor_a_cannot_read_person_b(app, person, vendor, vendors, flow, client, auth):
    tokens = flow.tokens(vendor)
    auth.signout()
    auth.signup(email="bob@example.org")
    bob = app.extensions["custos.vault"].find_person_by_email("bob@example.org").id
    app.extensions["custos.vault"].add_field(bob, category="contact.email", name="Email",
                                             kind="email", value="bob@example.org",
                                             now=app.extensions["custos.clock"]())
    other = vendors.register(client_name="Other")
    bob_tokens = flow.tokens(other)
    assert "bob@" in flow.read(bob_tokens["access_token"]).get_data(as_text=True)
    ada_view = flow.read(tokens["access_token"]).get_data(as_text=True)
    assert "bob@" not in ada_view and "ada@" in ada_view
    a_me = client.get("/api/v1/me", headers=bearer(tokens["access_token"])).get_json()["sub"]
    b_me = client.get("/api/v1/me", headers=bearer(bob_tokens["access_token"])).get_json()["sub"]
    assert a_me != b_me


def test_pairwise_subject_differs_per_vendor(person, vendor, vendors, flow, client):
    first = flow.tokens(vendor)["access_token"]
    second = flow.tokens(vendors.register(client_name="Two"))["access_token"]
    sub = [client.get("/api/v1/me", headers=bearer(t)).get_json()["sub"] for t in (first, second)]
    assert sub[0] != sub[1]
    again = flow.tokens(vendor)["access_token"]
    assert client.get("/api/v1/me", headers=bearer(again)).get_json()["sub"] == sub[0]


def test_async_request_waits_in_the_inbox_and_is_approved_narrowed(person, vendor, vendors,
                                                                   flow, client):
    sub = flow.read(flow.tokens(vendor)["access_token"]).get_json()["sub"]
    token = vendor_token(client, vendor)
    asked = client.post("/api/v1/requests", headers=bearer(token), json={
        "subject": sub, "authorization_details": [{**DETAILS[0],
                                                   "categories": ["contact.email",
                                                                  "contact.phone"]}]})
    assert asked.status_code == 201 and asked.get_json()["status"] == "pending"
    me = butler(vendors, flow)["access_token"]
    inbox = client.get("/api/v1/person/requests", headers=bearer(me)).get_json()
    assert [r["id"] for r in inbox] == [asked.get_json()["id"]]
    decided = client.post(f"/api/v1/person/requests/{inbox[0]['id']}/decision",
                          headers=bearer(me), json={"decision": "approve",
                                                    "categories": ["contact.phone"]})
    assert decided.status_code == 403  # the terms ask her: not her agent's to answer
    assert decided.get_json()["error"] == "outside_mandate"
    page = client.get("/inbox")
    answered = client.post(f"/inbox/{inbox[0]['id']}", data={
        "csrf_token": csrf_token(page), "decision": "approve", "category": ["contact.phone"]})
    assert answered.status_code == 302
    polled = client.get(f"/api/v1/requests/{inbox[0]['id']}", headers=bearer(token)).get_json()
    assert polled["status"] == "approved"
    data = client.get(f"/api/v1/agreements/{polled['agreement']}/data", headers=bearer(token))
    assert [f["category"] for f in data.get_json()["fields"]] == ["contact.phone"]


def test_async_request_answered_at_once_by_the_terms(person, vendor, vendors, flow, client):
    sub = flow.read(flow.tokens(vendor)["access_token"]).get_json()["sub"]
    me = butler(vendors, flow)["access_token"]
    client.put("/api/v1/person/terms", json=DENY_EMAIL, headers=bearer(me))
    token = vendor_token(client, vendor)
    answer = client.post("/api/v1/requests", headers=bearer(token),
                         json={"subject": sub, "authorization_details": DETAILS}).get_json()
    assert answer["status"] == "denied" and answer["reasons"][0]["rule"] == "no-email"


def test_unknown_subject_and_bad_input(person, vendor, client):
    token = vendor_token(client, vendor)
    unknown = client.post("/api/v1/requests", headers=bearer(token),
                          json={"subject": "nobody", "authorization_details": DETAILS})
    assert unknown.status_code == 404
    bad = client.post("/api/v1/requests", headers=bearer(token), json={"subject": "x"})
    assert bad.status_code == 400 and "authorization_details" in bad.get_json()["fields"]


def _kantara_schema() -> dict:
    path = Path(__file__).parent.parent / "vectors" / "kantara" / \
        "kantara-consent-receipt-v1_1-schema.json"
    text = "\n".join(line for line in path.read_text().splitlines()
                     if not line.strip().startswith("//"))
    return json.loads(text)


def test_receipt_validates_against_kantara_and_verifies_with_jwks(person, vendor, vendors, flow,
                                                                  client):
    tokens = flow.tokens(vendor)
    agreement = flow.read(tokens["access_token"]).get_json()["agreement"]
    vendor_copy = client.get(f"/api/v1/agreements/{agreement}/receipt",
                             headers=bearer(vendor_token(client, vendor))).get_json()
    me = butler(vendors, flow)["access_token"]
    person_copy = client.get(f"/api/v1/person/grants/{agreement}/receipt",
                             headers=bearer(me)).get_json()
    assert vendor_copy == person_copy
    jsonschema.validate(vendor_copy["receipt"], _kantara_schema())
    jwks = client.get("/oauth/jwks.json").get_json()
    assert verify(vendor_copy["jws"], jwks) == vendor_copy["receipt"]
    purpose = vendor_copy["receipt"]["services"][0]["purposes"][0]
    assert purpose["purposeCategory"] == ["https://w3id.org/dpv#ServiceProvision"]
    assert "https://w3id.org/dpv/pd#EmailAddress" in purpose["piiCategory"]
    assert verify(vendor_copy["jws"].replace(vendor_copy["jws"][-5:], "AAAAA"), jwks) is None


def test_revocation_notifies_the_vendor_through_the_outbox(app, person, vendors, flow, client,
                                                           clock):
    from api.services.notify import deliver_due

    vendor = vendors.register(custos_notification_uri="https://vendor.example/notices")
    tokens = flow.tokens(vendor)
    agreement = flow.read(tokens["access_token"]).get_json()["agreement"]
    me = butler(vendors, flow)["access_token"]
    assert client.post(f"/api/v1/person/grants/{agreement}/revoke",
                       headers=bearer(me)).get_json()["status"] == "revoked"
    assert flow.read(tokens["access_token"]).status_code == 401
    sent = []

    class Answer:
        def __init__(self, status):
            self.status_code = status

    def down(url, **kw):
        sent.append(kw["data"])
        return Answer(503)

    vault = app.extensions["custos.vault"]
    assert deliver_due(vault, clock.now, issuer=None, post=down) == {"delivered": 0, "failed": 1}
    assert deliver_due(vault, clock.now, issuer=None, post=down) == \
        {"delivered": 0, "failed": 0}  # backoff
    clock.advance(minutes=1)
    assert deliver_due(vault, clock.now, issuer=None,
                       post=lambda url, **kw: Answer(204))["delivered"] == 1
    notice = verify(sent[0], client.get("/oauth/jwks.json").get_json())
    assert notice["agreement"] == agreement and notice["duty"] == "delete"
    receipt = client.get(f"/api/v1/person/grants/{agreement}/receipt", headers=bearer(me))
    assert receipt.get_json()["status"] == "revoked"


def test_revoke_races_a_read_loop(app, person, vendors, flow, client):
    """No read that starts after the revoke returned succeeds (real threads, real server)."""
    vendor = vendors.register()
    tokens = flow.tokens(vendor)
    me = butler(vendors, flow)["access_token"]
    agreement = flow.read(tokens["access_token"]).get_json()["agreement"]
    with serving(app, threads=8) as base:
        _race(base, tokens["access_token"], me, agreement)


def _race(base: str, access: str, me: str, agreement: str) -> None:
    """Readers loop; the revoke comes once reads succeed, and the loop stops once every reader
    has read again after the revoke returned. Waits are on conditions, never on time."""
    results: list[tuple[bool, int]] = []  # (started after the revoke returned, status)
    changed, stop, revoked = threading.Condition(), threading.Event(), threading.Event()
    readers_n = 4

    def reader():
        with requests.Session() as s:
            while not stop.is_set():
                after = revoked.is_set()  # read before the request starts
                answer = s.get(base + "/api/v1/data", headers=bearer(access))
                with changed:
                    results.append((after, answer.status_code))
                    changed.notify_all()

    def count(after: bool, status: int | None = None) -> int:
        return sum(1 for a, s in results if a is after and status in (None, s))

    readers = [threading.Thread(target=reader) for _ in range(readers_n)]
    for t in readers:
        t.start()
    try:
        with changed:  # the timeouts only bound a failure; nothing waits for them to pass
            assert changed.wait_for(lambda: count(False, 200) >= readers_n, timeout=60)
        response = requests.post(f"{base}/api/v1/person/grants/{agreement}/revoke",
                                 headers=bearer(me))
        assert response.status_code == 200
        revoked.set()
        with changed:
            assert changed.wait_for(lambda: count(True) >= 2 * readers_n, timeout=60)
    finally:
        stop.set()
        for t in readers:
            t.join()
    before = [s for a, s in results if not a]
    after = [s for a, s in results if a]
    assert 200 in before and after and set(after) == {401}


def test_a_subject_in_other_characters_is_a_404_not_a_500(person, vendor, flow, client):
    flow.tokens(vendor)  # the vendor has an agreement, so the person is a candidate
    token = vendor_token(client, vendor)
    answer = client.post("/api/v1/requests", headers=bearer(token),
                         json={"subject": "ünïcode", "authorization_details": DETAILS})
    assert answer.status_code == 404


def test_last_used_is_written_once_a_minute_while_every_read_is_logged(app, person, vendor,
                                                                      flow, clock):
    """Issue 15: `last used` (the connections page, to the minute) is not rewritten on every
    read; the log still has each read."""
    vault = app.extensions["custos.vault"]
    tokens = flow.tokens(vendor)

    def last_used():
        return vault.agreements.grants.for_person(person)[0].last_used_at

    first = clock()
    assert flow.read(tokens["access_token"]).status_code == 200
    assert last_used() == first
    clock.advance(seconds=59)
    assert flow.read(tokens["access_token"]).status_code == 200
    assert last_used() == first
    clock.advance(seconds=1)
    assert flow.read(tokens["access_token"]).status_code == 200
    assert last_used() == clock()
    reads = vault.list_events(person, kinds=["access_attempted"])
    assert [e.payload["outcome"] for e in reads] == ["allowed"] * 3
