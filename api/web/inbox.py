"""The inbox: vendor requests the terms left to the person; approve, narrow, or deny."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from policies.agreements import agreement as standard
from vault.requests import PENDING

from ..clock import now
from ..errors import InvalidInput
from ..oauth.server import issuer
from ..services.acceptance import AgreementError, countered
from ..services.agreements import answer_counter_offer
from ..services.ownership import requests_of
from ..services.person_actions import decide_request, narrower_purposes
from ..store import get_settings, get_vault
from .accounts import login_required
from .activity import category_words, purpose_words
from .connections import _vendor

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def describe_request(req) -> dict:
    access = req.body.get("access", {})
    asked = access.get("purpose")
    return {"req": req, "vendor": _vendor(req.client_id), "access": access,
            "purposes": narrower_purposes(asked) if asked else [],
            "what": category_words(access.get("categories", [])),
            "why": purpose_words(access.get("purpose")), "reasons": req.body.get("reasons", [])}


def _page(failed: str | None = None, errors: dict | None = None, status: int = 200):
    """The inbox; after an error, the request that failed keeps what the person chose."""
    items = requests_of(get_vault(), g.person_id)
    pending = [describe_request(r) for r in items if r.status == PENDING]
    answered = [describe_request(r) for r in items if r.status != PENDING][:20]
    return render_template("inbox.html", pending=pending, answered=answered, failed=failed,
                           counters=_counters(),
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
        flash("Choose to agree or to decline.")
        return redirect(url_for("inbox.index"))
    try:
        done = answer_counter_offer(get_vault(), grant_id, g.person_id, decision == "agree",
                                    now=now(), issuer=issuer(),
                                    ack_days=get_settings().duty_ack_days)
    except AgreementError:
        abort(404)
    name = _vendor(done.client_id)["name"]
    flash(f"You agreed to {done.counter}; {name} must now confirm it with its signature before "
          "it can read anything." if decision == "agree" else
          f"You declined {name}'s counter-offer: that agreement has ended.")
    return redirect(url_for("inbox.index"))


def _in_words(fields: dict, request_id: str) -> dict[str, list[str]]:
    """The API's terse field messages ("choose 1 to 30") as the person reads them."""
    asked = {r.id: r for r in requests_of(get_vault(), g.person_id)}
    access = asked[request_id].body.get("access", {}) if request_id in asked else {}
    plain = {"categories": "Tick at least one of the kinds of data they asked for.",
             "duration_days": f"Choose from 1 to {access.get('duration_days', 1)} days, at "
                              "most what they asked for.",
             "purpose": "Choose the purpose they asked for, or a narrower one.",
             "decision": "This request was already answered."}
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
        return _page(request_id, {"duration_days": ["Enter a number of days, such as 7."]}, 400)
    categories = request.form.getlist("category") if decision == "approve" else None
    purpose = request.form.get("purpose") or None
    try:
        req = decide_request(get_vault(), g.person_id, request_id, decision, categories, duration,
                             purpose, now=now(), issuer=issuer())
    except InvalidInput as exc:
        return _page(request_id, _in_words(exc.fields, request_id), 400)
    vendor = _vendor(req.client_id)["name"]
    flash(f"You approved {vendor}'s request." if decision == "approve"
          else f"You denied {vendor}'s request.")
    return redirect(url_for("inbox.index"))
