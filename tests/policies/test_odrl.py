"""ODRL 2.2 import and export: ported SolidLab cases, OAC style, and unsupported constructs."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from policies import OdrlError, decide, load_request, load_terms
from policies.odrl_export import export_odrl
from policies.odrl_import import import_odrl

from .conftest import HERE, NOW, load_json

SOLIDLAB = HERE / "data" / "solidlab"
CASES = load_json("odrl_cases.json")["cases"]


@pytest.mark.parametrize("case", CASES, ids=[c["source"] for c in CASES])
def test_solidlab_cases(case: dict) -> None:
    terms = import_odrl((SOLIDLAB / case["file"]).read_text())
    request = load_request(
        {
            "vendor": {"id": case["vendor"]},
            "purpose": case["purpose"],
            "categories": ["contact.email"],
        }
    )
    assert decide(terms, request, datetime.fromisoformat(case["now"])).effect == case["effect"]


def test_read_permission_does_not_allow_sharing() -> None:
    terms = import_odrl((SOLIDLAB / "purpose-eq.ttl").read_text())
    request = load_request(
        {
            "vendor": {"id": "http://example.org/alice"},
            "purpose": "AccountManagement",
            "categories": ["contact.email"],
            "third_party_sharing": True,
        }
    )
    assert decide(terms, request, NOW).effect == "ask"


OAC = {
    "@context": [
        "http://www.w3.org/ns/odrl.jsonld",
        {"oac": "https://w3id.org/oac#", "dpv": "https://w3id.org/dpv#"},
    ],
    "@type": "Set",
    "uid": "urn:example:policy:1",
    "profile": "https://w3id.org/oac",
    "permission": [
        {
            "uid": "urn:example:rule:research",
            "assignee": "https://uni.example/#id",
            "action": "oac:Read",
            "target": "oac:Age",
            "constraint": [
                {
                    "leftOperand": "oac:Purpose",
                    "operator": "isA",
                    "rightOperand": {"@id": "dpv:ResearchAndDevelopment"},
                }
            ],
        }
    ],
    "prohibition": [
        {
            "uid": "urn:example:rule:no-ads",
            "action": "use",
            "target": "https://w3id.org/dpv/pd#Contact",
            "constraint": [
                {
                    "leftOperand": "purpose",
                    "operator": "isA",
                    "rightOperand": {"@id": "dpv:Marketing"},
                }
            ],
        }
    ],
}


def test_oac_style_json_ld() -> None:
    terms = import_odrl(json.dumps(OAC))
    assert [r.id for r in terms.rules] == ["research", "no-ads"]
    research = load_request(
        {
            "vendor": {"id": "https://uni.example/#id"},
            "purpose": "AcademicResearch",
            "categories": ["demographics.age"],
        }
    )
    assert decide(terms, research, NOW).effect == "permit"
    ads = load_request(
        {"vendor": {"id": "x"}, "purpose": "DirectMarketing", "categories": ["contact.email"]}
    )
    decision = decide(terms, ads, NOW)
    assert decision.effect == "deny" and decision.reasons[0].rule_id == "no-ads"


def _with(rule_extra: dict | None = None, policy_extra: dict | None = None) -> str:
    rule = {
        "uid": "urn:example:r",
        "action": "use",
        "target": "pd:EmailAddress",
        **(rule_extra or {}),
    }
    doc = {
        "@context": ["http://www.w3.org/ns/odrl.jsonld"],
        "@type": "Set",
        "uid": "urn:example:p",
        "permission": [rule],
        **(policy_extra or {}),
    }
    return json.dumps(doc)


UNSUPPORTED = [
    (_with(policy_extra={"obligation": [{"action": "delete"}]}), "odrl:obligation"),
    (_with(policy_extra={"conflict": "perm"}), "odrl:conflict"),
    (_with(policy_extra={"inheritFrom": "urn:example:parent"}), "odrl:inheritFrom"),
    (_with({"target": "http://example.org/x"}), "odrl:target"),
    (_with({"action": "delete"}), "odrl:delete"),
    (_with({"duty": [{"action": "delete"}]}), "odrl:duty"),
    (
        _with(
            {
                "constraint": [
                    {"leftOperand": "odrl:spatial", "operator": "eq", "rightOperand": "EU"}
                ]
            }
        ),
        "odrl:spatial",
    ),
    (
        _with(
            {
                "constraint": [
                    {
                        "xone": [
                            {
                                "leftOperand": "purpose",
                                "operator": "isA",
                                "rightOperand": {"@id": "dpv:Marketing"},
                            }
                        ]
                    }
                ]
            }
        ),
        "odrl:xone",
    ),
    (
        _with({"constraint": [{"leftOperand": "count", "operator": "lt", "rightOperand": 3}]}),
        "odrl:count",
    ),
    (
        _with(
            {
                "constraint": [
                    {"leftOperand": "elapsedTime", "operator": "lteq", "rightOperand": "P1M"}
                ]
            }
        ),
        "odrl:elapsedTime",
    ),
    (
        _with(
            {
                "constraint": [
                    {
                        "leftOperand": "purpose",
                        "operator": "eq",
                        "unit": "odrl:x",
                        "rightOperand": {"@id": "dpv:Marketing"},
                    }
                ]
            }
        ),
        "odrl:unit",
    ),
    (json.dumps({"@context": "https://example.org/other.jsonld", "permission": []}), "context"),
    ("this is not turtle", "not a readable ODRL policy"),
    (
        _with(
            {
                "constraint": [
                    {
                        "leftOperand": "purpose",
                        "operator": "isA",
                        "rightOperand": {"@id": "dpv:Nope"},
                    }
                ]
            }
        ),
        "unknown purpose",
    ),
]


@pytest.mark.parametrize(("text", "named"), UNSUPPORTED, ids=[u[1] for u in UNSUPPORTED])
def test_unsupported_constructs_are_named(text: str, named: str) -> None:
    with pytest.raises(OdrlError) as info:
        import_odrl(text)
    assert named in str(info.value)


def test_supported_odrl_operands() -> None:
    text = _with(
        {
            "constraint": [
                {"leftOperand": "count", "operator": "lteq", "rightOperand": 4},
                {"leftOperand": "timeInterval", "operator": "eq", "rightOperand": "P7D"},
                {"leftOperand": "elapsedTime", "operator": "lteq", "rightOperand": "P30D"},
                {
                    "leftOperand": "recipient",
                    "operator": "isNoneOf",
                    "rightOperand": [{"@id": "urn:custos:vendor:broker"}],
                },
                {
                    "leftOperand": "dateTime",
                    "operator": "gt",
                    "rightOperand": {"@value": "2025-01-01T00:00:00Z", "@type": "xsd:dateTime"},
                },
                {
                    "and": [
                        {
                            "leftOperand": "purpose",
                            "operator": "isA",
                            "rightOperand": {"@id": "dpv:ServiceProvision"},
                        }
                    ]
                },
            ]
        }
    )
    rule = import_odrl(text).rules[0]
    assert rule.frequency.max == 5 and rule.frequency.per == "week"
    assert rule.purposes == ("ServiceProvision",)
    fields = {(c.field, c.op, c.value) for c in rule.conditions}
    assert ("retention_days", "lte", 30) in fields
    assert ("recipients", "has_none", ("broker",)) in fields
    assert rule.valid_from.year == 2025


def test_export_shape_and_round_trip() -> None:
    terms = load_terms(load_json("cases.json")["terms"]["basic"])
    doc = export_odrl(terms)
    assert doc["@type"] == "Set" and doc["conflict"] == "prohibit"
    assert {p["uid"] for p in doc["prohibition"]} == {
        "urn:custos:rule:no-marketing-contact",
        "urn:custos:rule:no-sharing",
    }
    assert import_odrl(json.dumps(doc)) == terms


def test_turtle_round_trip_through_rdflib() -> None:
    from policies.odrl_import import parse_graph

    terms = load_terms(load_json("cases.json")["terms"]["certified"])
    turtle = parse_graph(json.dumps(export_odrl(terms))).serialize(format="turtle")
    back = import_odrl(turtle)

    def shape(t):  # RDF keeps no order among a rule's constraints
        return [
            (r.id, r.effect, r.purposes, r.categories, frozenset(r.conditions)) for r in t.rules
        ]

    assert shape(back) == shape(terms)


def test_write_rules_travel_as_modify() -> None:
    """A rule naming `write` is exported with the ODRL action `modify` and comes back the same;
    a rule for both actions carries both."""
    data = load_json("cases.json")["terms"]["write-back"]
    data = {**data, "rules": [*data["rules"], {"id": "both", "effect": "deny",
                                               "actions": ["read", "write"],
                                               "categories": ["health"]}]}
    terms = load_terms(data)
    doc = export_odrl(terms)
    actions = {p["uid"]: p["action"] for p in doc["permission"] + doc["prohibition"]}
    assert actions["urn:custos:rule:greenwheels-orders"] == "modify"
    assert actions["urn:custos:rule:read-all"] == "use"
    assert actions["urn:custos:rule:both"] == ["use", "modify"]
    assert actions["urn:custos:rule:warranties-to-repair"] == "custos:passOn"
    assert import_odrl(json.dumps(doc)) == terms
