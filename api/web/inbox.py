"""The inbox: vendor requests the terms left to the person; approve, narrow, or deny."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from policies import everyday, vocab
from policies.agreements import agreement as standard
from vault.requests import PENDING

from ..clock import now
from ..errors import InvalidInput
from ..oauth.server import issuer
from ..services import judge, proposals
from ..services.acceptance import AgreementError, countered
from ..services.agreements import answer_counter_offer
from ..services.disclosure import in_words, what_leaves
from ..services.ownership import requests_of
from ..services.person_actions import decide_request, narrower_purposes
from ..services.vendors import vendor_names
from ..store import get_settings, get_vault
from .accounts import login_required
from .activity import category_words, purpose_words, reason_words
from .connections import _vendor

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def describe_request(req, fields=None, claims_only=(), say=None) -> dict:
    """A request in words; with the person's `fields`, exactly what each category would
    release today (the same answer as the consent page and the data read)."""
    access = req.body.get("access", {})
    asked = access.get("purpose")
    leaves = {c: in_words(what_leaves(fields, [c], now(), claims_only))
              for c in access.get("categories", [])} if fields is not None else {}
    return {"req": req, "vendor": _vendor(req.client_id), "access": access,
            "purposes": narrower_purposes(asked) if asked else [],
            "what": category_words(access.get("categories", [])), "leaves": leaves,
            # in everyday words when the purpose has them ("to send you offers you asked for"),
            # translated; a rarer DPV purpose keeps its label
            "why": everyday.acts((asked,), gettext)[0] if asked and vocab.is_purpose(asked)
            else purpose_words(asked),
            "reasons": [{**r, "text": say(r)} if say and isinstance(r, dict) else r
                        for r in req.body.get("reasons", [])]}


def _page(failed: str | None = None, errors: dict | None = None, status: int = 200):
    """The inbox; after an error, the request that failed keeps what the person chose."""
    vault = get_vault()
    items = requests_of(vault, g.person_id)
    waiting = [r for r in items if r.status == PENDING]
    fields = vault.list_fields(g.person_id) if waiting else None
    claims_only = judge.current_terms(vault, g.person_id).terms.claims_only if waiting else ()
    say = reason_words(g.person_id)
    pending = [describe_request(r, fields, claims_only, say) for r in waiting]
    answered = [describe_request(r, say=say) for r in items if r.status != PENDING][:20]
    names = vendor_names(vault)
    proposed = [{"proposal": p, "agent": names.get(p.client_id, p.client_id)}
                for p in proposals.pending(vault, g.person_id)]
    return render_template("inbox.html", pending=pending, answered=answered, failed=failed,
                           counters=_counters(), proposals=proposed,
                           form=request.form if failed else {}, errors=errors or {}), status


def _counters() -> list[dict]:
    """Counter-offers from vendors: the agreement she proffered and the one they propose."""
    found = []
    for n in countered(get_vault(), g.person_id):
        found.append({"n": n, "vendor": _vendor(n.client_id),
                      "proffered": [standard(a) for a in n.record["agreements"]],
                      "counter": standard(n.counter)})
    return found


@bp.post("/counters/<grant_id>")
@login_required
def answer_counter(grant_id: str):
    """Take the vendor's counter-offer (it must then sign it) or decline it (it ends)."""
    decision = request.form.get("decision", "")
    if decision not in ("agree", "decline"):
        flash(gettext("Choose to agree or to decline."))
        return redirect(url_for("inbox.index"))
    try:
        done = answer_counter_offer(get_vault(), grant_id, g.person_id, decision == "agree",
                                    now=now(), issuer=issuer(),
                                    ack_days=get_settings().duty_ack_days)
    except AgreementError:
        abort(404)
    name = _vendor(done.client_id)["name"]
    flash(gettext("You agreed to %(agreement)s; %(vendor)s must now confirm it with its "
                  "signature before it can read anything.", agreement=done.counter, vendor=name)
          if decision == "agree" else
          gettext("You declined %(vendor)s's counter-offer: that agreement has ended.",
                  vendor=name))
    return redirect(url_for("inbox.index"))


def _in_words(fields: dict, request_id: str) -> dict[str, list[str]]:
    """The API's terse field messages ("choose 1 to 30") as the person reads them."""
    asked = {r.id: r for r in requests_of(get_vault(), g.person_id)}
    access = asked[request_id].body.get("access", {}) if request_id in asked else {}
    plain = {"categories": gettext("Tick at least one of the kinds of data they asked for."),
             "duration_days": gettext("Choose from 1 to %(most)s days, at most what they asked "
                                      "for.", most=access.get("duration_days", 1)),
             "purpose": gettext("Choose the purpose they asked for, or a narrower one."),
             "decision": gettext("This request was already answered.")}
    return {name: [plain.get(name, " ".join(texts))] for name, texts in fields.items()}


@bp.get("")
@login_required
def index():
    return _page()


@bp.post("/<request_id>")
@login_required
def decide(request_id: str):
    """Approve all, approve fewer categories or a shorter time (narrowed), or deny."""
    decision = request.form.get("decision", "")
    if decision not in ("approve", "deny"):
        return _page(request_id, {"decision": ["Choose Approve or Deny."]}, 400)
    days = request.form.get("days", "").strip()
    try:
        duration = int(days) if days else None
    except ValueError:
        return _page(request_id,
                     {"duration_days": [gettext("Enter a number of days, such as 7.")]}, 400)
    categories = request.form.getlist("category") if decision == "approve" else None
    purpose = request.form.get("purpose") or None
    try:
        req = decide_request(get_vault(), g.person_id, request_id, decision, categories, duration,
                             purpose, now=now(), issuer=issuer(),
                             mail=None)  # her own answer: no alert, so no email
    except InvalidInput as exc:
        return _page(request_id, _in_words(exc.fields, request_id), 400)
    vendor = _vendor(req.client_id)["name"]
    flash(gettext("You approved the request from %(vendor)s.", vendor=vendor)
          if decision == "approve"
          else gettext("You denied the request from %(vendor)s.", vendor=vendor))
    return redirect(url_for("inbox.index"))


@bp.post("/proposals/<proposal_id>/decline")
@login_required
def decline_proposal(proposal_id: str):
    """The person says no to her agent's proposed terms change: nothing changes."""
    vault = get_vault()
    found = proposals.waiting(vault, g.person_id, proposal_id)
    proposals.decided(vault, g.person_id, found.id, proposals.DECLINE, None, now())
    flash(gettext("You declined the change your agent proposed. Your terms stay as they "
                  "are."))
    return redirect(url_for("inbox.index"))
