"""The inbox: vendor requests the terms left to the person; approve, narrow, or deny."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

from vault.requests import PENDING

from .accounts import login_required
from .activity import category_words, purpose_words
from .connection_pages import _vendor
from .errors import InvalidInput
from .oauth.person_actions import decide_request, narrower_purposes
from .store import get_vault

bp = Blueprint("inbox", __name__, url_prefix="/inbox")


def describe_request(req) -> dict:
    access = req.body.get("access", {})
    asked = access.get("purpose")
    return {"req": req, "vendor": _vendor(req.client_id), "access": access,
            "purposes": narrower_purposes(asked) if asked else [],
            "what": category_words(access.get("categories", [])),
            "why": purpose_words(access.get("purpose")), "reasons": req.body.get("reasons", [])}


def _page(errors: dict | None = None, status: int = 200):
    items = get_vault().agreements.requests.for_person(g.person_id, None)
    pending = [describe_request(r) for r in items if r.status == PENDING]
    answered = [describe_request(r) for r in items if r.status != PENDING][:20]
    return render_template("inbox.html", pending=pending, answered=answered,
                           errors=errors or {}), status


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
        return _page({request_id: {"decision": ["Choose approve or deny."]}}, 400)
    days = request.form.get("days", "").strip()
    try:
        duration = int(days) if days else None
    except ValueError:
        return _page({request_id: {"duration_days": ["Enter a number of days."]}}, 400)
    categories = request.form.getlist("category") if decision == "approve" else None
    purpose = request.form.get("purpose") or None
    try:
        req = decide_request(g.person_id, request_id, decision, categories, duration, purpose)
    except InvalidInput as exc:
        return _page({request_id: exc.fields}, 400)
    vendor = _vendor(req.client_id)["name"]
    flash(f"You approved {vendor}'s request." if decision == "approve"
          else f"You denied {vendor}'s request.")
    return redirect(url_for("inbox.index"))
