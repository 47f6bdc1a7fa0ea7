"""Vendor write-back: POST a record to the person's vault under one of its agreements
(docs/api.md). The rules live in `services/write_back.py`; this module is the HTTP shell.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..clock import now
from ..errors import CustosError, InvalidInput
from ..oauth.server import issuer
from ..services import write_back
from ..services.ownership import vendor_grant
from ..store import get_vault
from .vendor import vendor

bp = Blueprint("resource_records", __name__)


class WriteRefused(CustosError):
    """The agreement has ended, or the person's terms do not let this vendor add this."""

    status_code, error = 403, "write_refused"
    description = "The person's terms do not let you add this record."

    def __init__(self, reasons: list[dict]) -> None:
        super().__init__(" ".join(r["text"] for r in reasons) or self.description)
        self.reasons = reasons

    def to_dict(self) -> dict:
        return super().to_dict() | {"reasons": self.reasons}


@bp.post("/api/v1/agreements/<agreement_id>/records")
def add_record(agreement_id: str):
    """Add one customer record (order, warranty, loyalty number, delivery address used)."""
    who = vendor()
    vault = get_vault()
    grant = vendor_grant(vault, who.client.client_id, agreement_id)  # else 404
    try:
        written = write_back.write_record(
            vault, now(), client=who.client, grant=grant, body=request.get_json(silent=True),
            issuer=issuer())
    except write_back.RecordInvalid as exc:
        raise InvalidInput(str(exc), fields=exc.fields) from None
    except write_back.WriteRefused as exc:
        raise WriteRefused(exc.reasons) from None
    return jsonify(written), 201
