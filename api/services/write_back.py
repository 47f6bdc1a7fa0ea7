"""Vendor write-back: a vendor adds a record (an order, a warranty, its loyalty number, the
address it delivered to) to the person's vault under a live agreement, if her terms allow it.

Only `customer.*` categories can be written, and only when a permit rule of the person's
*current* terms names the `write` action for this vendor, purpose and category (policies: a
write is never allowed by the terms' default). The record is sealed like her own data with
the vendor as its `source`, logged (`record_written`, refused attempts too) and answered with
a signed receipt. Flask-free: the vault, the clock (`now`) and the issuer are arguments.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from policies import Effect, evaluate, vocab
from policies.codes import AGREEMENT_ENDED
from policies.model import WRITE
from vault import Vault
from vault.agreement_events import RecordWritten
from vault.clients import Client
from vault.grants import Grant

from . import judge
from .field_kinds import kind_of, read_value
from .release import NotAccepted, unaccepted
from .signing import sign

WRITABLE = "customer"  # the group of categories a vendor may add to
MAX_NAME, MAX_VALUE = 80, 2000
RECEIPT_TYPE = "custos-record-receipt+jwt"


class RecordInvalid(ValueError):
    """The record is malformed; `fields` names each field and its problem."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(next(f"{k}: {' '.join(v)}" for k, v in fields.items()))
        self.fields = fields


class WriteRefused(Exception):
    """The agreement has ended or the person's terms do not let this vendor add this record."""

    def __init__(self, reasons: list[dict]) -> None:
        super().__init__(" ".join(r["text"] for r in reasons))
        self.reasons = reasons


def check_record(body: object) -> dict[str, str]:
    """The record as it will be kept (category, name, kind, value), or RecordInvalid."""
    if not isinstance(body, dict):
        raise RecordInvalid({"_schema": ["must be a JSON object"]})
    problems: dict[str, list[str]] = {}
    unknown = sorted(set(body) - {"category", "name", "value"})
    if unknown:
        problems[str(unknown[0])[:40]] = ["unknown field"]
    category, name, value = body.get("category"), body.get("name"), body.get("value")
    if not isinstance(category, str) or not vocab.is_category(category):
        problems["category"] = ["unknown category; use one of customer.*"]
    elif not vocab.narrower_or_equal(vocab.category(category).id, WRITABLE) \
            or vocab.category(category).id == WRITABLE:
        problems["category"] = ["a vendor may only add customer.* records "
                                "(orders, warranty, loyalty_id, delivery_address)"]
    if not isinstance(name, str) or not 1 <= len(name) <= MAX_NAME:
        problems["name"] = [f"a string of 1 to {MAX_NAME} characters"]
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_VALUE:
        problems["value"] = [f"a string of 1 to {MAX_VALUE} characters"]
    if problems:
        raise RecordInvalid(problems)
    assert isinstance(category, str) and isinstance(name, str) and isinstance(value, str)
    canonical = vocab.category(category).id
    kind = kind_of(canonical)
    try:
        kept = read_value(kind, value)
    except ValueError as exc:
        raise RecordInvalid({"value": [str(exc)]}) from None
    return {"category": canonical, "name": name, "kind": kind, "value": kept}


def write_record(vault: Vault, now: datetime, *, client: Client, grant: Grant, body: object,
                 issuer: str) -> dict[str, Any]:
    """Judge, store, log and receipt one record, in one write transaction; a refused write is
    logged too, and WriteRefused raised after that log entry is committed. Like a read, a
    write waits for the vendor's signed acceptance of a proffered standard agreement
    (NotAccepted, logged as a refused write too)."""
    record = check_record(body)
    refused: WriteRefused | NotAccepted | None = None
    with vault.transaction("write"):
        if not grant.live(now):
            refused = WriteRefused([{"code": AGREEMENT_ENDED, "effect": "deny", "rule": None,
                                     "text": "This agreement has ended."}])
        elif (waiting := unaccepted(vault, grant, "you add records")) is not None:
            refused = waiting
        else:
            vendor = judge.vendor_of(client.client_id, client.metadata)
            request = replace(judge.policy_request(vendor, grant, now),
                              categories=(record["category"],), action=WRITE)
            decision = evaluate(judge.current_terms(vault, grant.person_id), request, now)
            if decision.effect is not Effect.PERMIT:
                refused = WriteRefused(judge.reasons_for_person(decision))
        if refused is not None:
            vault.record(grant.person_id, RecordWritten(
                client_id=client.client_id, grant_id=grant.id, category=record["category"],
                name=record["name"], reasons=refused.reasons), now)
        else:
            field = vault.add_field(
                grant.person_id, **record, now=now, source=client.client_id,
                event=lambda field_id: RecordWritten(
                    client_id=client.client_id, grant_id=grant.id, field_id=field_id,
                    category=record["category"], name=record["name"], outcome="added"))
            subject = vault.pseudonyms.subject(grant.person_id, client.client_id, now)
    if refused is not None:
        raise refused
    receipt = {
        "iss": issuer, "aud": client.client_id, "sub": subject, "iat": int(now.timestamp()),
        "jti": field.id, "agreement": grant.id, "record": field.id,
        "category": record["category"], "category_iri": vocab.category(record["category"]).iri,
        "name": record["name"], "value_sha256": _digest(record["value"]),
    }
    return {"record": {"id": field.id, "category": field.category, "name": field.name,
                       "kind": field.kind, "value": field.value,
                       "created_at": field.created_at.isoformat()},
            "receipt": sign(vault, receipt, now, RECEIPT_TYPE)}


def _digest(value: str) -> str:
    """What the receipt says of the value: its hash, so the receipt never carries the value."""
    return hashlib.sha256(json.dumps(value).encode()).hexdigest()
