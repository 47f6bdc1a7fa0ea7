"""The access log page: sentences, filters, CSV/JSON export and chain verification."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from vault.agreement_events import AccessAttempted, DecisionMade, RequestSubmitted


@pytest.fixture
def person(auth, app):
    auth.signup()
    return app.extensions["custos.vault"].find_person_by_email("ada@example.org").id


def test_log_lists_entries_in_plain_words(auth, client, person):
    auth.post("/data", {"category": "contact.email", "name": "Home email", "kind": "email",
                        "value": "ada@lovelace.example"})
    page = client.get("/log").get_data(as_text=True)
    assert "You created your vault." in page and "You added “Home email”." in page
    assert "ada@lovelace.example" not in page  # the log names fields, never their values


def test_access_entries_filter_and_export(auth, client, app, person, clock):
    vault = app.extensions["custos.vault"]
    vault.record(person, AccessAttempted(client_id="c-1", grant_id="g-1", purpose="Marketing",
                                         categories=["contact.email"], outcome="refused",
                                         reasons=[{"code": "rule.deny", "text": "You deny "
                                                   "marketing use of your contact details"}]),
                 clock())
    vault.record(person, AccessAttempted(client_id="c-1", grant_id="g-1",
                                         purpose="ServiceProvision", categories=["address.city"],
                                         released=["address.city"], outcome="allowed"), clock())
    refused = client.get("/log?decision=refused").get_data(as_text=True)
    assert "You deny marketing use of your contact details" in refused
    assert "was refused email address to advertise to you" in refused
    assert "read city" not in refused
    rows = list(csv.DictReader(io.StringIO(
        client.get("/log/export.csv?decision=allowed").get_data(as_text=True))))
    assert [r["decision"] for r in rows] == ["allowed"] and rows[0]["categories"] == "address.city"
    document = json.loads(client.get("/log/export.json").get_data(as_text=True))
    assert [r["kind"] for r in document][:2] == ["access_attempted", "access_attempted"]
    assert client.get("/log/export.xml").status_code == 404


def test_verify_says_intact_then_names_the_edited_entry(auth, client, app, person):
    response = auth.post("/log/verify", {}, page="/log")
    assert "Verified: all" in response.get_data(as_text=True)
    vault = app.extensions["custos.vault"]
    with vault.transaction("write") as tx:  # someone with database access edits entry 1
        tx.run("UPDATE events SET at = ? WHERE person_id = ? AND seq = 1",
               ("2020-01-01T00:00:00.000000+00:00", person))
    page = auth.post("/log/verify", {}, page="/log").get_data(as_text=True)
    assert "The log is not intact." in page and "Entry 1:" in page


def test_log_needs_sign_in(client):
    assert client.get("/log").status_code == 302
    assert client.get("/log/export.csv").status_code == 302


def test_an_agent_grant_reads_as_an_authorisation(app, person, clock):
    from api.web.activity import describe
    from vault.agreement_events import GrantChanged

    vault = app.extensions["custos.vault"]
    vault.record(person, GrantChanged(grant_id="g", client_id="c", change="created",
                                      purpose="", categories=[]), clock())
    entry = vault.list_events(person, kinds=["grant_changed"])[0]
    assert describe(entry, {"c": "Custos butler"}.get) == \
        "Agent Custos butler authorised to act for you."


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def test_csv_export_neutralises_formulas(client, app, person, clock):
    """Issue 9, item 13: a cell that a spreadsheet would run as a formula starts with a quote."""
    registered = client.post("/oauth/register", json={
        "client_name": "=HYPERLINK(\"https://evil.example\",\"click\")",
        "redirect_uris": ["https://vendor.example/cb"]}).get_json()
    vault = app.extensions["custos.vault"]
    hostile = ["+SUM(1,2)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
    for text in hostile:
        vault.record(person, AccessAttempted(client_id=registered["client_id"], grant_id="g-1",
                                             purpose=text, categories=[text], outcome="refused",
                                             reasons=[{"code": "x", "text": text}]), clock())
    text = client.get("/log/export.csv").get_data(as_text=True)
    cells = [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]
    assert len(cells) > 9 * len(hostile)
    assert [c for c in cells if c.startswith(FORMULA_STARTS)] == []
    for value in [*hostile, "=HYPERLINK("]:
        assert any(c.startswith("'" + value) for c in cells), value  # kept, after the quote


def test_three_decision_words_whatever_the_engine_wrote(auth, client, app, person, clock):
    """Issue 10: the log says allowed, refused or asked, and filters by those three."""
    vault = app.extensions["custos.vault"]
    for effect in ("permit", "deny", "ask"):
        vault.record(person, DecisionMade(client_id="c-1", purpose="Marketing",
                                          categories=["contact.email"], effect=effect,
                                          context="authorize", terms_version=1), clock())
    page = client.get("/log").get_data(as_text=True)
    words = re.findall(r'<span class="tag decision-(\w+)">([^<]+)</span>', page)
    assert words == [("asked", "Asked you"), ("refused", "Refused"), ("allowed", "Allowed")]
    assert "your terms answered: ask you." in page
    asked = client.get("/log?decision=asked").get_data(as_text=True)
    assert re.findall(r'decision-(\w+)">', asked) == ["asked"]


def test_grouped_by_day_and_paginated(auth, client, app, person, clock):
    vault = app.extensions["custos.vault"]
    for _ in range(60):  # 60 entries on the next day: two pages
        vault.record(person, AccessAttempted(client_id="c-1", grant_id="g-1",
                                             purpose="ServiceProvision",
                                             categories=["address.city"],
                                             released=["address.city"], outcome="allowed"),
                     clock() + timedelta(days=1))
    first = client.get("/log").get_data(as_text=True)
    assert "page 1 of 2" in first and "Older entries" in first and "Newer entries" not in first
    assert first.count("<h2 id=\"day-") == 1  # only the newest day on the first page
    assert first.count("read city to provide the service you asked for") == 50
    second = client.get("/log?page=2").get_data(as_text=True)
    assert second.count("<h2 id=\"day-") == 2 and "Newer entries" in second
    assert "You created your vault." in second
    assert client.get("/log?page=x").status_code == 200  # a bad page number shows the first


def test_a_request_is_one_row_with_its_reasons_and_the_export_keeps_both(auth, client, app,
                                                                         person, clock):
    """Issue 10: one row per event. The terms' decision and the request it left waiting are
    one event for the person; the export keeps both entries of the chain."""
    vault = app.extensions["custos.vault"]
    vault.record(person, DecisionMade(client_id="c-1", purpose="ServiceProvision",
                                      categories=["contact.phone"], effect="ask",
                                      context="request", terms_version=1,
                                      reasons=[{"code": "rule.ask", "text": "Ask me first"}]),
                 clock())
    vault.record(person, RequestSubmitted(request_id="r-1", client_id="c-1",
                                          purpose="ServiceProvision",
                                          categories=["contact.phone"], status="pending"),
                 clock())
    page = client.get("/log").get_data(as_text=True)
    assert "waiting for your answer" in page and "Ask me first" in page
    assert "your terms answered" not in page  # the decision is not a row of its own
    assert page.count('<span class="tag decision-asked">') == 1
    exported = json.loads(client.get("/log/export.json").get_data(as_text=True))
    assert [r["kind"] for r in exported][:2] == ["request_submitted", "decision_made"]
    verified = auth.post("/log/verify", {}, page="/log").get_data(as_text=True)
    assert f"Verified: all {len(exported)} entries" in verified
