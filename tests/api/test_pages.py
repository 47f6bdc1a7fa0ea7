"""Personal data, intents, export and account deletion through the pages."""

from __future__ import annotations

import json

import pytest


@pytest.fixture
def person(auth, app):
    auth.signup()
    vault = app.extensions["custos.vault"]
    return vault.find_person_by_email("ada@example.org").id


FIELD = {"category": "contact.email", "name": "Home email", "kind": "email",
         "value": "ada@lovelace.example"}


def test_add_edit_delete_a_field(auth, client, app, person):
    vault = app.extensions["custos.vault"]
    assert auth.post("/data", FIELD).status_code == 302
    [item] = vault.list_fields(person)
    assert (item.category, item.name, item.value) == ("contact.email", "Home email",
                                                       "ada@lovelace.example")
    assert "ada@lovelace.example" in client.get("/data").get_data(as_text=True)

    edited = {**FIELD, "value": "ada@analytical.example"}
    assert auth.post(f"/data/{item.id}", edited).status_code == 302
    assert vault.get_field(person, item.id).value == "ada@analytical.example"

    assert auth.post(f"/data/{item.id}/delete", {}, page="/data").status_code == 302
    assert vault.list_fields(person) == []
    kinds = [e.kind for e in vault.list_events(person)]
    assert ["field_added", "field_changed", "field_deleted"] == [
        k for k in kinds if k.startswith("field_")]


@pytest.mark.parametrize("change, field, message", [
    ({"category": "no.such.category"}, "category", "Choose one of the listed categories."),
    ({"kind": "email", "value": "not an email"}, "value", "Enter an email address"),
    ({"kind": "date", "value": "31/12/2026"}, "value", "Enter a date as YYYY-MM-DD."),
    ({"kind": "phone", "value": "call me maybe"}, "value", "Enter a phone number"),
    ({"kind": "spaceship"}, "kind", "Must be one of"),
    ({"name": ""}, "name", "Missing data for required field."),
])
def test_bad_field_names_the_problem_and_changes_nothing(auth, app, person, change, field,
                                                         message):
    response = auth.post("/data", {**FIELD, **change})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error">{message}' in page
    assert app.extensions["custos.vault"].list_fields(person) == []


def test_other_persons_field_is_not_found(auth, app, client, person):
    auth.post("/data", FIELD)
    [item] = app.extensions["custos.vault"].list_fields(person)
    auth.signout()
    auth.signup(email="eve@example.org")
    assert client.get(f"/data/{item.id}").status_code == 404
    response = auth.post(f"/data/{item.id}/delete", {}, page="/data")
    assert response.status_code == 404
    assert app.extensions["custos.vault"].get_field(person, item.id) is not None


INTENT = {"category": "vehicles", "text": "An electric car with 400 km range",
          "budget": "30000", "currency": "EUR", "starts": "2026-12-01", "ends": "2027-03-01",
          "region": "Berlin", "constraints": "electric only\nno leasing", "visibility": "shown"}


def test_intent_lifecycle(auth, app, client, person):
    vault = app.extensions["custos.vault"]
    assert auth.post("/intents", INTENT).status_code == 302
    [intent] = vault.list_intents(person)
    assert intent.data["constraints"] == ["electric only", "no leasing"]
    assert intent.data["budget"] == "30000.00" and intent.status == "active"
    assert intent.visibility == "shown"
    page = client.get(f"/intents/{intent.id}").get_data(as_text=True)
    assert "electric only\nno leasing" in page

    auth.post(f"/intents/{intent.id}/status", {"status": "withdrawn"}, page="/intents")
    assert vault.get_intent(person, intent.id).status == "withdrawn"


def test_an_intent_past_its_end_says_vendors_no_longer_see_it(auth, app, client, clock, person):
    auth.post("/intents", INTENT)
    clock.now = clock.now.replace(year=2027, month=3, day=1, hour=23)
    auth.signin()
    page = client.get("/intents").get_data(as_text=True)
    assert "Ended 2027-03-01" not in page and "Active" in page  # its last day
    clock.advance(hours=1)
    auth.signin()
    page = client.get("/intents").get_data(as_text=True)
    assert "Ended 2027-03-01" in page and "vendors no longer see it" in page


@pytest.mark.parametrize("change, field", [
    ({"budget": "-5"}, "budget"),
    ({"budget": "lots"}, "budget"),
    ({"currency": "euro"}, "currency"),
    ({"currency": ""}, "currency"),
    ({"ends": "2026-01-01"}, "ends"),
    ({"starts": "soon"}, "starts"),
    ({"visibility": "everyone"}, "visibility"),
    ({"category": "weapons"}, "category"),
    ({"text": ""}, "text"),
])
def test_bad_intent_names_the_field(auth, app, person, change, field):
    response = auth.post("/intents", {**INTENT, **change})
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert app.extensions["custos.vault"].list_intents(person) == []


def test_export_holds_everything(auth, client, person):
    auth.post("/data", FIELD)
    auth.post("/intents", INTENT)
    response = auth.post("/settings/export", {}, page="/settings")
    assert response.headers["Content-Disposition"].startswith("attachment;")
    document = json.loads(response.get_data(as_text=True))
    text = json.dumps(document)
    assert "ada@lovelace.example" in text and "An electric car" in text


def test_delete_account_needs_phrase_and_password(auth, app, client, person):
    vault = app.extensions["custos.vault"]
    wrong = auth.post("/settings/delete", {"phrase": "delete", "password": "nope"},
                      page="/settings")
    assert wrong.status_code == 400
    assert vault.find_person_by_email("ada@example.org") is not None
    done = auth.post("/settings/delete", {"phrase": "delete my vault",
                                          "password": "correct horse battery"},
                     page="/settings")
    assert done.status_code == 302
    assert vault.find_person_by_email("ada@example.org") is None
    assert client.get("/data").status_code == 302


def test_navigation_marks_the_current_page(auth, client, person):
    page = client.get("/terms").get_data(as_text=True)
    assert '<a href="/terms" aria-current="page">Terms</a>' in page
    assert page.count('aria-current="page"') == 1
    receipts = client.get("/receipts").get_data(as_text=True)
    assert '<a href="/receipts" aria-current="page">Receipts</a>' in receipts
    assert receipts.count('aria-current="page"') == 1
