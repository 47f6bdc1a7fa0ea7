"""The engine against the cases in cases.json: terms, request, now, expected effects and reasons."""

from __future__ import annotations

from datetime import datetime

import pytest

from policies import compile_terms, evaluate, load_request, load_terms

from .conftest import load_json

DATA = load_json("cases.json")


@pytest.mark.parametrize("case", DATA["cases"], ids=[c["name"] for c in DATA["cases"]])
def test_case(case: dict) -> None:
    terms = load_terms(DATA["terms"][case["terms"]])
    request = load_request(case["request"])
    decision = evaluate(compile_terms(terms), request, datetime.fromisoformat(case["now"]))
    expect = case["expect"]
    assert decision.effect == expect["effect"]
    assert {c: e.value for c, e in decision.effects.items()} == expect["categories"]
    assert list(decision.codes) == expect["codes"]
    assert [r.rule_id for r in decision.reasons] == expect["rules"]
    assert all(r.text for r in decision.reasons)


def test_there_are_enough_cases() -> None:
    assert len(DATA["cases"]) >= 40
