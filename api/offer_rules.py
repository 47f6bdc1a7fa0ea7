"""The butler's rules for offers, in the person's words: what they are, and what a change does.

The rules live in the terms (`offers`), so the policy engine judges offers by them; this module
only reads them with the engine's defaults and says them in sentences for the pages.
"""

from __future__ import annotations

from .terms_form import PERIODS, in_words

DEFAULTS = {"blocklist": [], "within_budget": True, "match_category": True,
            "require_certifications": [], "require_verified": False, "max_per_vendor": None}


def rules_of(body: dict) -> dict:
    """The offer rules of a terms document, with the engine's defaults for what is not set."""
    return {**DEFAULTS, **(body.get("offers") or {})}


def _certifications(rules: dict) -> str:
    wanted = rules["require_certifications"]
    if not wanted:
        return "Vendors need no certification."
    how = (", as verified by the operator" if rules["require_verified"]
           else " (their own claim is enough)")
    return f"Vendors must claim to be {in_words(wanted)}{how}."


def _cap(rules: dict) -> str:
    cap = rules["max_per_vendor"]
    if not cap:
        return "No limit on how many offers one vendor sends."
    return (f"At most {cap['max']} offer{'' if cap['max'] == 1 else 's'} from one vendor in "
            f"{PERIODS.get(cap['per'], cap['per'])}.")


def sentences(rules: dict, names: dict[str, str]) -> list[str]:
    """Every offer rule as one sentence, the blocklist first."""
    blocked = [names.get(v, v) for v in rules["blocklist"]]
    return [
        f"Blocked: {in_words(blocked)}." if blocked else "No vendor is blocked.",
        "An offer must be within your intent’s budget." if rules["within_budget"]
        else "An offer may be over your intent’s budget.",
        "An offer must be in the category of your intent." if rules["match_category"]
        else "An offer may be in another category than your intent.",
        _certifications(rules),
        _cap(rules),
    ]


def changes(before: dict, after: dict, names: dict[str, str]) -> list[str]:
    """What a change of terms does to the offer rules, one sentence per difference."""
    old, new = rules_of(before), rules_of(after)
    said = [f"{names.get(v, v)} will be blocked: its offers are filtered out."
            for v in new["blocklist"] if v not in old["blocklist"]]
    said += [f"{names.get(v, v)} will no longer be blocked."
             for v in old["blocklist"] if v not in new["blocklist"]]
    was = sentences(old, names)[1:]
    return said + [s for s in sentences(new, names)[1:] if s not in was]
