"""The terms page: adopt an agreement, add/edit/reorder/delete rules, preview, try, save."""

from __future__ import annotations

import json
import re

import pytest

from tests.oauth.conftest import Flow, Vendors


@pytest.fixture
def person(auth, app):
    auth.signup()
    return app.extensions["custos.vault"].find_person_by_email("ada@example.org").id


def saved(app, person) -> dict:
    stored = app.extensions["custos.vault"].agreements.terms.get(person)
    return stored.body if stored else {}


def candidate(response) -> str:
    match = re.search(r'name="candidate" value="([^"]+)"', response.get_data(as_text=True))
    assert match, "the preview has no candidate"
    import html

    return html.unescape(match.group(1))


def test_adopt_a_standard_agreement_previews_then_saves(auth, app, client, person):
    page = client.get("/terms").get_data(as_text=True)
    assert "Service delivery only" in page or "service" in page.lower()
    preview = auth.post("/terms/adopt", {"agreement": "service-delivery-only"}, page="/terms")
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "Check your change before saving" in text
    assert "No current connection is affected." in text
    assert saved(app, person) == {}  # nothing saved yet
    done = auth.post("/terms/save", {"candidate": candidate(preview)}, page="/terms")
    assert done.status_code == 302
    body = saved(app, person)
    assert body["agreements"] == ["service-delivery-only"] and len(body["rules"]) >= 3
    assert "Saved version 1 of your terms." in client.get("/terms").get_data(as_text=True)


RULE = {"label": "No marketing with my contact details", "effect": "deny",
        "categories": ["contact"], "purposes": ["Marketing"]}


def test_add_a_rule_in_plain_words(auth, app, client, person):
    preview = auth.post("/terms/rules", RULE, page="/terms")
    assert "No marketing with my contact details" in preview.get_data(as_text=True)
    auth.post("/terms/save", {"candidate": candidate(preview)}, page="/terms")
    [rule] = saved(app, person)["rules"]
    assert rule["effect"] == "deny" and rule["purposes"] == ["Marketing"]
    page = client.get("/terms").get_data(as_text=True)
    assert "Refuse" in page and "No marketing with my contact details" in page


@pytest.mark.parametrize("change, words", [
    ({"purposes": ["Marketting"]}, "unknown purpose"),
    ({"categories": ["contact.telepathy"]}, "unknown category"),
    ({"effect": "maybe"}, "effect"),
    ({"max_retention": "forever"}, "retention"),
    ({"valid_from": "2027-01-01", "valid_until": "2026-01-01"}, "valid"),
])
def test_bad_rule_shows_the_problem_and_keeps_the_form(auth, app, person, change, words):
    response = auth.post("/terms/rules", {**RULE, **change}, page="/terms")
    text = response.get_data(as_text=True)
    assert response.status_code == 400
    assert words.lower() in text.lower()
    assert 'value="No marketing with my contact details"' in text  # what was typed stays
    assert saved(app, person) == {}


def _save_rules(auth, *rules):
    for rule in rules:
        preview = auth.post("/terms/rules", rule, page="/terms")
        auth.post("/terms/save", {"candidate": candidate(preview)}, page="/terms")


def test_reorder_edit_and_delete(auth, app, person):
    second = {**RULE, "label": "Ask before any analytics", "effect": "ask",
              "purposes": ["ServiceUsageAnalytics"]}
    _save_rules(auth, RULE, second)
    first_id, second_id = [r["id"] for r in saved(app, person)["rules"]]
    preview = auth.post(f"/terms/rules/{second_id}", {"action": "up"}, page="/terms")
    auth.post("/terms/save", {"candidate": candidate(preview)}, page="/terms")
    assert [r["id"] for r in saved(app, person)["rules"]] == [second_id, first_id]
    edited = auth.post(f"/terms/rules/{first_id}", {**RULE, "effect": "ask"},
                       page=f"/terms/rules/{first_id}")
    auth.post("/terms/save", {"candidate": candidate(edited)}, page="/terms")
    assert saved(app, person)["rules"][1]["effect"] == "ask"
    gone = auth.post(f"/terms/rules/{second_id}", {"action": "delete"}, page="/terms")
    auth.post("/terms/save", {"candidate": candidate(gone)}, page="/terms")
    assert [r["id"] for r in saved(app, person)["rules"]] == [first_id]


def test_shadowed_rule_is_flagged_beside_it(auth, app, client, person):
    everything = {"label": "Refuse all marketing", "effect": "deny", "purposes": ["Marketing"]}
    narrower = {"label": "Allow ads on my preferences", "effect": "permit",
                "purposes": ["PersonalisedAdvertising"], "categories": ["preferences"]}
    _save_rules(auth, everything, narrower)
    page = client.get("/terms").get_data(as_text=True)
    assert "⚠" in page


def test_try_a_request_shows_the_decision_and_reasons(auth, person):
    _save_rules(auth, RULE)
    result = auth.post("/terms/try", {"purpose": "Marketing", "categories": ["contact.email"]},
                       page="/terms")
    text = result.get_data(as_text=True)
    assert "Answer: Refuse" in text and "marketing" in text.lower()


def test_what_if_warns_before_cutting_a_vendor(app, auth, client, person):
    vault = app.extensions["custos.vault"]
    vault.add_field(person, category="contact.email", name="Email", kind="email",
                    value="ada@example.org", now=app.extensions["custos.clock"]())
    vendor = Vendors(client).register()
    tokens = Flow(client).tokens(vendor, scope="data:contact.email purpose:ServiceProvision")
    harmless = {"label": "No selling my income", "effect": "deny",
                "categories": ["financial.income"]}
    preview = auth.post("/terms/rules", harmless, page="/terms")
    assert "No current connection is affected." in preview.get_data(as_text=True)
    preview = auth.post("/terms/default", {"default": "deny"}, page="/terms")
    text = preview.get_data(as_text=True)
    assert "This change will cut off 1 vendor" in text and "Acme Cars" in text
    assert Flow(client).read(tokens["access_token"]).status_code == 200  # not yet
    auth.post("/terms/save", {"candidate": candidate(preview)}, page="/terms")
    assert Flow(client).read(tokens["access_token"]).status_code == 401


def test_odrl_download_round_trips(auth, client, person):
    from policies.odrl_import import import_odrl

    _save_rules(auth, RULE)
    document = client.get("/terms/odrl").get_data(as_text=True)
    terms = import_odrl(document)
    assert [r.effect.value for r in terms.rules] == ["deny"]
    assert json.loads(document)["@type"] in ("Set", "odrl:Set")


def test_tampered_candidate_is_refused(auth, app, person):
    response = auth.post("/terms/save", {"candidate": "{not json"}, page="/terms")
    assert response.status_code == 400
    bad = json.dumps({"rules": [{"id": "x", "effect": "deny", "purposes": ["Nope"]}]})
    assert auth.post("/terms/save", {"candidate": bad}, page="/terms").status_code == 400
    assert saved(app, person) == {}


def test_auto_approve_is_a_previewed_terms_change(auth, app, client, person):
    preview = auth.post("/terms/auto-approve", {"auto_approve": "1"}, page="/terms")
    auth.post("/terms/save", {"candidate": candidate(preview)}, page="/terms")
    assert saved(app, person)["auto_approve"] is True
    assert 'name="auto_approve" value="1" checked' in client.get("/terms").get_data(as_text=True)
    preview = auth.post("/terms/auto-approve", {}, page="/terms")
    auth.post("/terms/save", {"candidate": candidate(preview)}, page="/terms")
    assert saved(app, person)["auto_approve"] is False


def test_conflict_warnings_only_on_a_permission_a_stricter_rule_takes_back(auth, client, person):
    allow = {"label": "Services may use my contact details", "effect": "permit",
             "purposes": ["ServiceProvision"], "categories": ["contact"]}
    ask_phone = {"label": "Ask me about my phone", "effect": "ask",
                 "categories": ["contact.phone"]}
    no_ads = {"label": "No advertising", "effect": "deny", "purposes": ["Advertising"]}
    _save_rules(auth, allow, ask_phone, no_ads)
    page = client.get("/terms").get_data(as_text=True)
    warnings = re.findall(r'<p class="warning" role="note">⚠ ([^<]+)</p>', page)
    assert warnings == ["Where it and rule “Ask me about my phone” both apply, “Ask me about "
                        "my phone” (ask) wins"]


def test_rule_for_one_vendor_with_a_frequency(auth, app, client, person):
    vendor = Vendors(client).register()
    rule = {"label": "Acme may read my email twice a day", "effect": "permit",
            "categories": ["contact.email"], "vendors": [vendor["client_id"]],
            "frequency_max": "2", "frequency_per": "day"}
    preview = auth.post("/terms/rules", rule, page="/terms")
    auth.post("/terms/save", {"candidate": candidate(preview)}, page="/terms")
    [saved_rule] = saved(app, person)["rules"]
    assert saved_rule["vendors"] == [vendor["client_id"]]
    assert saved_rule["frequency"] == {"max": 2, "per": "day"}
    edit = client.get(f"/terms/rules/{saved_rule['id']}").get_data(as_text=True)
    assert f'value="{vendor["client_id"]}" selected' in edit
    assert 'id="frequency_max" name="frequency_max" inputmode="numeric" value="2"' in edit
    bad = auth.post("/terms/rules", {**rule, "effect": "deny"}, page="/terms")
    assert bad.status_code == 400 and "frequency" in bad.get_data(as_text=True).lower()
