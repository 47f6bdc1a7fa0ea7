"""The rule form: plain-language inputs to a policies rule and back, errors mapped to inputs.

The policy engine validates the result (policies.load_terms); this module only translates, so
there is one set of rules about what a valid rule is.
"""

from __future__ import annotations

import re
import secrets

from policies import vocab

SHARING = {"any": "Whether or not it is shared", "none": "Only when it is not shared",
           "shared": "Only when it is shared with third parties"}
EFFECTS = {"permit": "Allow", "deny": "Refuse", "ask": "Ask me"}
PERIODS = {"hour": "an hour", "day": "a day", "week": "a week", "month": "a month",
           "year": "a year"}


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n]", text or "") if part.strip()]


def _whole(text: str) -> int | str:
    """A whole number when the text is one (ASCII digits, no 5,000-digit int()); else the
    text itself, which the policy engine then refuses with a message."""
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else text


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
    if purposes := form.getlist("purposes"):
        rule["purposes"] = purposes
    if vendors := [v for v in form.getlist("vendors") if v]:
        rule["vendors"] = vendors
    if (most := (form.get("frequency_max") or "").strip()):
        rule["frequency"] = {"max": _whole(most),
                             "per": form.get("frequency_per") or "day"}
    conditions = []
    if certs := _split(form.get("certifications", "")):
        conditions.append({"field": "vendor.certifications", "op": "has_all", "value": certs})
    if places := _split(form.get("jurisdictions", "")):
        conditions.append({"field": "vendor.jurisdiction", "op": "in", "value": places})
    if (days := (form.get("max_retention") or "").strip()):
        conditions.append({"field": "retention_days", "op": "lte",
                           "value": _whole(days)})
    sharing = form.get("sharing", "any")
    if sharing in ("none", "shared"):
        conditions.append({"field": "third_party_sharing", "op": "eq",
                           "value": sharing == "shared"})
    if form.get("intent_only"):
        conditions.append({"field": "answers_intent", "op": "eq", "value": True})
    if conditions:
        rule["conditions"] = conditions
    for key in ("valid_from", "valid_until"):
        if value := (form.get(key) or "").strip():
            rule[key] = value
    return rule


def form_from_rule(rule: dict) -> dict:
    """The form's values for an existing rule (for editing)."""
    form = {"label": rule.get("label", ""), "effect": rule.get("effect", "deny"),
            "categories": rule.get("categories", []), "purposes": rule.get("purposes", []),
            "vendors": rule.get("vendors", []),
            "frequency_max": str((rule.get("frequency") or {}).get("max", "")),
            "frequency_per": (rule.get("frequency") or {}).get("per", "day"),
            "valid_from": rule.get("valid_from", ""), "valid_until": rule.get("valid_until", ""),
            "sharing": "any"}
    for c in rule.get("conditions", []):
        field, value = c.get("field"), c.get("value")
        if field == "vendor.certifications":
            form["certifications"] = ", ".join(value)
        elif field == "vendor.jurisdiction":
            form["jurisdictions"] = ", ".join(value if isinstance(value, list) else [value])
        elif field == "retention_days":
            form["max_retention"] = str(value)
        elif field == "third_party_sharing":
            form["sharing"] = "shared" if value else "none"
        elif field == "answers_intent":
            form["intent_only"] = bool(value)
    return form


_FIELD_OF = {"conditions": "conditions", "categories": "categories", "purposes": "purposes",
             "vendors": "vendors", "frequency": "frequency",
             "effect": "effect", "label": "label", "valid_from": "valid_from",
             "valid_until": "valid_until", "id": "label"}


def errors_for_rule(messages: dict, rule_id: str) -> dict[str, list[str]]:
    """Engine messages such as `rules[x].purposes.0` as form errors by input name."""
    errors: dict[str, list[str]] = {}
    prefix = f"rules[{rule_id}]"
    for path, texts in messages.items():
        if not path.startswith(prefix):
            errors.setdefault("form", []).extend(texts)
            continue
        rest = path[len(prefix):].lstrip(".").split(".")[0] or "form"
        errors.setdefault(_FIELD_OF.get(rest, "form"), []).extend(texts)
    return errors


def purpose_choices() -> list:
    return vocab.purposes()
