"""The vendor answers its duties: a signed acknowledgement of a notice, and signed reports of
what it did with the data (docs/agreements.md). The rules are in `api/services/duties.py`."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..clock import now
from ..services import duties
from ..services.acceptance import AgreementError
from ..store import get_vault
from .agreements import _error, _jws, vendor_keys
from .auth import caller

bp = Blueprint("resource_duties", __name__)


@bp.post("/api/v1/notices/<notice_id>/acknowledgement")
def acknowledge(notice_id: str):
    """The vendor's signed "done" for a notice (deleted, ended); late ones are still kept."""
    who = caller()
    try:
        duty = duties.acknowledge(get_vault(), notice_id[:64], who.client.client_id,
                                  _jws(), vendor_keys(who.client), now=now())
    except AgreementError as exc:
        raise _error(exc) from None
    return jsonify({"notice": duty.id, "kind": duty.kind, "agreement": duty.grant_id,
                    "acknowledged_at": duty.acknowledged_at.isoformat()
                    if duty.acknowledged_at else None, "due_at": duty.due_at.isoformat()})


@bp.post("/api/v1/agreements/<agreement_id>/uses")
def report_use(agreement_id: str):
    """A signed report of one use of the data, logged for the person as the vendor's word."""
    who = caller()
    try:
        event = duties.report_use(get_vault(), agreement_id, who.client.client_id,
                                  _jws(), vendor_keys(who.client), now=now())
    except AgreementError as exc:
        raise _error(exc) from None
    return jsonify({"agreement": event.grant_id, "purpose": event.purpose,
                    "processor": event.processor, "used_at": event.used_at,
                    "statement_by": event.statement_by}), 201
