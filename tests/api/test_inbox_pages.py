"""The inbox page: a pending vendor request approved as asked, narrowed, or denied."""

from __future__ import annotations

import re

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
    return {"id": asked.get_json()["id"], "token": token, "sub": sub}


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
    ({"decision": "approve", "category": []},
     "Tick at least one of the kinds of data they asked for."),
    ({"decision": "approve", "category": ["contact.email"], "days": "999"},
     "Choose from 1 to 90 days, at most what they asked for."),
    ({"decision": "approve", "category": ["contact.email"], "days": "soon"},
     "Enter a number of days, such as 7."),
    ({"decision": "approve", "category": ["financial.income"]},
     "Tick at least one of the kinds of data they asked for."),
    ({"decision": "maybe"}, "Choose Approve or Deny."),
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
    return {"id": asked.get_json()["id"], "token": token, "sub": sub}


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
    assert response.status_code == 400 and ("Choose the purpose they asked for, or a narrower "
                                             "one.") in response.get_data(as_text=True)
    assert poll(client, marketing)["status"] == "pending"


def test_an_error_keeps_what_was_chosen_and_says_where(auth, client, pending):
    """Issue 10, 4: after an error the boxes were ticked again and the days reset; the
    messages were not tied to their inputs."""
    rid = pending["id"]
    response = auth.post(f"/inbox/{rid}", {"decision": "approve", "category": ["contact.phone"],
                                           "days": "999"}, page="/inbox")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'name="category" value="contact.email" >' in text  # still unticked
    assert 'name="category" value="contact.phone" checked>' in text
    assert re.search(rf'<input id="duration_days-{rid}" name="days"[^>]*value="999" '
                     rf'aria-invalid="true" aria-describedby="duration_days-{rid}-error">', text)
    assert (f'<span class="error" id="duration_days-{rid}-error">Choose from 1 to 90 days, '
            'at most what they asked for.</span>') in text
    assert f'<a href="#duration_days-{rid}">' in text  # the summary leads to the input
    none = auth.post(f"/inbox/{rid}", {"decision": "approve", "days": "7"}, page="/inbox")
    text = none.get_data(as_text=True)
    assert 'name="category" value="contact.email" >' in text and 'value="7"' in text
    assert re.search(rf'<fieldset class="field invalid" aria-describedby="categories-{rid}-error"',
                     text)
    assert f'<a href="#categories-{rid}">' in text and f'id="categories-{rid}"' in text
    assert poll(client, pending)["status"] == "pending"


def test_one_day_is_one_day(app, auth, client):
    """Issue 10, 7: "1 days"."""
    auth.signup()
    vault = app.extensions["custos.vault"]
    person = vault.find_person_by_email("ada@example.org").id
    vault.add_field(person, category="contact.email", name="Email", kind="email",
                    value="ada@example.org", now=app.extensions["custos.clock"]())
    vendor = Vendors(client).register()
    flow = Flow(client)
    sub = flow.read(flow.tokens(vendor)["access_token"]).get_json()["sub"]
    client.post("/api/v1/requests", headers=bearer(vendor_token(client, vendor)), json={
        "subject": sub, "authorization_details": [{**DETAILS[0], "retention_days": 1,
                                                   "duration_days": 1,
                                                   "categories": ["contact.phone"]}]})
    page = client.get("/inbox").get_data(as_text=True)
    assert "<dt>Kept for</dt><dd>1 day</dd>" in page and "<dt>For</dt><dd>1 day</dd>" in page
    assert " 1 days" not in page


def test_the_navigation_counts_what_waits(auth, client, pending):
    page = client.get("/data").get_data(as_text=True)
    assert ('<a href="/inbox">Inbox <span class="count">1<span class="sr-only"> waiting</span>'
            '</span></a>') in page
    auth.post(f"/inbox/{pending['id']}", {"decision": "deny"}, page="/inbox")
    assert '<a href="/inbox">Inbox</a>' in client.get("/data").get_data(as_text=True)


def test_inbox_shows_exactly_what_would_leave(app, client, pending):
    """Issue 13: the values themselves, not only the kinds of data."""
    page = client.get("/inbox").get_data(as_text=True)
    assert "What leaves today: contact.email: ada@example.org." in page
    assert "What leaves today: contact.phone: +44 1." in page


def test_inbox_shows_a_claim_as_yes_never_the_date_of_birth(app, client, pending):
    vault = app.extensions["custos.vault"]
    person = vault.find_person_by_email("ada@example.org").id
    vault.add_field(person, category="demographics.birthdate", name="Date of birth",
                    kind="date", value="1990-03-04", now=app.extensions["custos.clock"]())
    asked = client.post("/api/v1/requests", headers=bearer(pending["token"]), json={
        "subject": pending["sub"], "authorization_details": [
            {**DETAILS[0], "categories": ["demographics.over_18"]}]})
    assert asked.get_json()["status"] == "pending"
    page = client.get("/inbox").get_data(as_text=True)
    assert "What leaves today: Over 18: yes." in page
    # the year as a number of its own (a random CSRF token may hold the four digits)
    assert "1990-03-04" not in page and not re.search(r"(?<![\w.-])1990(?![\w-]|\.\w)", page)
