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
from dataclasses import dataclass
from typing import Any
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
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from policies import Effect, Vendor, everyday, vocab
from policies.agreements import agreement as standard
from policies.compile import CompiledTerms
from policies.sentences import say_reason
from vault.agreement_events import DecisionMade

from ..clock import now
from ..security import CONTENT_SECURITY_POLICY
from ..services import acceptance, details, judge, mandates
from ..services.agreements import make_agreement
from ..services.consent import Assessment, Outcome, answer, assess
from ..services.disclosure import kept_home, what_leaves
from ..store import get_vault
from .grants import hook_data
from .models import Person
from .server import issuer, repeated_parameter

bp = Blueprint("oauth_authorize", __name__)
_NQCHAR = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]*")  # and SP, RFC 6749 Appendix A
_VSCHAR = re.compile(r"[\x20-\x7e]*")
# dpop_jkt: a JWK SHA-256 thumbprint (RFC 7638), base64url (RFC 9449 section 10)
SYNTAX = {"response_type": re.compile(r"[A-Za-z0-9_ ]*"), "scope": _NQCHAR,
          "redirect_uri": _NQCHAR, "code_challenge": _NQCHAR, "code_challenge_method": _NQCHAR,
          "client_id": _VSCHAR, "state": _VSCHAR,
          "dpop_jkt": re.compile(r"[A-Za-z0-9_-]{43}")}


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


def _rows(person_id: str, vendor, compiled, access: details.DataAccess, decision,
          claims_only=()) -> list[dict]:
    """Each asked category with the terms' answer and exactly what would leave today (a
    record another vendor added only where her terms pass it on)."""
    rows = []
    rules = {r.rule.id: r.rule for r in compiled.rules} if compiled else {}
    fields = judge.readable_fields(get_vault(), compiled, vendor, person_id, access, now())
    for cat in access.categories:
        effect = decision.effects[cat] if decision else Effect.ASK
        reasons = decision.reasons_for(cat) if decision else []
        rows.append({"id": cat, "label": vocab.category(cat).label, "effect": effect.value,
                     "reasons": [say_reason(r.to_dict(), rules, gettext) for r in reasons],
                     # no rule of the terms speaks of it: shown, but left unticked
                     "uncovered": all(r.rule_id is None for r in reasons),
                     "leaves": what_leaves(fields, [cat], now(), claims_only),
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


@dataclass(frozen=True)
class _Asked:
    """A valid authorization request of a signed-in person, assessed by their terms."""

    grant: Any  # Authlib's AuthorizationCodeGrant for this request
    person_id: str
    vendor: Vendor
    seen: Assessment
    compiled: CompiledTerms  # the terms assessed, for what would leave (pass_on)


def _asked() -> _Asked | ResponseReturnValue:
    """Authlib's validation, the data asked for, the person, their terms' assessment; or the
    response that ends the request here (an error, the sign-in page)."""
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
    vendor = judge.vendor_of(grant.client.client_id, grant.client.metadata)
    compiled = judge.current_terms(get_vault(), g.person_id)
    if refused := _not_accepted(g.person_id, grant.client, access, compiled.version):
        return _fail(refused, grant)
    seen = assess(compiled, vendor, access, now())
    return _Asked(grant=grant, person_id=g.person_id, vendor=vendor, seen=seen,
                  compiled=compiled)


def _settled(asked: _Asked) -> ResponseReturnValue | None:
    """The answer when the person's terms decide alone (refuse, or approve at once)."""
    seen, client_id = asked.seen, asked.grant.client.client_id
    if seen.outcome is Outcome.REFUSE:
        _log(asked.person_id, client_id, seen.access, seen.decision, "authorize")
        return _fail(AccessDeniedError(f"The person's terms refuse this request. "
                                       f"{seen.refusal}"), asked.grant)
    if seen.outcome is Outcome.APPROVE:  # no screen: the person chose so in their terms
        _log(asked.person_id, client_id, seen.access, seen.decision, "authorize")
        return _approve(asked.grant, asked.person_id, seen.access, "terms", seen.terms_version)
    return None


@bp.route("/oauth/authorize", methods=["GET", "POST"])
def authorize():
    """RFC 6749 section 4.1.1. Validate and assess, then let the terms settle it or ask."""
    asked = _asked()
    if not isinstance(asked, _Asked):
        return asked
    if (settled := _settled(asked)) is not None:
        return settled
    return _consent_screen(asked) if request.method == "GET" else _consent_given(asked)


def _consent_screen(asked: _Asked):
    """GET: the person sees what would be shared, category by category."""
    access, client = asked.seen.access, asked.grant.client
    page = make_response(render_template(
        "oauth/consent.html", client=client, access=access,
        rows=_rows(asked.person_id, asked.vendor, asked.compiled, access, asked.seen.decision,
                   asked.seen.claims_only),
        purpose_words=everyday.acts((access.purpose,), gettext)[0] if access.purpose else "",
        mandates=[(m, mandates.WORDS[m]) for m in access.mandates],
        vendor_facts=[(c, c in asked.vendor.verified_certifications)
                      for c in sorted(asked.vendor.certifications)],
        proffered=[standard(a) for a in acceptance.proffered(
            get_vault(), asked.person_id, asked.seen.terms_version)] if access.categories else [],
        durations=[d for d in DURATIONS if d <= access.duration_days]
        or [access.duration_days], action=request.full_path))
    return _allow_redirect_to(page, asked.grant.redirect_uri)


def _consent_given(asked: _Asked):
    """POST: the consent form comes back; approve (maybe for less) or decline."""
    seen = asked.seen
    _log(asked.person_id, asked.grant.client.client_id, seen.access, seen.decision, "authorize")
    approved = answer(seen, request.form.get("decision"), request.form.getlist("category"),
                      request.form.get("days"), request.form.getlist("mandate"))
    if approved is None:
        return _fail(AccessDeniedError("The person declined."), asked.grant)
    how = "person" if approved == seen.access else "person_narrowed"
    return _approve(asked.grant, asked.person_id, approved, how, seen.terms_version)


def _approve(grant, person_id: str, access: details.DataAccess, how: str,
             terms_version: int):
    """Make the agreement and redirect with the code (RFC 6749 section 4.1.2). The agreement,
    its receipt and the code are one transaction: a failure in between leaves none of them.
    These are the steps of Authlib's `create_authorization_response`, less its second
    validation of the request and its catch-all, which would commit an agreement without a code.
    """
    try:
        with get_vault().transaction("write"):
            hook_data(grant.request).grant = make_agreement(
                get_vault(), person_id, grant.client.client_id, access, decided_by=how,
                terms_version=terms_version,
                actor=how if how == "terms" else mandates.PERSON, now=now(), issuer=issuer())
            status, body, headers = grant.create_authorization_response(
                grant.redirect_uri, Person(person_id))
    except OAuth2Error as error:
        return _fail(error, grant)
    server = current_app.extensions["custos.oauth"]
    response = server.handle_response(status, body, headers)
    server.execute_hook("after_create_authorization_response", response)  # `iss`, RFC 9207
    return response
