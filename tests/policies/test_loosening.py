"""Does a terms change let any vendor get more? The engine decides (policies/loosening.py)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from policies import Vendor, load_terms
from policies.compile import compile_terms
from policies.loosening import BUDGET, STRANGER, loosenings

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
BASE = {"default": "ask", "rules": [
    {"id": "no-ads", "effect": "deny", "purposes": ["Marketing"]},
    {"id": "email", "effect": "permit", "purposes": ["ServiceProvision"],
     "categories": ["contact.email"],
     "conditions": [{"field": "retention_days", "op": "lte", "value": 30}]}]}
BCORP = Vendor(id="cus_green", certifications=frozenset({"b-corp"}))


def _compare(old: dict, new: dict, vendors=()):
    return loosenings(compile_terms(load_terms(old, version=1)),
                      compile_terms(load_terms(new, version=2)), NOW, vendors)


def _with(rules: list, **extra) -> dict:
    return {**BASE, "rules": rules, **extra}


@pytest.mark.parametrize("new", [
    BASE,  # nothing changes
    {**BASE, "default": "deny"},  # stricter default
    _with([*BASE["rules"], {"id": "no-phone", "effect": "deny", "categories": ["contact.phone"]}]),
    _with([BASE["rules"][0]]),  # a permit removed
    _with([BASE["rules"][0], {**BASE["rules"][1], "conditions": [
        {"field": "retention_days", "op": "lte", "value": 7}]}]),  # a tighter condition
    _with([*BASE["rules"], {"id": "ask-intents", "effect": "ask", "categories": ["contact"]}]),
    {**BASE, "offers": {"blocklist": ["cus_fastcars"]}},  # blocking a vendor's offers
], ids=["same", "default-deny", "add-deny", "drop-permit", "tighter-condition", "add-ask",
        "block-offers"])
def test_changes_that_only_restrict_loosen_nothing(new):
    assert _compare(BASE, new) == []


@pytest.mark.parametrize("new, what", [
    ({**BASE, "auto_approve": True}, "auto_approve"),
    ({**BASE, "default": "permit"}, "effect"),
    (_with([BASE["rules"][1]]), "effect"),  # the Marketing deny removed: deny -> ask
    (_with([BASE["rules"][0], {**BASE["rules"][1], "conditions": [
        {"field": "retention_days", "op": "lte", "value": 31}]}]), "effect"),  # one day more
    (_with([*BASE["rules"], {"id": "b-corps", "effect": "permit", "categories": ["contact"],
                             "conditions": [{"field": "vendor.certifications", "op": "has",
                                             "value": ["b-corp"]}]}]), "effect"),
    (_with([*BASE["rules"], {"id": "sundays", "effect": "permit", "days": ["sun"],
                             "categories": ["address"]}]), "effect"),  # only on Sundays
    (_with([*BASE["rules"], {"id": "nights", "effect": "permit", "categories": ["address"],
                             "hours": {"from": "23:00", "to": "23:30"}}]), "effect"),
    (_with([*BASE["rules"], {"id": "later", "effect": "permit", "categories": ["address"],
                             "valid_from": "2027-03-01T00:00:00Z"}]), "effect"),  # from March
], ids=["auto-approve", "default-permit", "drop-deny", "longer-retention", "certified-only",
        "on-sundays", "at-night", "from-next-year"])
def test_changes_that_permit_more_are_found(new, what):
    found = _compare(BASE, new)
    assert what in {f.what for f in found}
    for f in found:
        if f.what == "effect":  # each example is a real weakening, in plain words
            assert ["deny", "ask", "permit"].index(f.after) > ["deny", "ask", "permit"].index(
                f.before) and f.text


def test_a_higher_frequency_limit_permits_more():
    twice = {"id": "twice", "effect": "permit", "categories": ["address"],
             "frequency": {"max": 2, "per": "day"}}
    old, new = _with([*BASE["rules"], twice]), _with([*BASE["rules"], {
        **twice, "frequency": {"max": 5, "per": "day"}}])
    assert {f.what for f in _compare(old, new)} == {"effect"}
    assert _compare(new, old) == []


def test_a_vendor_named_only_in_the_new_terms_is_probed():
    new = _with([*BASE["rules"], {"id": "green", "effect": "permit", "vendors": ["cus_green"]}])
    found = _compare(BASE, new)
    assert {f.vendor for f in found} == {"cus_green"}
    assert STRANGER not in {f.vendor for f in found}


def test_known_vendors_are_probed_with_their_own_attributes():
    rule = {"id": "b", "effect": "deny", "conditions": [
        {"field": "vendor.certifications", "op": "has", "value": ["b-corp"]}]}
    found = _compare(_with([*BASE["rules"], rule]), BASE, [BCORP])
    assert "cus_green" in {f.vendor for f in found}


def test_reopening_offers_counts_as_loosening():
    blocked = {**BASE, "offers": {"blocklist": ["cus_fastcars"]}}
    assert [f.what for f in _compare(blocked, BASE)] == ["offers"]


def test_too_intricate_to_probe_fails_closed(monkeypatch):
    monkeypatch.setattr("policies.loosening.BUDGET", 1)
    found = _compare(BASE, {**BASE, "default": "deny"})
    assert [f.what for f in found] == ["too_many_cases"] and BUDGET > 1


def test_verified_and_recipient_conditions_are_probed():
    verified = {"id": "v", "effect": "permit", "categories": ["address"], "conditions": [
        {"field": "vendor.verified_certifications", "op": "has", "value": ["b-corp"]}]}
    both = {"id": "r", "effect": "permit", "categories": ["contact.phone"], "conditions": [
        {"field": "recipients", "op": "has_all", "value": ["dhl", "ups"]}]}
    assert {f.what for f in _compare(BASE, _with([*BASE["rules"], verified]))} == {"effect"}
    assert {f.category for f in _compare(BASE, _with([*BASE["rules"], both]))} == {
        "contact.phone"}


def test_thirty_rules_with_conditions_are_decided_not_left_to_the_budget():
    """A person with many rules still gets an answer for a restriction (no fail-closed)."""
    rules = [{"id": f"r{i}", "effect": ("permit", "deny", "ask")[i % 3],
              "vendors": [f"cus_v{i % 5}"], "purposes": [("ServiceProvision", "Marketing",
                                                          "ResearchAndDevelopment")[i % 3]],
              "categories": [("contact.email", "address.city", "contact.phone")[i % 3]],
              "conditions": [{"field": "retention_days", "op": "lte", "value": 7 * (i % 4 + 1)},
                             {"field": "vendor.certifications", "op": "has",
                              "value": ["b-corp"]}]} for i in range(30)]
    old = {"default": "ask", "rules": rules}
    new = {**old, "rules": [{"id": "no-phone", "effect": "deny",
                             "categories": ["contact.phone"]}, *rules]}
    assert _compare(old, new) == []
    assert {f.what for f in _compare(new, old)} == {"effect"}  # and back is looser
