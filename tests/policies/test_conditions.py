"""The condition-field registry is complete: every field, with every operator of its kind, is
validated, compiled, put in words, exported to ODRL and read back the same way."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest

from policies import decide, load_request, load_terms
from policies.conditions import FIELD_OF, FIELDS, KINDS, ConditionField
from policies.odrl_common import OPERATOR
from policies.odrl_export import export_odrl
from policies.odrl_import import import_odrl
from policies.sentences import rule_sentence

from .conftest import NOW

SAMPLES = {  # a value of each kind for each operator (lists where the operator takes many)
    "text": {"eq": "acme", "ne": "acme", "in": ["acme", "bolt"], "not_in": ["acme"]},
    "set": {op: ["b-corp", "fair"] for op in ("has", "has_all", "has_any", "has_none")},
    "number": {op: 30 for op in ("eq", "ne", "lt", "lte", "gt", "gte")},
    "bool": {"eq": True},
    "purpose": {"eq": "Marketing", "ne": "Marketing", "in": ["Marketing", "ServiceProvision"],
                "not_in": ["Marketing"]},
}
CASES = [(name, op) for name, f in FIELDS.items() for op in f.kind.operators]


def _terms(field: str, op: str) -> dict:
    value = SAMPLES[FIELDS[field].kind.name][op]
    return {"version": 2, "default": "ask", "rules": [
        {"id": "r", "effect": "deny", "conditions": [{"field": field, "op": op, "value": value}]}]}


def test_every_kind_has_a_sample_for_each_operator():
    assert {k.name: set(k.operators) for k in KINDS} == {k: set(v) for k, v in SAMPLES.items()}


def test_each_field_has_its_own_odrl_operand():
    assert len({f.odrl for f in FIELDS.values()}) == len(FIELDS)
    assert all(FIELD_OF[f.odrl] == name for name, f in FIELDS.items())


@pytest.mark.parametrize("kind", KINDS, ids=[k.name for k in KINDS])
def test_every_operator_travels_to_odrl_and_back(kind):
    for op in kind.operators:
        back = kind.from_odrl[OPERATOR[op]]
        assert back == ("has_all" if op == "has" else op), (kind.name, op)


def test_a_field_cannot_be_declared_without_words_getter_or_odrl_operand():
    required = {f.name for f in dataclasses.fields(ConditionField)
                if f.default is dataclasses.MISSING}
    assert {"name", "kind", "get", "phrase", "odrl"} <= required


@pytest.mark.parametrize(("field", "op"), CASES, ids=[f"{f}-{o}" for f, o in CASES])
def test_each_field_and_operator_is_complete(field, op):
    terms = load_terms(_terms(field, op))  # validation
    condition = terms.rules[0].conditions[0]
    sentence = rule_sentence(terms.rules[0])  # words
    assert " when " in sentence and "None" not in sentence
    request = load_request({"vendor": {"id": "acme", "certifications": ["b-corp"]},
                            "purpose": "Marketing", "categories": ["contact.email"],
                            "retention_days": 30, "recipients": ["broker"]})
    decision = decide(terms, request, NOW)  # compilation: the getter runs
    assert decision.effect in ("deny", "ask")
    back = import_odrl(json.dumps(export_odrl(terms)))  # ODRL both ways
    assert back.rules[0].conditions == (condition,)
    assert decide(back, request, NOW).effects == decision.effects


@pytest.mark.parametrize("name", [n for n, f in FIELDS.items() if f.form is not None])
def test_a_form_input_means_an_operator_of_its_field(name):
    f = FIELDS[name]
    assert f.form is not None and f.form.op in f.kind.operators
    for value in (f.form.choices or {}).values():
        assert f.kind.fits(value, f.form.op)


def test_the_docs_list_every_field_with_its_operators_and_odrl_operand():
    from policies.odrl_common import CUSTOS, ODRL

    doc = (Path(__file__).resolve().parents[2] / "docs" / "policies.md").read_text()
    for name, f in FIELDS.items():
        rows = [line for line in doc.splitlines() if line.strip().startswith("|")
                and f"`{name}`" in line and f"`{f.kind.operators[-1]}`" in line]
        assert rows, f"no row of the conditions table names {name}"
        assert all(f"`{op}`" in rows[0] for op in f.kind.operators), (name, rows[0])
        operand = f.odrl.removeprefix(CUSTOS).removeprefix(ODRL)
        assert f"`{operand}`" in doc or f"`{operand} " in doc, (name, operand)
