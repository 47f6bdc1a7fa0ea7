"""Intents: what the person wants, on what terms, and whether vendors may see it."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext
from marshmallow import ValidationError

from policies.offers import intent_live

from ..clock import now
from ..oauth.server import issuer
from ..services import intentcast
from ..services.ownership import offers_of
from ..store import get_vault
from .accounts import login_required
from .forms import INTENT_CATEGORIES, IntentSchema

bp = Blueprint("intents", __name__, url_prefix="/intents")


def _form_of(intent) -> dict:
    form = dict(intent.data)
    form["constraints"] = "\n".join(form.get("constraints") or [])
    return {k: v for k, v in form.items() if v is not None}


def _ended(intent) -> bool:
    """Active, but past its end date: vendors no longer see it and its offers are not delivered."""
    return intent.status == "active" and not intent_live(intent.status, intent.data.get("ends"),
                                                         now())


def _cast(before, after) -> None:
    """Tell subscribed vendors of an intent they may now see, and the vendors that answered
    one of its closing (api/services/intentcast.py)."""
    intentcast.changed(get_vault(), now(), before, after, issuer=issuer())


def _render(template: str, form, errors, **extra):
    return render_template(template, form=form, errors=errors,
                           categories={k: gettext(v) for k, v in INTENT_CATEGORIES.items()},
                           ended=_ended, **extra), 400 if errors else 200


def _offer_counts() -> dict[str, dict[str, int]]:
    """Offers each intent drew, by status, for the intents page."""
    counts: dict[str, dict[str, int]] = {}
    for offer in offers_of(get_vault(), g.person_id):
        per = counts.setdefault(offer.intent_id, {})
        per[offer.status] = per.get(offer.status, 0) + 1
    return counts


@bp.get("")
@login_required
def index():
    return _render("intents.html", {}, {}, intents=get_vault().list_intents(g.person_id),
                   offer_counts=_offer_counts())


@bp.post("")
@login_required
def create():
    try:
        data = IntentSchema().load(request.form.to_dict())
    except ValidationError as exc:
        return _render("intents.html", request.form, exc.normalized_messages(),
                       intents=get_vault().list_intents(g.person_id),
                       offer_counts=_offer_counts())
    vault = get_vault()
    with vault.transaction("write"):  # the intent and the notices to subscribers, together
        _cast(None, vault.add_intent(g.person_id, data, now()))
    flash(gettext("Your intent is saved."))
    return redirect(url_for("intents.index"))


@bp.route("/<intent_id>", methods=["GET", "POST"])
@login_required
def edit(intent_id: str):
    vault = get_vault()
    intent = vault.get_intent(g.person_id, intent_id)
    if request.method == "GET":
        return _render("intent_edit.html", _form_of(intent), {}, intent=intent)
    try:
        data = IntentSchema().load(request.form.to_dict())
    except ValidationError as exc:
        return _render("intent_edit.html", request.form, exc.normalized_messages(), intent=intent)
    with vault.transaction("write"):
        _cast(intent, vault.update_intent(g.person_id, intent_id, data, now()))
    flash(gettext("Your intent is saved."))
    return redirect(url_for("intents.index"))


@bp.post("/<intent_id>/status")
@login_required
def set_status(intent_id: str):
    """One-click withdraw or mark fulfilled, keeping everything else as it was."""
    vault = get_vault()
    intent = vault.get_intent(g.person_id, intent_id)
    status = request.form.get("status", "")
    if status not in ("active", "fulfilled", "withdrawn"):
        flash(gettext("Choose active, fulfilled or withdrawn."), "error")
        return redirect(url_for("intents.index"))
    with vault.transaction("write"):
        _cast(intent, vault.update_intent(g.person_id, intent_id,
                                          {**intent.data, "status": status}, now()))
    flash({"active": gettext("Marked active."), "fulfilled": gettext("Marked fulfilled."),
           "withdrawn": gettext("Marked withdrawn.")}[status])
    return redirect(url_for("intents.index"))
