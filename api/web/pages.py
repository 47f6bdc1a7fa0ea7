"""The person's pages: home and personal data (add, edit, delete)."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from marshmallow import ValidationError

from policies import vocab
from policies.agreements import roster
from policies.errors import UnknownConcept

from ..clock import now
from ..i18n import T_, say
from ..services import duties, mandates, proposals
from ..services.field_kinds import HINTS, INPUTS, kind_of, shown
from ..services.judge import saved_terms
from ..services.ownership import grants_of, requests_of
from ..services.vendors import vendor_names
from ..store import get_vault
from . import (
    agreement_terms,
    connections,
    imports,
    inbox,
    intents,
    log,
    mail_pages,
    offer_rules,
    offers,
    settings,
    standard,
    terms,
)
from .accounts import login_required
from .activity import category_words, describe
from .forms import FieldSchema, error_items, messages_of

bp = Blueprint("pages", __name__)
#: the standard agreements a new person is offered on the home page
STARTERS = ("SD-BASE", "PDC-INTENT")  # stable ids (issue 12); the old ones are aliases
ALERT_DAYS = timedelta(days=7)  # how long Home shows that an agent changed what vendors get


def category_choices() -> list[tuple[str, list]]:
    """Categories grouped for the form's select, with their plain-language labels."""
    labels = {group.id: group.label for group in vocab.groups()}
    grouped: dict[str, list] = {}
    for concept in vocab.categories():
        grouped.setdefault(labels[concept.id.split(".")[0]], []).append(concept)
    return list(grouped.items())


@bp.get("/")
def home():
    if g.get("person_id") is None:
        return render_template("welcome.html")
    vault = get_vault()
    pid = g.person_id
    grants = [connections.describe_grant(gr)
              for gr in grants_of(vault, pid)]
    names = vendor_names(vault)
    accesses = vault.list_events(pid, kinds=["access_attempted"])[-5:][::-1]
    fields, intents = vault.list_fields(pid), vault.list_intents(pid)
    steps = {"data": bool(fields), "intent": bool(intents),
             "terms": saved_terms(vault, pid) is not None}
    alerts = vault.list_events(pid, kinds=["agent_changed_access"],
                               since=now() - ALERT_DAYS)[::-1]
    return render_template(
        "home.html", fields=fields, intents=intents, steps=steps,
        starters=[a for a in roster() if a.id in STARTERS],
        pending=requests_of(vault, pid, "pending"),
        overdue=duties.overdue_count(vault, pid, now()),
        connections=[r for r in grants if r["live"] and not mandates.is_agent(r["grant"])],
        accesses=[(e, describe(e, names.get)) for e in accesses],
        alerts=[(e, describe(e, names.get)) for e in alerts],
        proposals=len(proposals.pending(vault, pid)),
        recent=[(e, describe(e, names.get)) for e in vault.list_events(pid)[-8:][::-1]])


@bp.get("/data")
@login_required
def data():
    return _data_page({}, {})


def _data_page(form, errors, status=200):
    groups = {group.id: group for group in vocab.groups()}
    grouped: dict[str, list] = {}
    added: dict[str, list] = {}  # records vendors added, by vendor (write-back)
    vault = get_vault()
    for item in vault.list_fields(g.person_id):
        if item.source:
            added.setdefault(item.source, []).append(item)
        else:
            grouped.setdefault(item.category.split(".")[0], []).append(item)
    sections = [(groups.get(key), items) for key, items in sorted(grouped.items())]
    names = vendor_names(vault) if added else {}
    sources = sorted(((names.get(cid) or "A vendor", items) for cid, items in added.items()),
                     key=lambda pair: pair[0].casefold())
    return render_template("data.html", sections=sections, sources=sources, form=form,
                           errors=errors, **_value_input(form)), status


@bp.post("/data")
@login_required
def add_field():
    try:
        data = FieldSchema().load(request.form.to_dict())
    except ValidationError as exc:
        return _data_page(request.form, exc.normalized_messages(), 400)
    get_vault().add_field(g.person_id, now=now(), **data)
    flash(gettext("Saved “%(name)s”.", name=data["name"]))
    return redirect(url_for("pages.data"))


@bp.route("/data/<field_id>", methods=["GET", "POST"])
@login_required
def edit_field(field_id: str):
    vault = get_vault()
    item = vault.get_field(g.person_id, field_id)
    form, errors = {"category": item.category, "name": item.name,
                    "value": shown(kind_of(item.category), item.value)}, {}
    if request.method == "POST":
        form = request.form
        try:
            data = FieldSchema().load(form.to_dict())
        except ValidationError as exc:
            errors = exc.normalized_messages()
        else:
            vault.update_field(g.person_id, field_id, now=now(), **data)
            flash(gettext("Saved “%(name)s”.", name=data["name"]))
            return redirect(url_for("pages.data"))
    return render_template("field_edit.html", item=item, form=form, errors=errors,
                           **_value_input(form)), 400 if errors else 200


def _value_input(form) -> dict:
    """The category choices, and the value input that fits the chosen category; custos.js
    switches it when another category is chosen (without JavaScript the server reads any)."""
    choices = category_choices()
    chosen = form.get("category") or choices[0][1][0].id
    kinds = {c.id: kind_of(c.id) for _, concepts in choices for c in concepts}
    return {"choices": choices, "kind": kind_of(chosen), "inputs": INPUTS,
            "hints": {kind: gettext(hint) for kind, hint in HINTS.items()},
            "kinds": kinds}


@bp.post("/data/<field_id>/delete")
@login_required
def delete_field(field_id: str):
    get_vault().delete_field(g.person_id, field_id, now())
    flash(gettext("Deleted."))
    return redirect(url_for("pages.data"))


def _concept(category_id: str):
    """The vocabulary concept of a category id, or None for an id it no longer knows."""
    try:
        return vocab.category(category_id)
    except UnknownConcept:
        return None


def _values_of(form, name: str) -> list:
    """A multi-valued input's values, from a submitted form or from a dict of lists."""
    if hasattr(form, "getlist"):
        return form.getlist(name)
    return list(form.get(name) or [])


#: the butler's reasons (policies/offers.py) as templates, so the pages say them translated
OFFER_REASONS = (
    T_("You blocked offers from {vendor}"), T_("The offer expired on {when} UTC"),
    T_("It answers none of your active intents"), T_("The intent it answers ended on {day}"),
    T_("It offers {offered}, and you asked for {asked}"),
    T_("It is priced in {offered}, your budget is in {asked}"),
    T_("It costs {price}, over your budget of {budget}"),
    T_("You only want offers from vendors verified as {what}"),
    T_("You only want offers from vendors claiming to be {what}"),
    T_("You accept at most {max} offers per {per} from one vendor, and {vendor} already sent "
       "that many"),
    T_("It answers your intent and meets your offer rules"), T_("You decided this yourself"),
    T_("{vendor} does not accept your standard agreements: {agreements}"))  # accepts.py


def _offer_reason(reason: dict) -> str:
    return say(reason.get("text") or reason.get("code") or "")


def _days(count: int) -> str:
    """'1 day', '30 days', in the page's language."""
    return ngettext("%(num)s day", "%(num)s days", count)


def _waiting() -> int:
    """How many vendor requests wait for the signed-in person: the count beside Inbox."""
    return len(requests_of(get_vault(), g.person_id, "pending"))


def init_app(app: Flask) -> None:
    app.add_template_global(describe)
    app.register_blueprint(bp)
    app.register_blueprint(intents.bp)
    app.register_blueprint(settings.bp)
    app.register_blueprint(log.bp)
    app.register_blueprint(connections.bp)
    app.register_blueprint(inbox.bp)
    app.register_blueprint(terms.bp)
    app.register_blueprint(offers.bp)
    app.register_blueprint(agreement_terms.bp)
    app.register_blueprint(standard.bp)
    app.register_blueprint(offer_rules.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(mail_pages.bp)
    app.add_template_global(_values_of, "values_of")
    app.add_template_global(category_words)
    app.add_template_global(_concept, "concept")
    app.add_template_global(lambda errors: [(name, say(m)) for name, m in error_items(errors)],
                            "error_items")
    app.add_template_global(shown, "shown_value")
    app.add_template_filter(_days, "days")
    app.add_template_global(_waiting, "waiting")
    app.add_template_global(lambda errors, name: [say(m) for m in messages_of(errors, name)],
                            "messages_of")
    app.add_template_global(_offer_reason, "offer_reason")
