"""The authorization endpoint and the consent screen (RFC 6749 section 4.1.1, RFC 9207).

The request is validated by Authlib first (client, exact redirect URI, PKCE); an unknown client
or redirect URI gets an error page and never a redirect (RFC 6749 section 4.1.2.1). Then the
request is judged by the person's current terms: all denied gives `access_denied` with the
reasons; all permitted, with `auto_approve` in the terms, is approved at once (no screen);
otherwise the person sees what would be shared and may approve, narrow or deny.
Every redirect back carries `iss` (RFC 9207 section 2), errors included.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from authlib.common.urls import add_params_to_uri
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import AccessDeniedError, InvalidRequestError, InvalidScopeError
from flask import (
    Blueprint,
    current_app,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)

from policies import Effect, vocab
from policies.agreements import agreement as standard
from vault.agreement_events import DecisionMade

from ..clock import now
from ..security import CONTENT_SECURITY_POLICY
from ..services import acceptance, details, judge
from ..services.agreements import make_agreement
from ..services.disclosure import kept_home, what_leaves
from ..store import get_vault
from .models import Person
from .server import issuer, repeated_parameter

bp = Blueprint("oauth_authorize", __name__)
_NQCHAR = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]*")  # and SP, RFC 6749 Appendix A
_VSCHAR = re.compile(r"[\x20-\x7e]*")
SYNTAX = {"response_type": re.compile(r"[A-Za-z0-9_ ]*"), "scope": _NQCHAR,
          "redirect_uri": _NQCHAR, "code_challenge": _NQCHAR, "code_challenge_method": _NQCHAR,
          "client_id": _VSCHAR, "state": _VSCHAR}


@bp.before_request
def _syntax():
    """RFC 6749 Appendix A: a parameter outside its syntax is invalid_request (an error page:
    nothing is verified yet). Authlib, which quotes some of them in its errors, never sees it."""
    for name, pattern in SYNTAX.items():
        if not all(pattern.fullmatch(value) for value in request.values.getlist(name)):
            return error_response(InvalidRequestError(f"{name}: not valid (RFC 6749 Appendix A)"))
    return None
DURATIONS = (1, 7, 30, 90, 180, 365)


def error_response(error: OAuth2Error):
    """Redirect with error, state and iss when the redirect URI is trusted, else a page."""
    if not error.redirect_uri:
        return render_template("oauth/error.html", error=error.error,
                               description=error.description or error.error), 400
    params = [("error", error.error)]
    if error.description:
        params.append(("error_description", error.description))
    if error.state:
        params.append(("state", error.state))
    if agreements := getattr(error, "custos_agreements", None):
        # An extension parameter (RFC 6749 section 8.2 lets responses carry new ones): the
        # ids of the person's agreements the vendor must accept, and nothing else about her.
        params.append(("custos_agreements", " ".join(agreements)))
    params.append(("iss", issuer()))
    return redirect(add_params_to_uri(error.redirect_uri, params), 302)


def _fail(error: OAuth2Error, grant):
    error.redirect_uri, error.state = grant.redirect_uri, grant.request.payload.state
    return error_response(error)


def _rows(person_id: str, access: details.DataAccess, decision) -> list[dict]:
    """Each asked category with the terms' answer and exactly what would leave today."""
    rows, fields = [], get_vault().list_fields(person_id)
    for cat in access.categories:
        effect = decision.effects[cat] if decision else Effect.ASK
        rows.append({"id": cat, "label": vocab.category(cat).label, "effect": effect.value,
                     "reasons": [r.text for r in decision.reasons_for(cat)] if decision else [],
                     "leaves": what_leaves(fields, [cat], now()),
                     "kept": kept_home(fields, [cat], access.categories)})
    return rows


def _log(person_id, client_id, access, decision, context: str) -> None:
    if decision is None:
        return
    get_vault().record(person_id, DecisionMade(
        client_id=client_id, purpose=access.purpose, categories=list(access.categories),
        effect=decision.effect.value, context=context, terms_version=decision.terms_version,
        reasons=judge.reasons_for_person(decision)), now())


def _not_accepted(person_id: str, client, access, version: int) -> AccessDeniedError | None:
    """The vendor published the agreements it accepts, and the person proffers one it does
    not: refused before she is asked, naming the agreement (docs/agreements.md)."""
    if not access.categories:
        return None
    missing = acceptance.not_accepted(client.metadata,
                                      acceptance.proffered(get_vault(), person_id, version))
    if not missing:
        return None
    error = AccessDeniedError(f"The vendor does not accept the person's "
                              f"{acceptance.named(missing)}, proffered to every vendor.")
    error.custos_agreements = missing
    return error


def _allow_redirect_to(page, redirect_uri: str):
    """CSP form-action also governs the redirect after the form posts (CSP 3, section 6.4.1),
    so the consent page allows its own origin and the client's registered redirect origin."""
    parts = urlsplit(redirect_uri)
    page.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY.replace(
        "form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")
    return page


@bp.route("/oauth/authorize", methods=["GET", "POST"])
def authorize():
    server = current_app.extensions["custos.oauth"]
    try:
        grant = server.get_consent_grant(end_user=None)
    except OAuth2Error as error:
        return error_response(error)
    # RFC 6749 section 3.1: no parameter twice. Only the query counts: the consent form that
    # posts back to this URL repeats `category` by design.
    if name := repeated_parameter(request.args):
        return _fail(InvalidRequestError(f"Multiple '{name[:40]}' in request."), grant)
    payload = grant.request.payload
    try:
        access = details.requested(payload.scope, payload.data.get("authorization_details"))
    except OAuth2Error as error:
        return _fail(error, grant)
    if access is None:
        return _fail(InvalidScopeError("Ask for data (scope or authorization_details)."), grant)
    if g.get("person_id") is None:
        return redirect(url_for("accounts.signin", next=request.full_path))
    person_id, client = g.person_id, grant.client
    vendor = judge.vendor_of(client.client_id, client.metadata)
    compiled = judge.current_terms(get_vault(), person_id)
    if refused := _not_accepted(person_id, client, access, compiled.version):
        return _fail(refused, grant)
    decision = judge.judge(compiled, vendor, access, now()) if access.categories else None
    allowed = [c for c in access.categories if decision.effects[c] is not Effect.DENY] \
        if decision else []
    if decision and not allowed:
        _log(person_id, client.client_id, access, decision, "authorize")
        reasons = " ".join(r.text for r in decision.reasons if r.effect is Effect.DENY)
        return _fail(AccessDeniedError(f"The person's terms refuse this request. {reasons}"),
                     grant)
    if decision and decision.effect is Effect.PERMIT and compiled.terms.auto_approve:
        _log(person_id, client.client_id, access, decision, "authorize")  # no screen: chosen
        return _approve(server, grant, person_id, access, "terms", compiled.version)
    if request.method == "GET":
        facts = ", ".join(sorted(vendor.certifications)) or ""
        page = make_response(render_template(
            "oauth/consent.html", client=client, access=access,
            rows=_rows(person_id, access, decision),
            purpose_label=vocab.purpose(access.purpose).label if access.purpose else "",
            vendor_facts=facts, proffered=[standard(a) for a in acceptance.proffered(
                get_vault(), person_id, compiled.version)] if access.categories else [],
            durations=[d for d in DURATIONS if d <= access.duration_days]
            or [access.duration_days], action=request.full_path))
        return _allow_redirect_to(page, grant.redirect_uri)
    _log(person_id, client.client_id, access, decision, "authorize")
    chosen = [c for c in request.form.getlist("category") if c in allowed]
    if request.form.get("decision") != "approve" or (access.categories and not chosen):
        return _fail(AccessDeniedError("The person declined."), grant)
    try:
        days = int(request.form.get("days", access.duration_days))
    except ValueError:
        days = access.duration_days
    narrowed = access.narrowed(tuple(chosen), max(1, days))
    how = "person" if narrowed == access else "person_narrowed"
    return _approve(server, grant, person_id, narrowed, how, compiled.version)


def _approve(server, grant, person_id: str, access: details.DataAccess, how: str,
             terms_version: int):
    """Make the agreement and redirect with the code (RFC 6749 section 4.1.2). The agreement,
    its receipt and the code are one transaction: a failure in between leaves none of them.
    These are the steps of Authlib's `create_authorization_response`, less its second
    validation of the request and its catch-all, which would commit an agreement without a code.
    """
    try:
        with get_vault().transaction("write"):
            grant.request.custos_grant = make_agreement(
                person_id, grant.client.client_id, access, decided_by=how,
                terms_version=terms_version)
            status, body, headers = grant.create_authorization_response(
                grant.redirect_uri, Person(person_id))
    except OAuth2Error as error:
        return _fail(error, grant)
    response = server.handle_response(status, body, headers)
    server.execute_hook("after_create_authorization_response", response)  # `iss`, RFC 9207
    return response
