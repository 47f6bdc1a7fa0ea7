"""The export holds everything the vault keeps on the person, decrypted, in the documented shape."""

from __future__ import annotations

import json
from datetime import timedelta

from vault import Vault


def test_export_shape(vault: Vault, person: str, now):
    vault.add_field(person, category="contact.phone", name="mobile", kind="tel", value="+1 555",
                    now=now)
    vault.add_intent(person, {"text": "e-bike", "budget": 2000, "currency": "EUR"}, now)
    vault.create_session(person, now, timedelta(hours=1))
    doc = vault.export_person(person, now)
    json.dumps(doc)  # JSON-able
    assert set(doc) == {"format", "exported_at", "person", "fields", "intents", "sessions",
                        "audit_log", "audit_log_verification", "terms", "agreements",
                        "requests", "offers", "email_choices", "duties"}
    assert doc["format"] == "custos-export/1"
    assert doc["person"]["email"] == "ann@example.org" and "password_hash" not in doc["person"]
    assert doc["fields"][0]["value"] == "+1 555"
    assert doc["intents"][0]["data"]["text"] == "e-bike"
    assert doc["intents"][0]["status"] == "active"
    assert len(doc["sessions"]) == 1 and "token_hash" not in doc["sessions"][0]
    assert [e["kind"] for e in doc["audit_log"]] == [
        "account_created", "field_added", "intent_added", "signed_in", "data_exported"]
    assert doc["audit_log_verification"] == {"ok": True, "problems": []}
