"""The public page of an agreement's terms: where a consent receipt's `policyUrl` points.

Kantara CR v1.1 wants a `policyUrl` that both sides can open. Custos gives each agreement its
own address, `/agreements/<id>/<tag>`, where the tag is HMAC-SHA256(server key, agreement id):
only the holders of the receipt know it, no one can list or guess others (the agreement id
alone, which appears in other URLs, opens nothing), and nothing is stored for it.

The page shows what both sides agreed (vendor, purpose, categories, retention, sharing, until
when, the duty to delete at the end) and the public texts of the standard agreements the
person's terms had adopted at that version. Never a person id, a pairwise subject, a value,
or her own rules: those can name her data and other vendors, and they stay hers.
"""

from __future__ import annotations

from flask import Blueprint, abort, make_response, render_template

from policies import vocab
from policies.agreements import agreement as standard
from policies.errors import TermsError
from vault.grants import Grant

from ..clock import now
from ..oauth.server import issuer
from ..services.judge import saved_terms
from ..services.receipts import tagged_agreement
from ..services.vendors import find_vendor
from ..store import get_vault
from .activity import purpose_words

bp = Blueprint("agreement_terms", __name__)


def _standard_agreements(grant: Grant) -> list[dict]:
    """The standard agreements adopted in the terms version the agreement was made under."""
    stored = saved_terms(get_vault(), grant.person_id, grant.terms_version) \
        if grant.terms_version else None
    found = []
    for ident in (stored.body.get("agreements", []) if stored else []):
        try:
            found.append(standard(ident))
        except TermsError:  # no longer on the roster (never happens today: ids are stable)
            continue
    return found


@bp.get("/agreements/<grant_id>/<given>")
def show(grant_id: str, given: str):
    """Public, but only at the tagged address; anything else is the same 404."""
    grant = tagged_agreement(get_vault(), grant_id, given, now())
    if grant is None:
        abort(404)
    client = find_vendor(get_vault(), grant.client_id)
    vendor = (client.metadata.get("client_name") if client else None) or grant.client_id
    adopted = _standard_agreements(grant)
    page = make_response(render_template(
        "agreement_terms.html", grant=grant, vendor=vendor, live=grant.live(now()),
        purpose=vocab.purpose(grant.purpose) if grant.purpose else None,
        purpose_text=purpose_words(grant.purpose),
        categories=[vocab.category(c) for c in grant.categories], adopted=adopted,
        duties=sorted({d for a in adopted for d in a.duties}), issuer=issuer()))
    page.headers["Cache-Control"] = "no-store"
    page.headers["X-Robots-Tag"] = "noindex, nofollow"
    page.headers["Referrer-Policy"] = "no-referrer"
    return page
