"""The vendor's read of a person's data (api/services/release.py decides and reads).

The token check, the decision, the read and the log entry happen in one write transaction, so
a revocation or terms change either happened before this read (and refuses it) or after it;
once a revoke has returned, no read can succeed with that agreement's tokens.
"""

from __future__ import annotations

from datetime import datetime

from flask import Blueprint, jsonify

from vault import Tx, Vault

from ..clock import now
from ..services.release import AccessRefused, release, vendor_agreement
from ..services.subject import pairwise_subject
from ..store import get_vault
from .auth import Caller, InsufficientScope, caller, records_proof

bp = Blueprint("resource_data", __name__)


def _writing():
    """One write transaction for the whole read: check, decide, read, count and log."""
    return get_vault().transaction("write")


def _answer(result: dict | AccessRefused):
    if isinstance(result, AccessRefused):
        raise result  # raised after commit, so the refused attempt stays in the log
    return jsonify(result)


def read(vault: Vault, tx: Tx, who: Caller, at: datetime) -> dict | AccessRefused:
    """Every field the agreement covers and the person's current terms do not deny, once the
    caller is vetted in `tx`; the same for the fast read (fastread.py)."""
    if who.grant is None or not who.grant.categories:
        raise InsufficientScope("This token carries no agreement to read data.")
    return release(vault, tx, who.client, who.grant, at, terms_version=who.terms_version)


@bp.get("/api/v1/data")
@records_proof
def read_data():
    """`read`, through Flask: DPoP reads, and what the fast read hands on."""
    with _writing() as tx:
        result = read(get_vault(), tx, caller(tx), now())
    return _answer(result)


@bp.get("/api/v1/agreements/<agreement_id>/data")
@records_proof
def read_agreement_data(agreement_id: str):
    """The same read for an agreement made asynchronously, with the vendor's own token."""
    with _writing() as tx:
        who = caller(tx, scope="vendor")
        grant = vendor_agreement(get_vault(), tx, who.client, agreement_id, now())
        result = release(get_vault(), tx, who.client, grant, now())
    return _answer(result)


@bp.get("/api/v1/me")
def me():
    """The person as this vendor sees them: a pairwise subject, nothing else."""
    who = caller()
    if who.person_id is None:
        raise InsufficientScope("This token does not act for a person.")
    return jsonify({"sub": pairwise_subject(get_vault(), who.person_id, who.client.client_id,
                                            now()),
                    "agreement": who.grant.id if who.grant else None})
