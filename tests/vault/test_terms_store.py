"""A person's terms: the version is storage metadata, never a field of the stored document."""

from __future__ import annotations

from vault import crypto

RULES = {"default": "ask", "rules": [{"id": "r", "effect": "deny"}]}


def test_the_store_numbers_versions_and_keeps_the_number_out_of_the_document(vault, person, now):
    assert vault.agreements.terms.current_version(person) == 0
    assert vault.agreements.terms.save(person, {**RULES, "version": 7}, now) == 1
    assert vault.agreements.terms.save(person, RULES, now) == 2
    stored = vault.agreements.terms.get(person)
    assert stored.version == 2 and stored.body == RULES
    assert [t.version for t in vault.agreements.terms.every(person)] == [1, 2]
    assert all(t.body == RULES for t in vault.agreements.terms.every(person))


def test_a_document_saved_with_its_version_inside_reads_without_it(store, vault, person, now):
    """Rows written before the version became metadata carry a `version` key."""
    with vault.transaction("write") as tx:
        key = vault.keys.data_key(tx, person)
        sealed = crypto.seal_json(key, {**RULES, "version": 1}, person, "person_terms", "1",
                                  "body")
        tx.run("INSERT INTO person_terms (person_id, version, body, created_at) "
               "VALUES (?, ?, ?, ?)", (person, 1, sealed, now.isoformat()))
    assert vault.agreements.terms.get(person, 1).body == RULES
    assert vault.export_person(person, now)["terms"][0]["terms"] == RULES
