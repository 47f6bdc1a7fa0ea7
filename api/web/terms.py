"""The person's terms: adopt standard agreements, write own rules, try requests, then save.

Every change goes through a preview that shows the new rules, the analysis warnings, the
what-if answer (which connections the change would cut) and a "try a request" panel; only
"Save" makes it the next version.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext

from policies import (
    TermsError,
    compile_terms,
    evaluate,
    everyday,
    load_request,
    load_terms,
    vocab,
)
from policies.agreements import adopt, canonical, drop, find, roster
from policies.odrl_export import export_odrl
from policies.serialize import dump_vendor

from .. import untrusted
from ..clock import now
from ..errors import InvalidInput, NotFound
from ..i18n import N_
from ..oauth.server import issuer
from ..services import judge, proposals
from ..services.person_actions import replace_terms, terms_what_if
from ..services.vendors import find_vendor, vendor_names
from ..store import get_settings, get_vault
from .accounts import login_required
from .terms_form import (
    ACTIONS,
    EFFECTS,
    PERIODS,
    SHARING,
    category_groups,
    errors_for_rule,
    form_from_rule,
    form_problems,
    more_open,
    rule_from_form,
)
from .terms_words import changes as offer_changes
from .terms_words import compare, rules_of, sentences
from .terms_words import view as _view

bp = Blueprint("terms", __name__, url_prefix="/terms")
#: where "Save" and "Discard" lead: back to the page the change started on
BACK = {"terms": "terms.index", "offers": "offer_rules.index"}


def current() -> tuple[int, dict]:
    stored = judge.saved_terms(get_vault(), g.person_id)
    if stored is None:
        return 0, dict(judge.DEFAULT_TERMS)
    return stored.version, stored.body


def vendor_choices() -> list[tuple[str, str]]:
    """Vendors by name, read from the name column (never every vendor's metadata)."""
    return sorted(vendor_names(get_vault()).items(), key=lambda v: v[1])


def _render(template: str, *, status: int = 200, **extra):
    version, body = current()
    names = dict(vendor_choices())
    context = {"version": version, "saved": _view(body), "roster": roster(),
               "offer_rules": sentences(rules_of(body), names),
               "adopted": set(canonical(body.get("agreements", []))),
               "effects": {k: gettext(v) for k, v in EFFECTS.items()}, "actions": ACTIONS,
               "sharing": SHARING, "periods": PERIODS, "categories": vocab.categories(),
               "purposes": vocab.purposes(), "vendors": list(names.items()), "form": {},
               "everyday": everyday.TABLE, "category_groups": category_groups(),
               "more_open": more_open, "adopting": None, "claim_groups": CLAIM_GROUPS,
               "errors": {}, "trial": None, "trial_form": {}, "back": "terms"}
    context.update(extra)
    return render_template(template, **context), status


@bp.get("")
@login_required
def index():
    return _render("terms.html")


def propose(candidate: dict, *, rule: dict | None = None, form=None,
            editing: str | None = None, back: str = "terms", adopting: str | None = None):
    """Show the preview of a change, or the terms page with the errors beside the rule form,
    in the mode it was in (adding, or editing that rule) and with everything typed."""
    errors = form_problems(form) if rule else {}
    try:
        answer = terms_what_if(get_vault(), g.person_id, candidate, now=now())
    except InvalidInput as exc:
        found = errors_for_rule(exc.fields, rule) if rule else {"form": [exc.description]}
        errors = {**found, **errors}  # the form's own words win for the same input
    if errors:
        return _render("terms.html", status=400, form=form or {}, errors=errors,
                       editing=editing)
    return _preview(candidate, json.dumps(candidate), answer, back, adopting=adopting)


def _preview(candidate: dict, candidate_json: str, answer: dict, back: str, **extra):
    names = dict(vendor_choices())
    return _render("terms_preview.html", candidate=compare(current()[1], _view(candidate)),
                   answer=answer,
                   candidate_json=candidate_json, vendor_names=names,
                   offer_changes=offer_changes(current()[1], candidate, names),
                   back=back if back in BACK else "terms",
                   back_to=BACK.get(back, "terms.index"), **extra)


@bp.get("/proposals/<proposal_id>")
@login_required
def proposal(proposal_id: str):
    """An agent's proposed change, in the same preview as the person's own, with what it
    would let vendors get that they do not get now."""
    vault = get_vault()
    found = proposals.waiting(vault, g.person_id, proposal_id)
    body = proposals.validated(vault, g.person_id, found.body)
    loosens = [x.to_dict() for x in proposals.what_it_loosens(vault, g.person_id, body, now())]
    agent = dict(vendor_choices()).get(found.client_id, found.client_id)
    answer = terms_what_if(vault, g.person_id, body, now=now())
    return _preview(body, json.dumps(body), answer, "terms", proposal=found, agent=agent,
                    loosens=loosens)[0]


@bp.post("/adopt")
@login_required
def adopt_agreement():
    agreement_id = request.form.get("agreement", "")
    found = find(agreement_id)  # a stable id or an alias
    if found is None:
        raise InvalidInput("Choose one of the standard agreements.",
                           fields={"agreement": ["unknown agreement"]})
    _, body = current()
    if request.form.get("action") == "drop":
        return propose(drop(body, agreement_id))
    title = gettext(found.title)
    return propose(adopt(body, agreement_id), adopting=title)


@bp.post("/rules")
@login_required
def add_rule():
    _, body = current()
    rule = rule_from_form(request.form)
    candidate = {**body, "rules": [*body.get("rules", []), rule]}
    return propose(candidate, rule=rule, form=request.form)


@bp.route("/rules/<rule_id>", methods=["GET", "POST"])
@login_required
def edit_rule(rule_id: str):
    _, body = current()
    rules = body.get("rules", [])
    index_of = {r["id"]: i for i, r in enumerate(rules)}
    if rule_id not in index_of:
        raise NotFound("There is no such rule in your terms.")
    if request.method == "GET":
        return _render("terms.html", form=form_from_rule(rules[index_of[rule_id]]),
                       editing=rule_id)
    action = request.form.get("action", "save")
    rules = list(rules)
    i = index_of[rule_id]
    if action == "delete":
        del rules[i]
    elif action in ("up", "down"):
        j = i - 1 if action == "up" else i + 1
        if 0 <= j < len(rules):
            rules[i], rules[j] = rules[j], rules[i]
    else:
        rules[i] = rule_from_form(request.form, rule_id)
        return propose({**body, "rules": rules}, rule=rules[i], form=request.form,
                       editing=rule_id)
    return propose({**body, "rules": rules})


@bp.post("/default")
@login_required
def set_default():
    _, body = current()
    if (default := request.form.get("default", "")) not in EFFECTS:
        return _render("terms.html", status=400, errors={"default": [gettext(
            "Choose what happens when no rule applies: allow, refuse or ask me.")]})
    return propose({**body, "default": default})


@bp.post("/auto-approve")
@login_required
def set_auto_approve():
    """Whether a vendor's request the terms permit in full is approved without asking."""
    _, body = current()
    return propose({**body, "auto_approve": request.form.get("auto_approve") == "1"})


#: the groups whose values the vault can answer for with claims (vault/claims.py), in words
CLAIM_GROUPS = {
    "demographics": N_("Demographics: answers such as “over 18: yes” or an age bracket, never "
                       "your date of birth or an age you typed"),
    "address": N_("Address: your country, region and postal area, never your street, city or "
                  "full postal code"),
    "household": N_("Household: a size bracket such as “3–4”, never the number"),
}


@bp.post("/claims-only")
@login_required
def set_claims_only():
    """Categories whose stored values never leave, only the answers worked out from them."""
    _, body = current()
    chosen = request.form.getlist("claims_only")
    if unknown := [c for c in chosen if c not in CLAIM_GROUPS]:
        return _render("terms.html", status=400, errors={"claims_only": [
            gettext("Choose among %(groups)s; not %(wrong)r.", groups=", ".join(CLAIM_GROUPS),
                    wrong=unknown[0][:40])]})
    return propose({**body, "claims_only": [c for c in CLAIM_GROUPS if c in chosen]})


@bp.post("/save")
@login_required
def save():
    """The confirmed change becomes the next version; cut connections end now."""
    try:
        candidate = untrusted.loads(request.form.get("candidate", ""))
    except ValueError:
        raise InvalidInput("The change could not be read; start again.",
                           fields={"candidate": ["not JSON"]}) from None
    proposal = request.form.get("proposal")
    if proposal:  # the person accepts her agent's proposal (as shown, or as she edited it)
        proposals.waiting(get_vault(), g.person_id, proposal)
    answer = replace_terms(get_vault(), g.person_id, candidate, now=now(), issuer=issuer(),
                           mail=None,  # her own change: no alert, so no email
                           ack_days=get_settings().duty_ack_days)
    if proposal:
        proposals.decided(get_vault(), g.person_id, proposal, proposals.ACCEPT,
                          answer["version"], now())
    cut = len(answer["cut"])
    flash(gettext("Saved version %(version)s of your terms.", version=answer["version"])
          + (" " + ngettext("%(num)s connection ended.", "%(num)s connections ended.", cut)
             if cut else ""))
    return redirect(url_for(BACK.get(request.form.get("back", ""), "terms.index")))


_TRIAL_PROBLEMS = {"categories": N_("Tick at least one kind of data to try."),
                   "purpose": N_("Choose one of the listed purposes.")}


@bp.post("/try")
@login_required
def try_request():
    """What would a vendor get? Judged against the saved terms, or against the preview."""
    raw_candidate = request.form.get("candidate")
    try:
        body = untrusted.loads(raw_candidate) if raw_candidate else current()[1]
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise InvalidInput("The change could not be read: it is not a set of terms (a JSON "
                           "object). Start again from the Terms page.",
                           fields={"candidate": ["not a JSON object"]})
    client = find_vendor(get_vault(), request.form.get("vendor", ""))
    vendor = (judge.vendor_of(client.client_id, client.metadata) if client else None)
    trial_form = {"vendor": request.form.get("vendor", ""),
                  "purpose": request.form.get("purpose", ""),
                  "categories": request.form.getlist("categories")}
    try:
        req = load_request({
            "vendor": dump_vendor(vendor) if vendor else {"id": "any-vendor"},
            "purpose": trial_form["purpose"], "categories": trial_form["categories"]})
        trial = evaluate(compile_terms(load_terms(body, version=0)), req, now())
    except TermsError as exc:
        trial, errors = None, {f"try-{k.split('.')[0]}": [gettext(_TRIAL_PROBLEMS[
            k.split(".")[0]]) if k.split(".")[0] in _TRIAL_PROBLEMS else " ".join(v)]
            for k, v in exc.messages.items()}
    else:
        errors = {}
    status = 400 if errors else 200
    if raw_candidate:
        answer = terms_what_if(get_vault(), g.person_id, body, now=now())
        page, _ = _preview(body, raw_candidate, answer,
                           request.form.get("back", "terms"), trial=trial,
                           trial_form=trial_form, errors=errors)
        return page, status
    return _render("terms.html", status=status, trial=trial, trial_form=trial_form,
                   errors=errors)


@bp.get("/odrl")
@login_required
def odrl():
    """The saved terms as an ODRL 2.2 policy (JSON-LD) that imports back to the same answers."""
    version, body = current()
    document = export_odrl(load_terms(body, version=version))
    return Response(json.dumps(document, indent=2), mimetype="application/ld+json",
                    headers={"Content-Disposition":
                             f'attachment; filename="custos-terms-v{version}.jsonld"'})
