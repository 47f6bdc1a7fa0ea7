"""Hypothesis strategies for terms and requests, shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

PURPOSES = [
    "Marketing",
    "DirectMarketing",
    "PersonalisedAdvertising",
    "ServiceProvision",
    "DeliveryOfGoods",
    "Personalisation",
    "ResearchAndDevelopment",
    "AcademicResearch",
]
CATEGORIES = [
    "contact",
    "contact.email",
    "contact.phone",
    "address",
    "address.city",
    "demographics.age",
    "preferences",
    "preferences.likes",
    "financial.income",
]
VENDORS = ["acme", "badco", "uni"]
CONDITIONS = [
    {"field": "retention_days", "op": "lte", "value": 30},
    {"field": "retention_days", "op": "gt", "value": 365},
    {"field": "third_party_sharing", "op": "eq", "value": True},
    {"field": "third_party_sharing", "op": "eq", "value": False},
    {"field": "answers_intent", "op": "eq", "value": True},
    {"field": "vendor.certifications", "op": "has", "value": ["b-corp"]},
    {"field": "vendor.verified_certifications", "op": "has_any", "value": ["b-corp"]},
    {"field": "vendor.jurisdiction", "op": "in", "value": ["EU"]},
    {"field": "recipients", "op": "has_none", "value": ["broker"]},
    {"field": "purpose", "op": "not_in", "value": ["DirectMarketing"]},
]


def _maybe(values: list, most: int = 3):
    return st.none() | st.lists(st.sampled_from(values), min_size=1, max_size=most, unique=True)


@st.composite
def rules(draw, rule_id: str, effect=None) -> dict:
    rule = {"id": rule_id, "effect": effect or draw(st.sampled_from(["permit", "deny", "ask"]))}
    for key, values in (("purposes", PURPOSES), ("categories", CATEGORIES), ("vendors", VENDORS)):
        scope = draw(_maybe(values))
        if scope is not None:
            rule[key] = scope
    conditions = draw(st.lists(st.sampled_from(CONDITIONS), max_size=2, unique_by=str))
    if conditions and not (len({c["field"] for c in conditions}) < len(conditions)):
        rule["conditions"] = conditions
    if rule["effect"] == "permit" and draw(st.booleans()):
        rule["frequency"] = {"max": draw(st.integers(0, 3)), "per": "day"}
    if draw(st.booleans()):
        rule["hours"] = {"from": "08:00", "to": draw(st.sampled_from(["12:00", "02:00"]))}
    return rule


@st.composite
def terms(draw) -> dict:
    n = draw(st.integers(0, 6))
    return {
        "version": draw(st.integers(1, 5)),
        "default": draw(st.sampled_from(["permit", "deny", "ask"])),
        "rules": [draw(rules(f"r{i}")) for i in range(n)],
    }


@st.composite
def requests(draw) -> dict:
    return {
        "vendor": {
            "id": draw(st.sampled_from(VENDORS)),
            "jurisdiction": draw(st.sampled_from([None, "EU", "US"])),
            "certifications": draw(st.lists(st.sampled_from(["b-corp"]), max_size=1)),
            "verified_certifications": draw(st.lists(st.sampled_from(["b-corp"]), max_size=1)),
        },
        "purpose": draw(st.sampled_from(PURPOSES)),
        "categories": draw(
            st.lists(st.sampled_from(CATEGORIES), min_size=1, max_size=4, unique=True)
        ),
        "retention_days": draw(st.none() | st.integers(0, 400)),
        "third_party_sharing": draw(st.booleans()),
        "recipients": draw(st.lists(st.sampled_from(["broker", "courier"]), max_size=1)),
        "intent": draw(st.none() | st.just("intent-1")),
        "counts": {"day": draw(st.integers(0, 4))},
    }
