"""The vendor's side of a two-sided agreement (docs/agreements.md): read the proffered record,
accept it with its signature, refuse it, or counter with one other agreement; learn, under a
subject it already holds, which agreements a person proffers; publish what it accepts.

The rules live in `api/services/acceptance.py`; this module only reads requests and answers.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from common.loopback import is_loopback_url
from vault.clients import Client

from ..clock import now
from ..errors import CustosError, NotFound
from ..oauth.server import configured_issuer, issuer
from ..services import acceptance
from ..services.acceptance import AgreementError
from ..services.access_requests import proffered_to
from ..services.agreements import vendor_accepts, vendor_refuses
from ..services.targets import fetch_json
from ..services.vendors import find_vendor, publish_accepts
from ..store import get_settings, get_vault
from .agreement_schemas import AcceptsSchema, CounterSchema, JwsSchema
from .auth import caller
from .schemas import load
from .vendor import vendor

bp = Blueprint("resource_agreements", __name__)


def _error(exc: AgreementError) -> CustosError:
    err = CustosError(exc.description, fields={exc.field: [exc.description]} if exc.field
                      else None)
    err.status_code, err.error = exc.status, exc.error
    return err


def _jws() -> str:
    """The `jws` member of the body, checked (400 naming it otherwise)."""
    return load(JwsSchema(), request.get_json(silent=True))["jws"]


def vendor_keys(client: Client) -> dict | None:
    """The vendor's public keys: registered inline (`jwks`), or fetched from its `jwks_uri`
    through the SSRF-safe fetcher (RFC 7591 section 2: one or the other, never both)."""
    if client.metadata.get("jwks"):
        return client.metadata["jwks"]
    if url := client.metadata.get("jwks_uri"):
        return fetch_json(url, is_loopback_url(configured_issuer() or ""))
    return None


@bp.get("/api/v1/agreements/<agreement_id>/record")
def read_record(agreement_id: str):
    """The record to sign (or as signed), with its IEEE 7012 status."""
    who = caller()  # the agreement's own token or the vendor's
    found = acceptance.vendor_record(get_vault(), agreement_id, who.client.client_id)
    if found is None:
        raise NotFound("There is no such agreement of yours with proffered terms.")
    return jsonify(acceptance.view(found))


@bp.post("/api/v1/agreements/<agreement_id>/acceptance")
def accept(agreement_id: str):
    """The vendor's signed acceptance: verified, countersigned, put in the receipt."""
    who = caller()  # the agreement's own token or the vendor's
    token = _jws()
    try:
        done = vendor_accepts(get_vault(), agreement_id, who.client.client_id, token,
                              vendor_keys(who.client), now=now(), issuer=issuer())
    except AgreementError as exc:
        raise _error(exc) from None
    return jsonify(acceptance.view(done))


@bp.post("/api/v1/agreements/<agreement_id>/refusal")
def refuse(agreement_id: str):
    """The vendor does not accept the person's agreement: it ends, and nothing is released."""
    who = caller()  # the agreement's own token or the vendor's
    try:
        done = vendor_refuses(get_vault(), agreement_id, who.client.client_id, now=now(),
                              issuer=issuer(), ack_days=get_settings().duty_ack_days)
    except AgreementError as exc:
        raise _error(exc) from None
    names = acceptance.named(done.record["agreements"])
    return jsonify(acceptance.view(done) | {
        "error_description": f"You refused the person's {names}: the agreement has ended "
                             "and no data will be released."})


@bp.post("/api/v1/agreements/<agreement_id>/counter")
def counter(agreement_id: str):
    """One other agreement of the roster instead: it waits for the person in her inbox."""
    who = caller()  # the agreement's own token or the vendor's
    alternative = load(CounterSchema(), request.get_json(silent=True))["agreement"]
    try:
        done = acceptance.counter(get_vault(), agreement_id, who.client.client_id, alternative,
                                  now=now())
    except AgreementError as exc:
        raise _error(exc) from None
    return jsonify(acceptance.view(done)), 202


@bp.get("/api/v1/subjects/<subject>/agreements")
def proffered_for(subject: str):
    """Pre-flight: which agreements a person the vendor already knows proffers today, under
    its pairwise subject; nothing else about her (no terms, no rules, no data)."""
    who = vendor()
    ids = proffered_to(get_vault(), who.client, subject[:200], now=now())
    return jsonify({"agreements": ids,
                    "texts": {a: acceptance.text_url(issuer(), a) for a in ids},
                    "not_accepted": acceptance.not_accepted(who.client.metadata, ids)})


@bp.put("/api/v1/vendor/accepts")
def publish():
    """The vendor states which roster agreements it accepts (its public document)."""
    who = vendor()
    given = load(AcceptsSchema(), request.get_json(silent=True))["accepts"]
    metadata = publish_accepts(get_vault(), who.client, given)
    return jsonify(accepted_document(who.client.client_id, metadata))


def accepted_document(client_id: str, metadata: dict) -> dict:
    """The public per-vendor document: who it is and which agreements it accepts."""
    accepts = metadata.get("custos_accepts_agreements")
    return {"client_id": client_id, "client_name": metadata.get("client_name"),
            "accepts": accepts, "published": accepts is not None,
            "texts": {a: acceptance.text_url(issuer(), a) for a in accepts or []}}


@bp.get("/api/v1/vendors/<client_id>/accepts")
def vendor_document(client_id: str):
    """Public: which agreements a vendor accepts, for the person's pages and the butler."""
    client = find_vendor(get_vault(), client_id)
    if client is None or client.disabled:
        raise NotFound("There is no such vendor.")
    return jsonify(accepted_document(client.client_id, client.metadata))
