"""Pseudonyms a vendor sees (vault/pseudonyms.py): stable per vendor, unrelated across vendors."""

from __future__ import annotations


def test_a_subject_is_stable_per_vendor_and_differs_between_vendors(vault, person, now):
    subjects = vault.pseudonyms
    first, second = subjects.subject(person, "cus_a", now), subjects.subject(person, "cus_b", now)
    assert first != second and first == subjects.subject(person, "cus_a", now)
    assert person not in first and len(first) == 32


def test_a_subject_leads_back_to_its_person_only_for_its_vendor(vault, person, now):
    other = vault.create_person("bo@example.org", "h", now)
    sub = vault.pseudonyms.subject(person, "cus_a", now)
    assert vault.pseudonyms.person_for(sub, "cus_a", [other, person], now) == person
    assert vault.pseudonyms.person_for(sub, "cus_b", [other, person], now) is None


def test_a_subject_with_other_characters_is_simply_unknown(vault, person, now):
    # vendors send subjects; compare_digest refuses non-ASCII text, so bytes are compared
    assert vault.pseudonyms.person_for("ünïcode-sübject", "cus_a", [person], now) is None


def test_an_intent_handle_differs_per_vendor_and_names_no_id(vault, now):
    a = vault.pseudonyms.intent_handle("intent-1", "cus_a", now)
    b = vault.pseudonyms.intent_handle("intent-1", "cus_b", now)
    assert a.startswith("int_") and a != b and "intent-1" not in a
