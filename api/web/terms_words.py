"""Terms in the person's words, for the pages: each rule with its sentence and the warnings
worth her attention (other rules named by their labels), and the butler's offer rules in
sentences, with what a change does to them. The rules themselves live in the terms, judged by
the policy engine; this module only says them.
"""

from __future__ import annotations

from dataclasses import asdict

from flask_babel import gettext, ngettext

from policies import load_terms
from policies.agreements import find, roster
from policies.analysis import analyse
from policies.model import STRENGTH, OfferRules
from policies.sentences import rule_sentence

from ..clock import now
from ..i18n import N_, T_, say
from .terms_form import PERIODS, in_words


def _agreement(rule_id: str) -> str | None:
    """The title of the standard agreement that added a rule, in the page's language."""
    found = find(rule_id.split(":", 1)[0]) if ":" in rule_id else None
    return gettext(found.title) if found else None


def _worth_showing(finding, rules: dict[str, dict]) -> bool:
    """Warn where a permission the person gave is partly taken back by a stricter rule, on
    that permission only. An ask losing to a refusal is what "a refusal always wins" means,
    and a standard agreement's own rules overlap by design, so neither is warned about."""
    if finding.kind != "conflict" or finding.other not in rules:
        return True
    mine, other = rules[finding.rule_id], rules[finding.other]
    if ":" in finding.rule_id and finding.rule_id.split(":")[0] == finding.other.split(":")[0]:
        return False
    return mine["effect"] == "permit" and STRENGTH[other["effect"]] > STRENGTH["permit"]


#: the engine's effect words, as the page says them
_EFFECT_WORDS = {"(deny)": "(a refusal)", "(ask)": "(asking you)", " deny wins": " refusal wins",
                 " ask wins": " asking wins"}
#: the engine's findings (policies/analysis.py) after `_in_words`, for the pages' translations
FINDINGS = (T_("It ended on {day}"),
            N_("Its limit of 0 accesses means it can never allow anything"),
            N_("Its vendor list and its vendor condition exclude each other"),
            T_("It never takes effect: the {where} rule {other} ({word}) covers everything it "
               "covers, and {winner} wins"),
            T_("Where it and rule {other} both apply, {winner} ({word}) wins"),
            T_("Where it and rule {other} both apply, this rule wins"),
            N_("a refusal"), N_("asking you"), N_("refusal"), N_("asking"), N_("earlier"),
            N_("later"), N_("a rule without a name"))


def _in_words(text: str, rules: dict[str, dict]) -> str:
    """Name other rules by their label, as the person wrote or adopted them, never by id."""
    for rule_id, rule in rules.items():
        if repr(rule_id) in text:
            text = text.replace(repr(rule_id), gettext(
                "“%(label)s”", label=rule.get("label") or gettext("a rule without a name")))
    for engine, words in _EFFECT_WORDS.items():
        text = text.replace(engine, words)
    return text


def view(body: dict) -> dict:
    """Rules with their sentences and analysis findings, for any terms JSON."""
    terms = load_terms(body, version=0)
    findings = analyse(terms, now())
    by_id = {r["id"]: r for r in body.get("rules", [])}
    rules = [{"rule": raw, "sentence": rule_sentence(parsed, gettext),
              "agreement": _agreement(raw["id"]),
              "findings": [say(_in_words(f.text, by_id)) for f in findings.get(parsed.id, [])
                           if _worth_showing(f, by_id)]}
             for raw, parsed in zip(body.get("rules", []), terms.rules, strict=True)]
    return {"rules": rules, "default": terms.default.value, "body": body}


def compare(before: dict, after_view: dict) -> dict:
    """Mark what a change does to the rules: each rule of the new terms gets `change` (new,
    changed, moved or none) and the rules it takes away are listed by name."""
    old = before.get("rules", [])
    old_by_id = {r["id"]: r for r in old}
    new_ids = [item["rule"]["id"] for item in after_view["rules"]]
    kept = [i for i in new_ids if i in old_by_id]
    old_order = [r["id"] for r in old if r["id"] in set(new_ids)]
    for item in after_view["rules"]:
        rule = item["rule"]
        if rule["id"] not in old_by_id:
            item["change"] = "new"
        elif old_by_id[rule["id"]] != rule:
            item["change"] = "changed"
        elif kept.index(rule["id"]) != old_order.index(rule["id"]):
            item["change"] = "moved"
        else:
            item["change"] = ""
    removed = [r.get("label") or r["id"] for r in old if r["id"] not in set(new_ids)]
    before_findings = {item["rule"]["id"]: item["findings"] for item in view(before)["rules"]}
    titles = {a.id: a.title for a in roster()}
    warnings = [{"rule": item["rule"].get("label") or item["sentence"],
                 "agreement": titles.get(item["rule"].get("agreement", "")),
                 "text": text}
                for item in after_view["rules"] for text in item["findings"]
                if text not in before_findings.get(item["rule"]["id"], [])]
    default_before = before.get("default", "ask")
    return {**after_view, "removed": removed, "warnings": warnings,
            "default_before": default_before if default_before != after_view["default"]
            else None}


#: the offer rules the engine assumes when the terms do not set them, as terms JSON
DEFAULTS = {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(OfferRules()).items()}


def rules_of(body: dict) -> dict:
    """The offer rules of a terms document, with the engine's defaults for what is not set."""
    return {**DEFAULTS, **(body.get("offers") or {})}


def _certifications(rules: dict) -> str:
    wanted = rules["require_certifications"]
    if not wanted:
        return gettext("Vendors need no certification.")
    if rules["require_verified"]:
        return gettext("Vendors must claim to be %(what)s, as verified by the operator.",
                       what=in_words(wanted))
    return gettext("Vendors must claim to be %(what)s (their own claim is enough).",
                   what=in_words(wanted))


def _cap(rules: dict) -> str:
    cap = rules["max_per_vendor"]
    if not cap:
        return gettext("No limit on how many offers one vendor sends.")
    return ngettext("At most %(num)s offer from one vendor in %(period)s.",
                    "At most %(num)s offers from one vendor in %(period)s.", cap["max"],
                    period=gettext(PERIODS.get(cap["per"], cap["per"])))


def sentences(rules: dict, names: dict[str, str]) -> list[str]:
    """Every offer rule as one sentence, the blocklist first."""
    blocked = [names.get(v, v) for v in rules["blocklist"]]
    return [
        gettext("Blocked: %(who)s.", who=in_words(blocked)) if blocked
        else gettext("No vendor is blocked."),
        gettext("An offer must be within your intent’s budget.") if rules["within_budget"]
        else gettext("An offer may be over your intent’s budget."),
        gettext("An offer must be in the category of your intent.") if rules["match_category"]
        else gettext("An offer may be in another category than your intent."),
        _certifications(rules),
        _cap(rules),
    ]


def changes(before: dict, after: dict, names: dict[str, str]) -> list[str]:
    """What a change of terms does to the offer rules, one sentence per difference."""
    old, new = rules_of(before), rules_of(after)
    said = [gettext("%(vendor)s will be blocked: its offers are filtered out.",
                    vendor=names.get(v, v))
            for v in new["blocklist"] if v not in old["blocklist"]]
    said += [gettext("%(vendor)s will no longer be blocked.", vendor=names.get(v, v))
             for v in old["blocklist"] if v not in new["blocklist"]]
    was = sentences(old, names)[1:]
    return said + [s for s in sentences(new, names)[1:] if s not in was]
