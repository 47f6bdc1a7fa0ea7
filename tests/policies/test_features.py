"""Vocabulary, agreements, offers, what-if, analysis and the Decision value."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from policies import Effect, compile_terms, decide, evaluate, load_request, load_terms, vocab
from policies.agreements import adopt, drop, expand, roster
from policies.analysis import CONFLICT, NEVER, SHADOWED, analyse
from policies.codes import DECISION_CODES
from policies.errors import TermsError, UnknownConcept
from policies.offers import Intent, filter_offer, intent_live, load_offer
from policies.serialize import dump_request, dump_terms
from policies.whatif import vendors_cut_off, what_if

from .conftest import HERE, NOW, load_json

CASES = load_json("cases.json")


def test_vocab_lookups() -> None:
    email = vocab.category("contact.email")
    assert email.iri == "https://w3id.org/dpv/pd#EmailAddress"
    assert email.parent == "contact" and email.label and email.definition
    assert vocab.category("pd:EmailAddress") == vocab.category(email.iri) == email
    assert vocab.category("contact.*").id == "contact"
    assert vocab.purpose("https://w3id.org/dpv#Marketing").id == "Marketing"
    assert vocab.narrower_or_equal("PersonalisedAdvertising", "Marketing")
    assert not vocab.narrower_or_equal("Marketing", "PersonalisedAdvertising")
    assert vocab.narrower_or_equal("demographics.age", "demographics")
    assert vocab.is_category("household.size") and not vocab.is_category("nope")
    with pytest.raises(UnknownConcept):
        vocab.purpose("Marketting")
    assert {g.id for g in vocab.groups()} >= {
        "contact",
        "address",
        "demographics",
        "household",
        "financial",
        "preferences",
    }
    assert len(vocab.purposes()) > 100 and len(vocab.categories(include_dpv=True)) > 200


def test_every_friendly_category_sits_under_its_group() -> None:
    for c in vocab.categories():
        if "." in c.id:
            assert vocab.narrower_or_equal(c.id, c.id.rsplit(".", 1)[0]), c.id
        assert c.to_dict()["iri"] == c.iri


def test_decision_is_frozen_and_serialisable() -> None:
    terms = load_terms(CASES["terms"]["basic"])
    req = load_request(
        {"vendor": {"id": "a"}, "purpose": "Marketing", "categories": ["contact.email"]}
    )
    d = decide(terms, req, NOW)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.effect = Effect.PERMIT  # type: ignore[misc]
    out = d.to_dict()
    assert out["effect"] == "deny" and out["terms_version"] == 3
    assert out["reasons"][0]["text"] == (
        "You refuse to let vendors use your contact details to advertise to you")
    assert set(d.codes) <= set(DECISION_CODES)
    assert d.reasons_for("contact.email")[0].rule_id == "no-marketing-contact"


def test_needs_a_clock() -> None:
    req = load_request({"vendor": {"id": "a"}, "purpose": "Marketing", "categories": ["contact"]})
    with pytest.raises(TermsError):
        evaluate(compile_terms(load_terms({})), req)


def test_dump_round_trips() -> None:
    for data in CASES["terms"].values():
        terms = load_terms(data)
        assert load_terms(dump_terms(terms)) == terms
    req = load_request(CASES["cases"][0]["request"])
    assert load_request(dump_request(req)) == req


@pytest.mark.parametrize("agreement", [a.id for a in roster()])
def test_agreements_expand_into_readable_rules(agreement: str) -> None:
    rules = expand(agreement)
    assert rules and all(r["id"].startswith(agreement + ":") for r in rules)
    terms = load_terms(adopt({}, agreement))
    assert all(
        compile_terms(terms).rules[i].reason.text.startswith("You ") for i in range(len(rules))
    )
    assert adopt(adopt({}, agreement), agreement) == adopt({}, agreement)
    assert drop(adopt({}, agreement), agreement)["rules"] == []


def test_service_delivery_only_in_practice() -> None:
    terms = load_terms(adopt({}, "service-delivery-only"))
    base = {"vendor": {"id": "shop"}, "categories": ["address.city"]}
    assert (
        decide(terms, load_request({**base, "purpose": "DeliveryOfGoods"}), NOW).effect == "permit"
    )
    assert (
        decide(terms, load_request({**base, "purpose": "TargetedAdvertising"}), NOW).effect
        == "deny"
    )
    shared = {**base, "purpose": "DeliveryOfGoods", "third_party_sharing": True}
    assert decide(terms, load_request(shared), NOW).effect == "deny"
    with pytest.raises(TermsError):
        expand("no-such-agreement")


INTENT = Intent(id="car", category="vehicles.cars", budget=Decimal("30000"), currency="EUR")
OFFER = {
    "vendor": {"id": "volt", "certifications": ["b-corp"]},
    "intent": "car",
    "category": "vehicles.cars.electric",
    "price": "29000",
    "currency": "EUR",
}


@pytest.mark.parametrize(
    ("offers", "offer", "intent", "codes"),
    [
        ({}, {}, INTENT, ["offer.delivered"]),
        ({"blocklist": ["volt"]}, {}, INTENT, ["offer.blocked_vendor"]),
        ({}, {"price": "31000"}, INTENT, ["offer.over_budget"]),
        ({}, {"currency": "USD"}, INTENT, ["offer.currency_mismatch"]),
        ({}, {"category": "vehicles.bikes"}, INTENT, ["offer.category_mismatch"]),
        ({}, {}, None, ["offer.no_intent"]),
        (
            {"require_certifications": ["b-corp"], "require_verified": True},
            {},
            INTENT,
            ["offer.missing_certification"],
        ),
        (
            {"max_per_vendor": {"max": 2, "per": "week"}},
            {"counts": {"week": 2}},
            INTENT,
            ["offer.too_many"],
        ),
        ({"within_budget": False}, {"price": "99999"}, INTENT, ["offer.delivered"]),
        # Issue 9 item 17: an ended intent or an expired offer is never delivered.
        ({}, {"valid_until": (NOW - timedelta(seconds=1)).isoformat()}, INTENT,
         ["offer.expired"]),
        ({}, {"valid_until": NOW.isoformat()}, INTENT, ["offer.expired"]),
        ({}, {"valid_until": (NOW + timedelta(days=1)).isoformat()}, INTENT,
         ["offer.delivered"]),
        ({}, {}, dataclasses.replace(INTENT, ends=NOW.date() - timedelta(days=1)),
         ["offer.intent_ended"]),
        ({}, {}, dataclasses.replace(INTENT, ends=NOW.date()), ["offer.delivered"]),
        ({}, {}, dataclasses.replace(INTENT, active=False), ["offer.no_intent"]),
    ],
)
def test_offer_filter(offers: dict, offer: dict, intent, codes: list) -> None:
    rules = load_terms({"offers": offers}).offers
    decision = filter_offer(rules, load_offer({**OFFER, **offer}), intent, NOW)
    assert [r.code for r in decision.reasons] == codes
    assert decision.deliver == (codes == ["offer.delivered"])
    assert decision.to_dict()["action"] in ("deliver", "filter")


@pytest.mark.parametrize(("status", "ends", "at", "live"), [
    ("active", None, "2027-02-28T23:59:59+00:00", True),
    ("active", "2027-02-28", "2027-02-28T23:59:59+00:00", True),  # through its last day (UTC)
    ("active", "2027-02-28", "2027-03-01T00:00:00+00:00", False),
    ("active", "2027-02-28", "2027-03-01T00:30:00+01:00", True),  # still the 28th in UTC
    ("withdrawn", None, "2027-01-01T00:00:00+00:00", False),
    ("fulfilled", "2099-01-01", "2027-01-01T00:00:00+00:00", False),
    ("active", "end of March", "2027-01-01T00:00:00+00:00", False),  # unreadable: fail closed
])
def test_intent_is_live_while_active_and_not_past_its_end(status, ends, at, live) -> None:
    assert intent_live(status, ends, datetime.fromisoformat(at)) is live


def test_what_if_lists_changed_answers() -> None:
    old = load_terms({"rules": [{"id": "ok", "effect": "permit", "purposes": ["Marketing"]}]})
    new = load_terms(
        {
            "version": 2,
            "rules": [
                {"id": "ok", "effect": "permit", "purposes": ["Marketing"]},
                {"id": "no-email", "effect": "deny", "categories": ["contact.email"]},
            ],
        }
    )
    reqs = {
        "grant-1": load_request(
            {
                "vendor": {"id": "a"},
                "purpose": "Marketing",
                "categories": ["contact.email", "contact.phone"],
            }
        ),
        "grant-2": load_request(
            {"vendor": {"id": "b"}, "purpose": "Marketing", "categories": ["contact.phone"]}
        ),
    }
    changes = what_if(old, new, reqs, NOW)
    assert [c.key for c in changes] == ["grant-1"]
    assert changes[0].lost == ("contact.email",) and vendors_cut_off(changes) == ["a"]
    assert changes[0].to_dict()["after"]["effect"] == "deny"


def test_analysis_per_rule() -> None:
    terms = load_terms(
        {
            "rules": [
                {"id": "no-marketing", "effect": "deny", "purposes": ["Marketing"]},
                {
                    "id": "ads-ok",
                    "effect": "permit",
                    "purposes": ["Advertising"],
                    "categories": ["contact.email"],
                },
                {"id": "service", "effect": "permit", "purposes": ["ServiceProvision"]},
                {
                    "id": "no-sharing",
                    "effect": "deny",
                    "conditions": [{"field": "third_party_sharing", "op": "eq", "value": True}],
                },
                {
                    "id": "old",
                    "effect": "permit",
                    "valid_until": (NOW - timedelta(days=1)).isoformat(),
                },
                {"id": "capped", "effect": "permit", "frequency": {"max": 0, "per": "day"}},
            ]
        }
    )
    found = analyse(terms, NOW)
    assert [(f.kind, f.other) for f in found["ads-ok"]][0] == (SHADOWED, "no-marketing")
    assert any(f.kind == CONFLICT and f.other == "no-sharing" for f in found["service"])
    assert [f.kind for f in found["old"]][0] == NEVER
    assert [f.kind for f in found["capped"]][0] == NEVER
    assert set(found) == {r.id for r in terms.rules}


def test_policies_is_pure() -> None:
    code = (
        "import sys, policies, policies.agreements, policies.offers, policies.whatif, "
        "policies.analysis, policies.odrl_export; "
        "print(sorted(m for m in ('flask', 'rdflib', 'vault', 'api') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_docs_match_the_vocabulary() -> None:
    doc = (HERE.parent.parent / "docs" / "policies.md").read_text(encoding="utf-8")
    for c in vocab.categories():
        assert f"| `{c.id}` |" in doc, c.id
    for a in roster():
        assert f"`{a.id}`" in doc, a.id
