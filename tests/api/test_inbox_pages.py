"""The inbox page: a pending vendor request approved as asked, narrowed, or denied."""

from __future__ import annotations

import pytest

from tests.oauth.conftest import Flow, Vendors
from tests.oauth.test_person_vendor import DETAILS, bearer, vendor_token


@pytest.fixture
def pending(app, auth, client):
    """Acme Cars, after a first agreement, asks for email and phone; the terms say ask."""
    auth.signup()
    vault = app.extensions["custos.vault"]
    person = vault.find_person_by_email("ada@example.org").id
    clock = app.extensions["custos.clock"]
    for category, value in (("contact.email", "ada@example.org"), ("contact.phone", "+44 1")):
        vault.add_field(person, category=category, name=category, kind="text", value=value,
                        now=clock())
    vendor = Vendors(client).register()
    flow = Flow(client)
    sub = flow.read(flow.tokens(vendor)["access_token"]).get_json()["sub"]
    token = vendor_token(client, vendor)
    asked = client.post("/api/v1/requests", headers=bearer(token), json={
        "subject": sub, "authorization_details": [
            {**DETAILS[0], "categories": ["contact.email", "contact.phone"]}]})
    assert asked.get_json()["status"] == "pending"
    return {"id": asked.get_json()["id"], "token": token}


def poll(client, pending) -> dict:
    return client.get(f"/api/v1/requests/{pending['id']}",
                      headers=bearer(pending["token"])).get_json()


def test_inbox_shows_the_request_and_what_the_terms_said(client, pending):
    page = client.get("/inbox").get_data(as_text=True)
    assert "Acme Cars asks for your email address and telephone number" in page
    assert "What your terms said" in page
    assert "Kept for</dt><dd>30 days" in page


def test_approve_narrowed(auth, client, pending):
    response = auth.post(f"/inbox/{pending['id']}", {"decision": "approve",
                                                     "category": ["contact.phone"], "days": "7"},
                         page="/inbox")
    assert response.status_code == 302
    answer = poll(client, pending)
    assert answer["status"] == "approved"
    data = client.get(f"/api/v1/agreements/{answer['agreement']}/data",
                      headers=bearer(pending["token"])).get_json()
    assert [f["category"] for f in data["fields"]] == ["contact.phone"]
    assert "Nothing waits for you" in client.get("/inbox").get_data(as_text=True)


def test_deny(auth, client, pending):
    auth.post(f"/inbox/{pending['id']}", {"decision": "deny"}, page="/inbox")
    assert poll(client, pending)["status"] == "denied"


@pytest.mark.parametrize("form, field", [
    ({"decision": "approve", "category": []}, "choose at least one"),
    ({"decision": "approve", "category": ["contact.email"], "days": "999"}, "choose 1 to"),
    ({"decision": "approve", "category": ["contact.email"], "days": "soon"}, "number of days"),
    ({"decision": "approve", "category": ["financial.income"]}, "not requested"),
    ({"decision": "maybe"}, "Choose approve or deny."),
])
def test_bad_decision_says_why_and_changes_nothing(auth, client, pending, form, field):
    response = auth.post(f"/inbox/{pending['id']}", form, page="/inbox")
    assert response.status_code == 400
    assert field in response.get_data(as_text=True)
    assert poll(client, pending)["status"] == "pending"


@pytest.fixture
def marketing(app, auth, client):
    """A pending request for marketing with the email; the person may narrow the purpose."""
    auth.signup(email="mia@example.org")
    vault = app.extensions["custos.vault"]
    person = vault.find_person_by_email("mia@example.org").id
    vault.add_field(person, category="contact.email", name="Email", kind="email",
                    value="mia@example.org", now=app.extensions["custos.clock"]())
    vendor = Vendors(client).register()
    flow = Flow(client)
    sub = flow.read(flow.tokens(vendor)["access_token"]).get_json()["sub"]
    token = vendor_token(client, vendor)
    asked = client.post("/api/v1/requests", headers=bearer(token), json={
        "subject": sub, "authorization_details": [{**DETAILS[0], "purpose": "Marketing"}]})
    assert asked.get_json()["status"] == "pending"
    return {"id": asked.get_json()["id"], "token": token}


def test_approve_for_a_narrower_purpose(app, auth, client, marketing):
    page = client.get("/inbox").get_data(as_text=True)
    assert 'value="DirectMarketing">Direct Marketing' in page
    auth.post(f"/inbox/{marketing['id']}", {"decision": "approve", "category": ["contact.email"],
                                            "purpose": "DirectMarketing"}, page="/inbox")
    answer = poll(client, marketing)
    grant = app.extensions["custos.vault"].agreements.grants.get(answer["agreement"])
    assert grant.purpose == "DirectMarketing" and grant.decided_by == "person_narrowed"


@pytest.mark.parametrize("purpose", ["ServiceProvision", "Nonsense"])
def test_a_broader_or_other_purpose_is_refused(auth, client, marketing, purpose):
    response = auth.post(f"/inbox/{marketing['id']}", {"decision": "approve",
                                                       "category": ["contact.email"],
                                                       "purpose": purpose}, page="/inbox")
    assert response.status_code == 400 and "not within Marketing" in response.get_data(
        as_text=True)
    assert poll(client, marketing)["status"] == "pending"
