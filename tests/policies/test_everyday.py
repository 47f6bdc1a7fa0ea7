"""The everyday purposes of the rule builder: DPV underneath, English on top."""

from __future__ import annotations

import pytest

from policies import everyday, load_terms, vocab
from policies.sentences import rule_sentence


@pytest.mark.parametrize("row", everyday.TABLE, ids=[e.id for e in everyday.TABLE])
def test_each_row_is_dpv_underneath_and_english_on_top(row):
    assert all(vocab.is_purpose(p) for p in row.purposes)
    rule = {"id": "r", "effect": "permit", "purposes": everyday.expand([row.id]),
            "categories": ["preferences"]}
    sentence = rule_sentence(load_terms({"rules": [rule]}).rules[0])
    assert sentence == f"You allow vendors to use your preferences to {row.act}"
    assert everyday.split(rule["purposes"]) == ([row.id], [])


def test_rows_do_not_overlap_so_a_choice_means_one_thing():
    seen: dict[str, str] = {}
    for row in everyday.TABLE:
        for p in row.purposes:
            assert p not in seen, (p, seen.get(p), row.id)
            seen[p] = row.id
            assert everyday.row_of(p) is row


def test_narrower_purposes_speak_as_their_row_and_the_rest_by_their_label():
    terms = load_terms({"rules": [
        {"id": "a", "effect": "deny", "purposes": ["DirectMarketing", "AcademicResearch",
                                                  "DisputeManagement"]},
        {"id": "b", "effect": "ask", "categories": ["contact.phone"]}]})
    assert rule_sentence(terms.rules[0]) == (
        "You refuse to let vendors use your personal data to advertise to you, to do research "
        "or statistics or for dispute management")
    assert rule_sentence(terms.rules[1]) == (
        "You want to be asked before vendors use your telephone number for any purpose")


def test_split_keeps_what_no_row_accounts_for():
    chosen = everyday.expand(["offers", "sell"]) + ["Marketing", "DisputeManagement"]
    rows, rest = everyday.split(chosen)
    assert rows == ["offers", "marketing", "sell"] and rest == ["DisputeManagement"]
    assert everyday.expand(["no-such-row"]) == []
