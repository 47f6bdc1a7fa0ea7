"""The rule form: plain-language inputs to a policies rule and back, errors mapped to inputs.

The policy engine validates the result (policies.load_terms); this module only translates, so
there is one set of rules about what a valid rule is.
"""

from __future__ import annotations

import re
import secrets

from policies import everyday, vocab
from policies.conditions import FIELDS

from ..i18n import N_
from ..services.field_kinds import read_whole

SHARING = {"any": N_("Whether or not it is shared"), "none": N_("Only when it is not shared"),
           "shared": N_("Only when it is shared with third parties")}
EFFECTS = {"permit": N_("Allow"), "deny": N_("Refuse"), "ask": N_("Ask me")}
PERIODS = {"hour": N_("an hour"), "day": N_("a day"), "week": N_("a week"),
           "month": N_("a month"), "year": N_("a year")}
#: what a rule is about, in plain words (policies.model.ACTIONS; docs/policies.md)
ACTIONS = {"read": N_("Vendors using my data"),
           "write": N_("Vendors adding records to my data (orders, warranties, a loyalty number)"),
           "pass_on": N_("Vendors reading records that other vendors added")}


def in_words(items: list[str], last: str = "and") -> str:
    """'a, b and c': a list as a sentence says it."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {last} {items[-1]}"


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n]", text or "") if part.strip()]


def _whole(text: str) -> int | str:
    """A whole number as typed ("30", "1,000"), or the text as it was for the error."""
    try:
        return read_whole(text)
    except ValueError:
        return text


def form_problems(form) -> dict[str, list[str]]:
    """What the form needs before the engine can judge the rule: a name, an explicit choice
    of the data it covers, and whole numbers where numbers go."""
    from flask_babel import gettext  # here: api/web/forms.py (used by a service) imports us

    problems: dict[str, list[str]] = {}
    if not (form.get("label") or "").strip():
        problems["label"] = [gettext("Give the rule a name, in your words.")]
    covers_all, some = form.get("covers") == "all", bool(form.getlist("categories"))
    if not covers_all and not some:
        problems["categories"] = [gettext("Choose which data the rule covers: tick “All my "
                                          "data” or the kinds of data.")]
    elif covers_all and some:
        problems["categories"] = [gettext("Tick “All my data” or some kinds of data, not "
                                          "both.")]
    for name, what in (("max_retention", N_("Enter a whole number of days, such as 30.")),
                       ("frequency_max", N_("Enter a whole number of reads, such as 30."))):
        text = (form.get(name) or "").strip()
        if text and not isinstance(_whole(text), int):
            problems[name] = [gettext(what)]
    return problems


def _slug(label: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")[:40] or "rule"
    return f"{base}-{secrets.token_hex(2)}"


def rule_from_form(form, rule_id: str | None = None) -> dict:
    """A rule dict from the submitted form (unchecked: load_terms judges it)."""
    label = (form.get("label") or "").strip()
    rule: dict = {"id": rule_id or _slug(label), "effect": form.get("effect", ""),
                  "label": label}
    if categories := form.getlist("categories"):
        rule["categories"] = categories
    chosen = everyday.expand(form.getlist("everyday"))
    if purposes := chosen + [p for p in form.getlist("purposes") if p not in chosen]:
        rule["purposes"] = purposes
    if vendors := [v for v in form.getlist("vendors") if v]:
        rule["vendors"] = vendors
    actions = form.getlist("actions")
    if actions and actions != ["read"]:  # none ticked, as none sent: a rule about reading
        rule["actions"] = actions
    if (most := (form.get("frequency_max") or "").strip()):
        rule["frequency"] = {"max": _whole(most),
                             "per": form.get("frequency_per") or "day"}
    conditions = []
    for name, f in FIELDS.items():  # the inputs come from the condition-field registry
        if f.form is None or not (raw := (form.get(f.form.name) or "").strip()):
            continue
        if f.form.choices is not None:
            value = f.form.choices.get(raw)
        elif f.kind.name == "number":
            value = _whole(raw)
        else:
            value = _split(raw)
        if value not in (None, []):
            conditions.append({"field": name, "op": f.form.op, "value": value})
    if conditions:
        rule["conditions"] = conditions
    for key in ("valid_from", "valid_until"):
        if value := (form.get(key) or "").strip():
            rule[key] = value
    return rule


def form_from_rule(rule: dict) -> dict:
    """The form's values for an existing rule (for editing)."""
    rows, others = everyday.split(rule.get("purposes", []))
    form = {"label": rule.get("label", ""), "effect": rule.get("effect", "deny"),
            "categories": rule.get("categories", []), "everyday": rows, "purposes": others,
            "vendors": rule.get("vendors", []),
            "frequency_max": str((rule.get("frequency") or {}).get("max", "")),
            "frequency_per": (rule.get("frequency") or {}).get("per", "day"),
            "valid_from": rule.get("valid_from", ""), "valid_until": rule.get("valid_until", ""),
            "sharing": "any", "covers": "" if rule.get("categories") else "all",
            "actions": rule.get("actions", ["read"])}
    for c in rule.get("conditions", []):
        f, value = FIELDS.get(c.get("field")), c.get("value")
        if f is None or f.form is None:
            continue
        if f.form.choices is not None:
            form[f.form.name] = next((k for k, v in f.form.choices.items() if v == value), "")
        elif isinstance(value, list | str):
            form[f.form.name] = ", ".join(value if isinstance(value, list) else [value])
        else:
            form[f.form.name] = str(value)
    return form


_FIELD_OF = {"conditions": "conditions", "categories": "categories", "purposes": "purposes",
             "vendors": "vendors", "frequency": "frequency_max",
             "effect": "effect", "label": "label", "valid_from": "valid_from",
             "valid_until": "valid_until", "id": "label", "actions": "actions"}
#: the input each condition comes from (rule_from_form), so an error marks that input only
_INPUT_OF = {"vendor.certifications": "certifications", "vendor.jurisdiction": "jurisdictions",
             "retention_days": "max_retention", "third_party_sharing": "sharing",
             "answers_intent": "intent_only"}


def errors_for_rule(messages: dict, rule: dict) -> dict[str, list[str]]:
    """Engine messages such as `rules[x].purposes.0` as form errors by input name."""
    errors: dict[str, list[str]] = {}
    prefix = f"rules[{rule['id']}]"
    conditions = rule.get("conditions", [])
    for path, texts in messages.items():
        if not path.startswith(prefix):
            errors.setdefault("form", []).extend(texts)
            continue
        parts = path[len(prefix):].lstrip(".").split(".")
        name = _FIELD_OF.get(parts[0] or "form", "form")
        if name == "conditions" and len(parts) > 1 and parts[1].isdigit():
            index = int(parts[1])
            if index < len(conditions):
                name = _INPUT_OF.get(conditions[index]["field"], name)
        errors.setdefault(name, []).extend(texts)
    return errors


#: the inputs behind "More" on the rule form
MORE = ("vendors", "certifications", "jurisdictions", "max_retention", "sharing", "valid_from",
        "valid_until", "frequency_max", "intent_only", "conditions")


def more_open(form, errors: dict) -> bool:
    """Whether "More" starts open: something behind it is filled in or wrong."""
    vendors = form.getlist("vendors") if hasattr(form, "getlist") else form.get("vendors", [])
    actions = form.getlist("actions") if hasattr(form, "getlist") else form.get("actions", [])
    filled = any(form.get(n) not in (None, "", "any") for n in MORE if n != "vendors")
    return (filled or any(vendors) or any(n in errors for n in (*MORE, "actions"))
            or set(actions or ["read"]) != {"read"})  # about more than reading


def category_groups() -> list[tuple]:
    """The friendly categories in their groups (contact, address, ...): (group, members)."""
    members: dict[str, list] = {}
    for c in vocab.categories():
        members.setdefault(c.id.split(".")[0], []).append(c)
    return [(vocab.category(group), items) for group, items in members.items()]
