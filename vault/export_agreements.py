"""The agreements part of a person's export: terms, agreements with receipts, requests, offers.

Kept beside `export.py` so that module stays about the person's own data; `export_person`
adds these keys to the same document (shape in docs/export.md).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from .agreements import Agreements
from .db import iso
from .errors import NotFound


def _plain(value: Any) -> Any:
    """Dataclass fields as JSON values: times as ISO text, tuples as lists."""
    if isinstance(value, datetime):
        return iso(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _record(obj: Any) -> dict[str, Any]:
    return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)
            if f.name != "person_id"}


def export_agreements(store: Agreements, person_id: str) -> dict[str, Any]:
    """Every terms version, agreement (with its signed receipt), request and offer."""
    terms = [{"version": stored.version, "saved_at": iso(stored.created_at), "terms": stored.body}
             for stored in store.terms.every(person_id)]
    agreements = []
    for grant in store.grants.for_person(person_id):
        entry = _record(grant)
        try:
            receipt = store.receipts.for_grant(grant.id)
            entry["receipt"] = {"id": receipt.id, "receipt": receipt.receipt, "jws": receipt.jws}
        except NotFound:
            entry["receipt"] = None
        found = store.negotiations.find(grant.id)
        # The same members the vendor's GET /api/v1/agreements/<id>/record answers with.
        entry["negotiation"] = None if found is None else {
            "status": found.status, "record": found.record, "vendor_jws": found.vendor_jws,
            "custos_jws": found.custos_jws, "counter": found.counter}
        agreements.append(entry)
    return {
        "terms": terms,
        "agreements": agreements,
        "requests": [_record(r) for r in store.requests.for_person(person_id)],
        "offers": [{**_record(o), "messages": [
            m.as_dict() for m in store.messages.thread(person_id, o.id)]}
            for o in store.offers.for_person(person_id)],
        "duties": [_record(d) for d in store.duties.for_person(person_id)],
    }
