"""Validation: every bad input is one error naming the rule and the field; nothing half-loaded."""

from __future__ import annotations

import pytest

from policies import TermsError, load_request, load_terms


def rule(**kw) -> dict:
    return {"terms": {"rules": [{"id": "r1", "effect": "deny", **kw}]}}


BAD_TERMS = [
    (
        {"rules": [{"id": "r1", "effect": "deny", "purposes": ["Marketting"]}]},
        "rules[r1].purposes.0",
        "unknown purpose",
    ),
    (
        {"rules": [{"id": "r1", "effect": "deny", "categories": ["contact.fax"]}]},
        "rules[r1].categories.0",
        "unknown category",
    ),
    ({"rules": [{"id": "r1", "effect": "maybe"}]}, "rules[r1].effect", "Must be one of"),
    (
        {"rules": [{"id": "w", "effect": "permit", "actions": ["delete"]}]},
        "rules[w].actions.0",
        "Must be one of",
    ),
    ({"rules": [{"id": "w", "effect": "permit", "actions": []}]}, "rules[w].actions",
     "choose at least one"),
    (
        {
            "rules": [
                {
                    "id": "r1",
                    "effect": "deny",
                    "conditions": [{"field": "retention_days", "op": "has", "value": 3}],
                }
            ]
        },
        "rules[r1].conditions.0.op",
        "unknown operator",
    ),
    (
        {
            "rules": [
                {
                    "id": "r1",
                    "effect": "deny",
                    "conditions": [{"field": "shoe_size", "op": "eq", "value": 3}],
                }
            ]
        },
        "rules[r1].conditions.0.field",
        "Must be one of",
    ),
    (
        {
            "rules": [
                {
                    "id": "r1",
                    "effect": "deny",
                    "conditions": [
                        {"field": "retention_days", "op": "gt", "value": 30},
                        {"field": "retention_days", "op": "lt", "value": 10},
                    ],
                }
            ]
        },
        "rules[r1].conditions",
        "contradictory",
    ),
    (
        {
            "rules": [
                {
                    "id": "r1",
                    "effect": "deny",
                    "conditions": [
                        {"field": "third_party_sharing", "op": "eq", "value": True},
                        {"field": "third_party_sharing", "op": "eq", "value": False},
                    ],
                }
            ]
        },
        "rules[r1].conditions",
        "contradictory",
    ),
    (
        {"rules": [{"id": "r1", "effect": "deny", "valid_from": "2025-02-30T00:00:00Z"}]},
        "rules[r1].valid_from",
        "Not a valid datetime",
    ),
    (
        {
            "rules": [
                {
                    "id": "r1",
                    "effect": "deny",
                    "valid_from": "2025-03-01T00:00:00Z",
                    "valid_until": "2025-02-01T00:00:00Z",
                }
            ]
        },
        "rules[r1].valid_until",
        "contradictory",
    ),
    (
        {"rules": [{"id": "r1", "effect": "deny", "hours": {"from": "09:00", "to": "09:00"}}]},
        "rules[r1].hours",
        "contradictory",
    ),
    (
        {"rules": [{"id": "r1", "effect": "deny", "hours": {"from": "25:00", "to": "09:00"}}]},
        "rules[r1].hours.from",
        "Not a valid time",
    ),
    (
        {"rules": [{"id": "r1", "effect": "deny", "frequency": {"max": 2, "per": "day"}}]},
        "rules[r1].frequency",
        "permit rule",
    ),
    (
        {"rules": [{"id": "r1", "effect": "permit", "frequency": {"max": 2, "per": "fortnight"}}]},
        "rules[r1].frequency.per",
        "Must be one of",
    ),
    (
        {"rules": [{"id": "r1", "effect": "deny", "purposes": []}]},
        "rules[r1].purposes",
        "must not be empty",
    ),
    (
        {"rules": [{"id": "r1", "effect": "deny", "days": ["funday"]}]},
        "rules[r1].days.0",
        "Must be one of",
    ),
    (
        {"rules": [{"id": "r1", "effect": "deny", "colour": "red"}]},
        "rules[r1].colour",
        "Unknown field",
    ),
    (
        {"rules": [{"id": "r1", "effect": "deny"}, {"id": "r1", "effect": "permit"}]},
        "rules[r1].id",
        "duplicate",
    ),
    ({"rules": [{"effect": "deny"}]}, "rules[0].id", "Missing data"),
    ({"default": "sometimes"}, "default", "Must be one of"),
    ({"version": 0}, "version", "greater than or equal"),
    (
        {
            "rules": [
                {
                    "id": "r1",
                    "effect": "deny",
                    "conditions": [{"field": "purpose", "op": "in", "value": ["Nope"]}],
                }
            ]
        },
        "rules[r1].conditions.0.value",
        "unknown purpose",
    ),
]


@pytest.mark.parametrize(
    ("data", "field", "message"), BAD_TERMS, ids=[b[1] + ":" + b[2] for b in BAD_TERMS]
)
def test_bad_terms_name_the_rule_and_field(data: dict, field: str, message: str) -> None:
    with pytest.raises(TermsError) as info:
        load_terms(data)
    assert field in info.value.messages, info.value.messages
    assert any(message in m for m in info.value.messages[field])
    assert field in str(info.value)


def test_one_bad_rule_loads_nothing() -> None:
    good = {"id": "ok", "effect": "permit"}
    with pytest.raises(TermsError) as info:
        load_terms({"rules": [good, {"id": "bad", "effect": "deny", "purposes": ["X"]}]})
    assert list(info.value.messages) == ["rules[bad].purposes.0"]
    assert info.value.to_dict()["error"] == "invalid_terms"


BAD_REQUESTS = [
    ({"purpose": "Marketing", "categories": ["contact"]}, "vendor"),
    ({"vendor": {"id": "a"}, "purpose": "Nope", "categories": ["contact"]}, "purpose"),
    ({"vendor": {"id": "a"}, "purpose": "Marketing", "categories": []}, "categories"),
    ({"vendor": {"id": "a"}, "purpose": "Marketing", "categories": ["x.y"]}, "categories.0"),
    ({"vendor": {"id": "a"}, "purpose": "Marketing", "categories": ["contact"],
      "action": "erase"}, "action"),
    (
        {
            "vendor": {"id": "a"},
            "purpose": "Marketing",
            "categories": ["contact"],
            "retention_days": -1,
        },
        "retention_days",
    ),
    (
        {
            "vendor": {"id": "a"},
            "purpose": "Marketing",
            "categories": ["contact"],
            "counts": {"fortnight": 1},
        },
        "counts.fortnight.key",
    ),
    (
        {
            "vendor": {"id": "a"},
            "purpose": "Marketing",
            "categories": ["contact"],
            "time": "yesterday",
        },
        "time",
    ),
]


@pytest.mark.parametrize(("data", "field"), BAD_REQUESTS, ids=[b[1] for b in BAD_REQUESTS])
def test_bad_requests_name_the_field(data: dict, field: str) -> None:
    with pytest.raises(TermsError) as info:
        load_request(data)
    assert field in info.value.messages, info.value.messages


def test_not_an_object() -> None:
    with pytest.raises(TermsError):
        load_terms([])
    with pytest.raises(TermsError):
        load_request("x")


def test_a_version_given_by_the_store_wins_over_the_documents_own() -> None:
    from policies import load_terms

    assert load_terms({"version": "not a number", "rules": []}, version=4).version == 4
    assert load_terms({"rules": []}, version=0).version == 0  # never saved
    assert load_terms({"version": 3, "rules": []}).version == 3  # a file's own number
    with pytest.raises(ValueError, match="0 or more"):
        load_terms({"rules": []}, version=-1)
