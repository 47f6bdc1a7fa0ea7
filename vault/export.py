"""The person's export: one JSON-able document with everything the vault holds on them.

The shape is documented in docs/export.md (`format: custos-export/1`). Other parts of
Custos (terms, agreements, receipts, requests, offers) add their keys through
`export_agreements.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from . import audit
from .db import iso
from .events import DataExported
from .export_agreements import export_agreements

if TYPE_CHECKING:
    from .core import Vault

FORMAT = "custos-export/1"


def export_person(vault: Vault, person_id: str, now: datetime) -> dict[str, Any]:
    """Log DataExported, then read everything decrypted in one consistent snapshot."""
    vault.record(person_id, DataExported(format=FORMAT), now)
    with vault.transaction("read") as tx:  # the reads below join this one snapshot
        person = vault.get_person(person_id)
        key = vault.keys.data_key(tx, person_id)
        events = audit.read_events(tx, person_id, key)
        problems = audit.verify_chain(tx, person_id, key)
        field_list = vault.list_fields(person_id)
        intent_list = vault.list_intents(person_id)
        session_list = vault.list_sessions(person_id)
        verified_at = vault.links.verified_at(person_id)
        email_choices = vault.mail.prefs(person_id)
        agreements = export_agreements(vault.agreements, person_id)
    return {
        "format": FORMAT,
        "exported_at": iso(now),
        "person": {
            "id": person.id,
            "email": person.email,
            "created_at": iso(person.created_at),
            "updated_at": iso(person.updated_at),
            "email_verified_at": verified_at,
        },
        "email_choices": email_choices,
        "fields": [f.as_dict() for f in field_list],
        "intents": [i.as_dict() for i in intent_list],
        "sessions": session_list,
        **agreements,
        "audit_log": [
            {"seq": e.seq, "at": iso(e.at), "kind": e.kind, "data": e.payload} for e in events
        ],
        "audit_log_verification": {
            "ok": not problems,
            "problems": [
                {"seq": p.seq, "problem": p.problem, "message": p.message} for p in problems
            ],
        },
    }
