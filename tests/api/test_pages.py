"""Personal data, intents, export and account deletion through the pages."""

from __future__ import annotations

import json
import re

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
    ({"value": "not an email"}, "value", "Enter an email address such as name@example.org."),
    ({"category": "demographics.birthdate", "value": "soon"}, "value",
     "Enter a date such as 25 November 1990."),
    ({"category": "demographics.birthdate", "value": "03/04/1990"}, "value",
     "“03/04/1990” could be 3 April or March 4: write the month as a word, such as "
     "3 April 1990."),
    ({"category": "contact.phone", "value": "call me maybe"}, "value",
     "Enter a phone number: digits, spaces and an optional leading +, such as +49 30 1234567."),
    ({"category": "financial.income", "value": "5,2000"}, "value",
     "Enter a number such as 52,000 or 3.5 (did you mean 52,000?)."),
    ({"category": "financial.income", "value": "NaN"}, "value",
     "Enter a number such as 52,000 or 3.5."),
    ({"name": ""}, "name", "Give it a name, such as “Home email”."),
    ({"value": ""}, "value", "Enter the value."),
])
def test_bad_field_names_the_problem_and_changes_nothing(auth, app, person, change, field,
                                                         message):
    response = auth.post("/data", {**FIELD, **change})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field}-error">{message}' in page
    assert app.extensions["custos.vault"].list_fields(person) == []


def test_the_category_sets_the_type(auth, app, person):
    """An email address is an email address, whatever type the form claims."""
    response = auth.post("/data", {**FIELD, "kind": "number", "value": "42"})
    assert response.status_code == 400
    assert 'id="value-error">Enter an email address' in response.get_data(as_text=True)
    assert app.extensions["custos.vault"].list_fields(person) == []
    auth.post("/data", {"category": "address.city", "name": "City", "kind": "email",
                        "value": "Hamburg"})
    [city] = app.extensions["custos.vault"].list_fields(person)
    assert city.kind == "text"


@pytest.mark.parametrize("category, typed, stored, kind", [
    ("financial.income", "52,000", "52000", "number"),
    ("professional.salary", "1,234.50", "1234.50", "number"),
    ("household.size", "3", "3", "number"),
    ("financial.income", "52 000", "52000", "number"),
    ("demographics.birthdate", "1990-11-25", "1990-11-25", "date"),
    ("demographics.birthdate", "25.11.1990", "1990-11-25", "date"),
    ("demographics.birthdate", "25/11/1990", "1990-11-25", "date"),
    ("demographics.birthdate", "11/25/1990", "1990-11-25", "date"),
    ("demographics.birthdate", "25 November 1990", "1990-11-25", "date"),
    ("demographics.birthdate", "Nov 25, 1990", "1990-11-25", "date"),
    ("contact.phone", "+49 30 1234567", "+49 30 1234567", "phone"),
])
def test_numbers_and_dates_as_people_write_them(auth, app, person, category, typed, stored,
                                                 kind):
    response = auth.post("/data", {"category": category, "name": "It", "value": typed})
    assert response.status_code == 302, response.get_data(as_text=True)
    [item] = app.extensions["custos.vault"].list_fields(person)
    assert (item.value, item.kind) == (stored, kind)


def test_the_value_input_fits_the_category(auth, client, app, person):
    auth.post("/data", {"category": "demographics.birthdate", "name": "Born",
                        "value": "1990-11-25"})
    auth.post("/data", {"category": "financial.income", "name": "Income", "value": "52,000"})
    fields = {f.name: f for f in app.extensions["custos.vault"].list_fields(person)}
    born, income = fields["Born"], fields["Income"]
    edit = client.get(f"/data/{born.id}").get_data(as_text=True)
    assert re.search(r'<input id="value" name="value" type="date"[^>]*value="1990-11-25"', edit)
    edit = client.get(f"/data/{income.id}").get_data(as_text=True)
    assert re.search(r'<input id="value" name="value" type="text" inputmode="decimal"', edit)
    assert "<td data-label=\"Value\">52,000</td>" in client.get("/data").get_data(as_text=True)


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


def test_intent_budget_with_thousands_and_local_dates(auth, app, person):
    auth.post("/intents", {**INTENT, "budget": "30,000", "starts": "1.12.2026"})
    [intent] = app.extensions["custos.vault"].list_intents(person)
    assert intent.data["budget"] == "30000.00" and intent.data["starts"] == "2026-12-01"


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


def test_errors_are_summed_up_at_the_top_and_tied_to_their_fields(auth, client, person):
    response = auth.post("/data", {**FIELD, "name": "", "value": "not an email"})
    page = response.get_data(as_text=True)
    summary = re.search(r'<div class="error-summary" role="alert" tabindex="-1"'
                        r' aria-labelledby="error-summary-title">(.*?)</div>', page, re.S)
    assert summary, "no error summary"
    assert page.index("error-summary") < page.index("<h1")  # at the top
    links = re.findall(r'<a href="#([\w-]+)">([^<]+)</a>', summary.group(1))
    assert [target for target, _ in links] == ["name", "value"]
    for target, text in links:  # the summary says what the field says
        assert f'<span class="error" id="{target}-error">{text}</span>' in page
    assert 'aria-describedby="name-hint name-error"' in page  # the hint is kept
    assert re.search(r'id="value"[^>]*aria-invalid="true" '
                     r'aria-describedby="value-hint value-error"', page)
    assert "error-summary" not in client.get("/data").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/no-such-page", "/data/no-such-field"])
def test_unknown_addresses_answer_a_page_in_plain_words(client, auth, path):
    """Issue 10, 7: the framework's bare 404 page."""
    auth.signup()
    response = client.get(path)
    text = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in text and "requested URL" not in text
    assert 'href="/">Go to your vault’s home page</a>' in text
    assert client.get("/api/v1/no-such-thing").is_json  # the API still answers JSON
