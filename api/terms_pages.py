"""The person's terms: adopt standard agreements, write own rules, try requests, then save.

Every change goes through a preview that shows the new rules, the analysis warnings, the
what-if answer (which connections the change would cut) and a "try a request" panel; only
"Save" makes it the next version.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for

from policies import TermsError, compile_terms, evaluate, load_request, load_terms, vocab
from policies.agreements import adopt, drop, roster
from policies.analysis import analyse
from policies.odrl_export import export_odrl
from policies.sentences import rule_sentence

from . import untrusted
from .accounts import login_required
from .clock import now
from .errors import InvalidInput
from .oauth import judge
from .oauth.person_actions import replace_terms, terms_what_if
from .store import get_vault
from .terms_form import EFFECTS, PERIODS, SHARING, errors_for_rule, form_from_rule, rule_from_form

bp = Blueprint("terms", __name__, url_prefix="/terms")


def current() -> tuple[int, dict]:
    stored = get_vault().agreements.terms.get(g.person_id)
    if stored is None:
        return 0, dict(judge.DEFAULT_TERMS)
    return stored.version, stored.body


_STRENGTH = {"permit": 0, "ask": 1, "deny": 2}


def _worth_showing(finding, rules: dict[str, dict]) -> bool:
    """Warn where a permission the person gave is partly taken back by a stricter rule, on
    that permission only. An ask losing to a refusal is what "a refusal always wins" means,
    and a standard agreement's own rules overlap by design, so neither is warned about."""
    if finding.kind != "conflict" or finding.other not in rules:
        return True
    mine, other = rules[finding.rule_id], rules[finding.other]
    if ":" in finding.rule_id and finding.rule_id.split(":")[0] == finding.other.split(":")[0]:
        return False
    return mine["effect"] == "permit" and _STRENGTH[other["effect"]] > _STRENGTH["permit"]


def _in_words(text: str, rules: dict[str, dict]) -> str:
    """Name other rules by their label, as the person wrote or adopted them."""
    for rule_id, rule in rules.items():
        if repr(rule_id) in text:
            text = text.replace(repr(rule_id), f"“{rule.get('label') or rule_id}”")
    return text


def _view(body: dict) -> dict:
    """Rules with their sentences and analysis findings, for any terms JSON."""
    terms = load_terms({**body, "version": 1})
    findings = analyse(terms, now())
    by_id = {r["id"]: r for r in body.get("rules", [])}
    rules = [{"rule": raw, "sentence": rule_sentence(parsed),
              "findings": [_in_words(f.text, by_id) for f in findings.get(parsed.id, [])
                           if _worth_showing(f, by_id)]}
             for raw, parsed in zip(body.get("rules", []), terms.rules, strict=True)]
    return {"rules": rules, "default": terms.default.value, "body": body}


def _vendors() -> list[tuple[str, str]]:
    return sorted(((c.client_id, c.metadata.get("client_name") or c.client_id)
                   for c in get_vault().agreements.clients.all()), key=lambda v: v[1])


def _render(template: str, *, status: int = 200, **extra):
    version, body = current()
    context = {"version": version, "saved": _view(body), "roster": roster(),
               "adopted": set(body.get("agreements", [])), "effects": EFFECTS,
               "sharing": SHARING, "periods": PERIODS, "categories": vocab.categories(),
               "purposes": vocab.purposes(), "vendors": _vendors(), "form": {}, "errors": {},
               "trial": None, "trial_form": {}}
    context.update(extra)
    return render_template(template, **context), status


@bp.get("")
@login_required
def index():
    return _render("terms.html")


def propose(candidate: dict, *, rule_id: str | None = None, form: dict | None = None):
    """Show the preview of a change, or the terms page with the errors beside the rule form."""
    try:
        answer = terms_what_if(g.person_id, candidate)
    except InvalidInput as exc:
        errors = errors_for_rule(exc.fields, rule_id) if rule_id else {"form": [exc.description]}
        return _render("terms.html", status=400, form=form or {}, errors=errors,
                       editing=rule_id)
    names = dict(_vendors())
    return _render("terms_preview.html", candidate=_view(candidate), answer=answer,
                   candidate_json=json.dumps(candidate), vendor_names=names)


@bp.post("/adopt")
@login_required
def adopt_agreement():
    agreement_id = request.form.get("agreement", "")
    if agreement_id not in {a.id for a in roster()}:
        raise InvalidInput("Choose one of the standard agreements.",
                           fields={"agreement": ["unknown agreement"]})
    _, body = current()
    change = drop if request.form.get("action") == "drop" else adopt
    return propose(change(body, agreement_id))


@bp.post("/rules")
@login_required
def add_rule():
    _, body = current()
    rule = rule_from_form(request.form)
    candidate = {**body, "rules": [*body.get("rules", []), rule]}
    return propose(candidate, rule_id=rule["id"], form=request.form)


@bp.route("/rules/<rule_id>", methods=["GET", "POST"])
@login_required
def edit_rule(rule_id: str):
    _, body = current()
    rules = body.get("rules", [])
    index_of = {r["id"]: i for i, r in enumerate(rules)}
    if rule_id not in index_of:
        raise InvalidInput("There is no such rule.", fields={"rule": ["unknown rule"]})
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
    return propose({**body, "rules": rules}, rule_id=rule_id, form=request.form)


@bp.post("/default")
@login_required
def set_default():
    _, body = current()
    return propose({**body, "default": request.form.get("default", "")})


@bp.post("/auto-approve")
@login_required
def set_auto_approve():
    """Whether a vendor's request the terms permit in full is approved without asking."""
    _, body = current()
    return propose({**body, "auto_approve": request.form.get("auto_approve") == "1"})


@bp.post("/save")
@login_required
def save():
    """The confirmed change becomes the next version; cut connections end now."""
    try:
        candidate = untrusted.loads(request.form.get("candidate", ""))
    except ValueError:
        raise InvalidInput("The change could not be read; start again.",
                           fields={"candidate": ["not JSON"]}) from None
    answer = replace_terms(g.person_id, candidate)
    cut = len(answer["cut"])
    flash(f"Saved version {answer['version']} of your terms."
          + (f" {cut} connection{'s' if cut != 1 else ''} ended." if cut else ""))
    return redirect(url_for("terms.index"))


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
        raise InvalidInput("The change could not be read; start again.",
                           fields={"candidate": ["not a JSON object"]})
    client = get_vault().agreements.clients.find(request.form.get("vendor", ""))
    vendor = (judge.vendor_of(client.client_id, client.metadata) if client else None)
    trial_form = {"vendor": request.form.get("vendor", ""),
                  "purpose": request.form.get("purpose", ""),
                  "categories": request.form.getlist("categories")}
    try:
        req = load_request({
            "vendor": {"id": vendor.id, "jurisdiction": vendor.jurisdiction,
                       "certifications": sorted(vendor.certifications),
                       "verified_certifications": sorted(vendor.verified_certifications)}
            if vendor else {"id": "any-vendor"},
            "purpose": trial_form["purpose"], "categories": trial_form["categories"]})
        trial = evaluate(compile_terms(load_terms({**body, "version": 1})), req, now())
    except TermsError as exc:
        trial = {"errors": {k.split(".")[0]: v for k, v in exc.messages.items()}}
    if raw_candidate:
        answer = terms_what_if(g.person_id, body)
        return _render("terms_preview.html", candidate=_view(body), answer=answer,
                       candidate_json=raw_candidate, vendor_names=dict(_vendors()),
                       trial=trial, trial_form=trial_form)
    return _render("terms.html", trial=trial, trial_form=trial_form)


@bp.get("/odrl")
@login_required
def odrl():
    """The saved terms as an ODRL 2.2 policy (JSON-LD) that imports back to the same answers."""
    version, body = current()
    document = export_odrl(load_terms({**body, "version": max(version, 1)}))
    return Response(json.dumps(document, indent=2), mimetype="application/ld+json",
                    headers={"Content-Disposition":
                             f'attachment; filename="custos-terms-v{version}.jsonld"'})
