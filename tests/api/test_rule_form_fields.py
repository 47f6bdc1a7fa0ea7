"""The rule form's condition inputs come from the condition-field registry (policies.conditions)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from werkzeug.datastructures import MultiDict

from api.web.terms_form import form_from_rule, rule_from_form
from policies import load_terms
from policies.conditions import FIELDS

ON_FORM = {name: f.form for name, f in FIELDS.items() if f.form is not None}
TYPED = {"set": "b-corp, fair", "text": "EU, CH", "number": "30"}
TEMPLATE = Path(__file__).resolve().parents[2] / "api" / "templates" / "_rule_form.html"


def _typed(name: str) -> list[str]:
    f = FIELDS[name]
    assert f.form is not None
    return list(f.form.choices) if f.form.choices is not None else [TYPED[f.kind.name]]


@pytest.mark.parametrize("name", sorted(ON_FORM))
def test_each_input_makes_its_condition_and_shows_it_again(name):
    form_input = ON_FORM[name]
    for typed in _typed(name):
        rule = rule_from_form(MultiDict({"label": "x", "effect": "deny", form_input.name: typed}))
        assert [(c["field"], c["op"]) for c in rule["conditions"]] == [(name, form_input.op)]
        load_terms({"rules": [rule]})  # what the form makes is valid terms
        assert form_from_rule(rule)[form_input.name] == typed


def test_every_input_of_the_registry_is_on_the_page():
    names = set(re.findall(r'name="([a-z_]+)"', TEMPLATE.read_text()))
    assert {f.name for f in ON_FORM.values()} <= names


def test_an_input_left_empty_makes_no_condition():
    rule = rule_from_form(MultiDict({"label": "x", "effect": "deny", "certifications": " , ",
                                     "sharing": "any"}))
    assert "conditions" not in rule
