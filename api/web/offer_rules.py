"""The butler's rules for offers on a page: who is blocked (with Unblock), what an offer must
meet. Every change is a change of terms, previewed like any other, then back here."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext
from marshmallow import ValidationError

from .accounts import login_required
from .forms import OfferRulesSchema
from .terms import current, propose, vendor_choices
from .terms_form import PERIODS
from .terms_words import rules_of, sentences

bp = Blueprint("offer_rules", __name__, url_prefix="/offers/rules")


def _page(errors: dict | None = None, form=None, status: int = 200):
    rules = rules_of(current()[1])
    names = dict(vendor_choices())
    cap = rules["max_per_vendor"] or {}
    shown = form if form is not None else {
        **{k: rules[k] for k in ("within_budget", "match_category", "require_verified")},
        "require_certifications": ", ".join(rules["require_certifications"]),
        "max_offers": str(cap.get("max", "")), "per": cap.get("per", "week")}
    return render_template(
        "offer_rules.html", rules=rules, said=sentences(rules, names), names=names,
        blockable=[(v, n) for v, n in names.items() if v not in rules["blocklist"]],
        periods=PERIODS, form=shown, errors=errors or {}), status


@bp.get("")
@login_required
def index():
    return _page()


@bp.post("")
@login_required
def change():
    """Budget, category, certifications and the cap per vendor, from the form."""
    try:
        changed = OfferRulesSchema().load(request.form.to_dict())
    except ValidationError as exc:
        return _page(exc.normalized_messages(), request.form, 400)
    _, body = current()
    return propose({**body, "offers": {**rules_of(body), **changed}}, back="offers")


def block_in_terms(vendor: str):
    """The preview of the terms with `vendor` added to the blocklist."""
    _, body = current()
    rules = rules_of(body)
    blocked = rules["blocklist"] + ([] if vendor in rules["blocklist"] else [vendor])
    return propose({**body, "offers": {**rules, "blocklist": blocked}}, back="offers")


@bp.post("/block")
@login_required
def block():
    vendor = request.form.get("vendor", "")
    if vendor not in dict(vendor_choices()):
        return _page({"vendor": [gettext("Choose one of the listed vendors.")]}, status=400)
    return block_in_terms(vendor)


@bp.post("/unblock")
@login_required
def unblock():
    _, body = current()
    rules = rules_of(body)
    vendor = request.form.get("vendor", "")
    if vendor not in rules["blocklist"]:
        return _page({"vendor": [gettext("That vendor is not blocked.")]}, status=400)
    kept = [v for v in rules["blocklist"] if v != vendor]
    return propose({**body, "offers": {**rules, "blocklist": kept}}, back="offers")


