"""Agent mandates (issue 13): granted one by one, bounded by the terms, named everywhere.

The outside finding this answers: with the old all-powers `person` scope a butler token set the
terms to "permit everything, auto-approve", and a brand-new vendor then got Marketing plus
third-party sharing with no consent screen, logged and receipted as the person's own click.
"""

from __future__ import annotations

import json
import re

import jsonschema
import pytest

from api.services.mandates import WORDS, all_scopes
from tests.conftest import csrf_token, save_terms
from tests.oauth.conftest import REDIRECT, pkce, query
from tests.oauth.test_person_vendor import _kantara_schema, bearer, vendor_token

EVERYTHING = {"default": "permit", "rules": [], "auto_approve": True}
EMAIL_ONLY = {"default": "ask", "rules": [
    {"id": "email", "effect": "permit", "purposes": ["ServiceProvision"],
     "categories": ["contact.email"]},
    {"id": "no-ads", "effect": "deny", "purposes": ["Marketing"]}]}
MARKETING = [{"type": "custos_data_access", "purpose": "Marketing",
              "categories": ["contact.email", "contact.phone"], "third_party_sharing": True}]


def agent(vendors, flow, *mandates: str, name: str = "Butler", granted=None) -> dict:
    """An agent client the person authorised, asking for `mandates` and granted `granted`
    (default: all it asked for); its tokens and client id."""
    reg = vendors.register(client_name=name, token_endpoint_auth_method="none",
                           grant_types=["authorization_code", "refresh_token"])
    verifier, challenge = pkce()
    scope = " ".join(f"mandate:{m}" for m in mandates)
    answer = flow.consent(flow.authorize_url(reg, scope=scope, challenge=challenge),
                          mandates=granted)
    assert answer.status_code == 302, answer.get_data(as_text=True)[:300]
    code = query(answer.headers["Location"])["code"]
    tokens = flow.token(reg, grant_type="authorization_code", code=code, redirect_uri=REDIRECT,
                        code_verifier=verifier).get_json()
    return tokens | {"client_id": reg["client_id"]}


def pending_request(client, vendor, flow, details) -> str:
    """The vendor (already connected) asks for more while the person is away: pending."""
    sub = flow.read(flow.tokens(vendor)["access_token"]).get_json()["sub"]
    asked = client.post("/api/v1/requests", headers=bearer(vendor_token(client, vendor)),
                        json={"subject": sub, "authorization_details": details})
    assert asked.status_code == 201, asked.get_json()
    return asked.get_json()["id"]


def test_the_consent_screen_offers_each_mandate_in_plain_words_unticked(person, vendors, flow,
                                                                         client):
    reg = vendors.register(client_name="Butler", token_endpoint_auth_method="none",
                           grant_types=["authorization_code"])
    _, challenge = pkce()
    page = client.get(flow.authorize_url(reg, scope=" ".join(all_scopes()),
                                         challenge=challenge)).get_data(as_text=True)
    for name, words in WORDS.items():
        assert f'name="mandate" value="{name}">' in page  # never ticked in advance
        assert words.capitalize() in page


def test_the_person_grants_mandates_one_by_one_and_the_token_carries_only_those(
        app, person, vendors, flow, client):
    me = agent(vendors, flow, "offers", "log", "terms_read", granted=["log"])
    assert me["scope"].split() == ["mandate:log"]  # RFC 6749 section 3.3: as granted
    [grant] = [g for g in app.extensions["custos.vault"].agreements.grants.for_person(person)
               if g.client_id == me["client_id"]]
    receipt = app.extensions["custos.vault"].agreements.receipts.for_grant(grant.id).receipt
    assert receipt["custos"]["mandates"] == ["mandate:log"]  # her receipt says what she gave
    assert client.get("/api/v1/person/log", headers=bearer(me["access_token"])).status_code \
        == 200
    for path in ("/api/v1/person/offers", "/api/v1/person/terms", "/api/v1/person/requests",
                 "/api/v1/person/intents", "/api/v1/person/data"):
        refused = client.get(path, headers=bearer(me["access_token"]))
        assert refused.status_code == 403, path
        assert refused.get_json()["error"] == "insufficient_scope"
        assert 'error="insufficient_scope"' in refused.headers["WWW-Authenticate"]


def test_no_mandate_ticked_is_a_refusal_and_unknown_mandates_are_errors(person, vendors, flow,
                                                                        client):
    reg = vendors.register(client_name="Butler", token_endpoint_auth_method="none",
                           grant_types=["authorization_code"])
    _, challenge = pkce()
    url = flow.authorize_url(reg, scope="mandate:log", challenge=challenge)
    assert query(flow.consent(url, mandates=[]).headers["Location"])["error"] == "access_denied"
    bad = client.get(flow.authorize_url(reg, scope="mandate:everything", challenge=challenge))
    assert query(bad.headers["Location"])["error"] == "invalid_authorization_details"
    old = client.get(flow.authorize_url(reg, scope="person", challenge=challenge))
    assert query(old.headers["Location"])["error"] == "invalid_authorization_details"


def test_an_agent_cannot_open_the_door_the_finding_replayed(app, person, vendors, flow, client):
    """Every mandate at once still cannot turn on "permit everything, auto-approve"."""
    me = agent(vendors, flow, *WORDS)
    answer = client.put("/api/v1/person/terms", json=EVERYTHING,
                        headers=bearer(me["access_token"]))
    assert answer.status_code == 202 and answer.get_json()["saved"] is False
    assert {x["what"] for x in answer.get_json()["loosens"]} >= {"auto_approve", "effect"}
    assert app.extensions["custos.vault"].agreements.terms.current_version(person) == 0
    newcomer = vendors.register(client_name="Brand New Ads")
    _, challenge = pkce()
    page = client.get(flow.authorize_url(newcomer, challenge=challenge, scope="",
                                         authorization_details=json.dumps(MARKETING)))
    assert page.status_code == 200 and 'name="decision"' in page.get_data(as_text=True)


@pytest.mark.parametrize("terms, categories, allowed", [
    (None, ["contact.email"], False),  # default terms: everything is asked of her
    (EMAIL_ONLY, ["contact.email", "contact.phone"], False),  # phone is hers to answer
    (EMAIL_ONLY, ["contact.phone"], False),
    (EMAIL_ONLY, ["contact.email"], True),  # exactly what her terms already permit
])
def test_answer_within_my_terms_never_gives_a_vendor_more(app, person, vendor, vendors, flow,
                                                          client, terms, categories, allowed):
    if terms:
        save_terms(client, terms)
    request_id = pending_request(client, vendor, flow, [{
        "type": "custos_data_access", "purpose": "ServiceProvision",
        "categories": ["contact.email", "contact.phone"], "retention_days": 30}])
    me = agent(vendors, flow, "answer")
    vault = app.extensions["custos.vault"]
    before = {g.id for g in vault.agreements.grants.for_person(person)}
    answer = client.post(f"/api/v1/person/requests/{request_id}/decision",
                         headers=bearer(me["access_token"]),
                         json={"decision": "approve", "categories": categories})
    made = [g for g in vault.agreements.grants.for_person(person) if g.id not in before]
    if allowed:
        assert answer.status_code == 200 and answer.get_json()["status"] == "approved"
        assert [list(g.categories) for g in made] == [categories]
    else:
        assert answer.status_code == 403 and answer.get_json()["error"] == "outside_mandate"
        assert "categories" in answer.get_json()["fields"]
        assert made == [] and vault.agreements.requests.get(request_id).status == "pending"
    denied = client.post(f"/api/v1/person/requests/{request_id}/decision",
                         headers=bearer(me["access_token"]), json={"decision": "deny"})
    assert denied.status_code == (400 if allowed else 200)  # denying is always within it


def test_log_and_receipt_name_the_agent(app, person, vendor, vendors, flow, client):
    save_terms(client, EMAIL_ONLY)
    request_id = pending_request(client, vendor, flow, [{  # the phone is asked of her
        "type": "custos_data_access", "purpose": "ServiceProvision",
        "categories": ["contact.email", "contact.phone"], "retention_days": 30}])
    me = agent(vendors, flow, "answer", name="Jeeves")
    approved = client.post(f"/api/v1/person/requests/{request_id}/decision",
                           headers=bearer(me["access_token"]),
                           json={"decision": "approve", "categories": ["contact.email"]})
    assert approved.status_code == 200, approved.get_json()
    vault = app.extensions["custos.vault"]
    grant_id = vault.agreements.requests.get(request_id).grant_id
    grant = vault.agreements.grants.get(grant_id)
    actor = f"agent:{me['client_id']}"
    assert grant.extra["actor"] == actor and grant.decided_by == "agent_narrowed"
    listed = client.get("/api/v1/person/grants", headers=bearer(me["access_token"])).get_json()
    assert {g["id"]: g["actor"] for g in listed}[grant_id] == actor
    kinds = {e.kind for e in vault.list_events(person) if e.payload.get("actor") == actor}
    assert {"grant_changed", "request_decided", "agent_changed_access"} <= kinds
    receipt = client.get(f"/api/v1/agreements/{grant_id}/receipt",
                         headers=bearer(vendor_token(client, vendor))).get_json()["receipt"]
    jsonschema.validate(receipt, _kantara_schema())  # still a Kantara CR v1.1 receipt
    assert receipt["services"][0]["purposes"][0]["consentType"] == "DELEGATED"
    assert "Jeeves" in receipt["collectionMethod"] and "mandate" in receipt["collectionMethod"]
    log = client.get("/log").get_data(as_text=True)
    assert "Your agent Jeeves" in log or "by your agent Jeeves" in log
    assert "Your agent Jeeves (narrowed)" in client.get("/connections").get_data(as_text=True)
    by_agent = client.get("/log/export.json", query_string={"vendor": me["client_id"]}).get_json()
    assert {r["kind"] for r in by_agent} >= {"request_decided", "agent_changed_access"}
    assert {r["by"] for r in by_agent if r["kind"] == "request_decided"} == {
        "your agent Jeeves"}
    home = client.get("/").get_data(as_text=True)
    assert "Your agents changed what vendors may get" in home and "Jeeves" in home


def test_the_persons_own_approval_stays_explicit(app, person, vendor, flow, client):
    grant_id = flow.read(flow.tokens(vendor)["access_token"]).get_json()["agreement"]
    vault = app.extensions["custos.vault"]
    receipt = vault.agreements.receipts.for_grant(grant_id).receipt
    assert receipt["services"][0]["purposes"][0]["consentType"] == "EXPLICIT"
    assert vault.agreements.grants.get(grant_id).extra["actor"] == "person"


def test_a_restricting_change_applies_at_once_and_alerts_the_person(app, person, vendor,
                                                                    vendors, flow, client):
    tokens = flow.tokens(vendor)
    me = agent(vendors, flow, "terms_propose", name="Jeeves")
    deny_email = {"default": "ask", "rules": [{"id": "no-email", "effect": "deny",
                                               "categories": ["contact.email"]}]}
    answer = client.put("/api/v1/person/terms", json=deny_email,
                        headers=bearer(me["access_token"]))
    assert answer.status_code == 200 and answer.get_json()["saved"] is True
    assert answer.get_json()["loosens"] == []
    read = flow.read(tokens["access_token"]).get_json()
    assert "contact.email" not in [f["category"] for f in read["fields"]]
    vault = app.extensions["custos.vault"]
    [alert] = vault.list_events(person, kinds=["agent_changed_access"])
    assert alert.payload["action"] == "terms_changed"
    assert alert.payload["vendors"] == [vendor["client_id"]]
    assert "Jeeves" in client.get("/").get_data(as_text=True)


def test_a_loosening_waits_in_the_inbox_and_the_person_accepts_it(app, person, vendors, flow,
                                                                  client):
    me = agent(vendors, flow, "terms_propose", "terms_read", name="Jeeves")
    answer = client.put("/api/v1/person/terms", json=EMAIL_ONLY,
                        headers=bearer(me["access_token"]))
    assert answer.status_code == 202 and answer.get_json()["waits_for_person"]
    proposal = answer.get_json()["proposal_id"]
    inbox = client.get("/inbox").get_data(as_text=True)
    assert "Your agent Jeeves proposes a change to your terms" in inbox
    preview = client.get(f"/terms/proposals/{proposal}")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "shared after" in text  # what vendors would gain
    form = {"csrf_token": csrf_token(preview), "proposal": proposal,
            "candidate": re.search(r'name="candidate" value="([^"]+)"', text).group(1)
            .replace("&#34;", '"')}
    assert client.post("/terms/save", data=form).status_code == 302
    read = client.get("/api/v1/person/terms", headers=bearer(me["access_token"])).get_json()
    assert read["version"] == 1 and read["terms"]["rules"][0]["id"] == "email"
    assert "proposes a change" not in client.get("/inbox").get_data(as_text=True)
    decided = app.extensions["custos.vault"].list_events(person,
                                                         kinds=["terms_proposal_decided"])
    assert decided[-1].payload == {"proposal_id": proposal, "decision": "accept",
                                   "version": 1, "actor": "person"}


def test_the_person_declines_a_loosening_and_nothing_changes(app, person, vendors, flow,
                                                             client):
    me = agent(vendors, flow, "terms_propose")
    proposal = client.put("/api/v1/person/terms", json=EVERYTHING,
                          headers=bearer(me["access_token"])).get_json()["proposal_id"]
    page = client.get("/inbox")
    declined = client.post(f"/inbox/proposals/{proposal}/decline",
                           data={"csrf_token": csrf_token(page)})
    assert declined.status_code == 302
    assert app.extensions["custos.vault"].agreements.terms.current_version(person) == 0
    again = client.post(f"/inbox/proposals/{proposal}/decline",
                        data={"csrf_token": csrf_token(page)})
    assert again.status_code == 404  # answered once


def test_revoking_one_agent_leaves_the_others(app, person, vendors, flow, client):
    first = agent(vendors, flow, "log", name="Jeeves")
    second = agent(vendors, flow, "log", name="Alfred")
    page = client.get("/connections").get_data(as_text=True)
    assert "Jeeves" in page and "Alfred" in page and WORDS["log"].capitalize() in page
    grant = next(g for g in app.extensions["custos.vault"].agreements.grants.for_person(person)
                 if g.client_id == first["client_id"])
    confirm = client.get(f"/connections/{grant.id}/revoke")
    assert "stops acting for you" in confirm.get_data(as_text=True)
    client.post(f"/connections/{grant.id}/revoke", data={"csrf_token": csrf_token(confirm)})
    assert client.get("/api/v1/person/log",
                      headers=bearer(first["access_token"])).status_code == 401
    assert client.get("/api/v1/person/log",
                      headers=bearer(second["access_token"])).status_code == 200


def test_a_data_scope_with_mandates_is_never_auto_approved(person, vendor, vendors, flow,
                                                           client):
    save_terms(client, {**EMAIL_ONLY, "auto_approve": True})
    reg = vendors.register(client_name="Butler", token_endpoint_auth_method="none",
                           grant_types=["authorization_code"])
    _, challenge = pkce()
    page = client.get(flow.authorize_url(reg, challenge=challenge,
                                         scope="data:contact.email purpose:ServiceProvision "
                                               "mandate:offers"))
    assert page.status_code == 200 and 'name="mandate"' in page.get_data(as_text=True)


def test_the_persons_own_page_actions_say_she_did_them(app, person, client, vendors, flow):
    page = client.get("/data")
    client.post("/data", data={"csrf_token": csrf_token(page), "category": "contact.phone",
                               "name": "Mobile", "value": "+44 7700 900123"})
    me = agent(vendors, flow, "data", name="Jeeves")
    client.post("/api/v1/person/data", headers=bearer(me["access_token"]),
                json={"category": "address.city", "name": "City", "value": "Leeds"})
    added = app.extensions["custos.vault"].list_events(person, kinds=["field_added"])
    assert [(e.payload["name"], e.payload.get("actor")) for e in added][-2:] == [
        ("Mobile", "person"), ("City", f"agent:{me['client_id']}")]
