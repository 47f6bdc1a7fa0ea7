"""Plain-language sentences for rules: 'You deny marketing use of your contact details'.

Written once per rule when terms are compiled, so reasons cost nothing at decision time.
"""

from __future__ import annotations

from . import vocab
from .model import Condition, Effect, Rule

VERB = {Effect.PERMIT: "allow", Effect.DENY: "deny", Effect.ASK: "want to be asked about"}
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def join(words: list[str], last: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(words) <= 1:
        return "".join(words)
    return f"{', '.join(words[:-1])} {last} {words[-1]}"


def purposes_phrase(purposes: tuple[str, ...] | None) -> str:
    if purposes is None:
        return "any"
    return join([vocab.purpose(p).label.lower() for p in purposes], "or")


def categories_phrase(categories: tuple[str, ...] | None) -> str:
    if categories is None:
        return "personal data"
    return join([vocab.category(c).phrase for c in categories])


def _values(value: object) -> str:
    return join(list(value), "or") if isinstance(value, tuple) else str(value)


def condition_phrase(c: Condition) -> str:
    """One condition in words: 'they keep it at most 30 days'."""
    v = c.value
    numbers = {
        "eq": "exactly",
        "ne": "other than",
        "lt": "less than",
        "lte": "at most",
        "gt": "more than",
        "gte": "at least",
    }
    if c.field == "retention_days":
        return f"they keep it {numbers[c.op]} {v} day{'' if v == 1 else 's'}"
    if c.field == "third_party_sharing":
        return "they share it with others" if v else "they do not share it with anyone"
    if c.field == "answers_intent":
        return "it answers one of your intents" if v else "it answers none of your intents"
    if c.field == "recipients":
        verb = {
            "has": "share it with",
            "has_all": "share it with",
            "has_any": "share it with",
            "has_none": "do not share it with",
        }[c.op]
        return f"they {verb} {_values(v) if c.op != 'has_all' else join(list(v))}"
    if c.field in ("vendor.certifications", "vendor.verified_certifications"):
        how = "verified as" if c.field.endswith("verified_certifications") else "claiming"
        if c.op == "has_none":
            return f"the vendor is not {how} {_values(v)}"
        return f"the vendor is {how} {join(list(v)) if c.op != 'has_any' else _values(v)}"
    if c.field == "purpose":
        names = [v] if isinstance(v, str) else list(v)
        words = join([vocab.purpose(n).label.lower() for n in names], "or")
        return f"the purpose {'is' if c.op in ('eq', 'in') else 'is not'} exactly {words}"
    what = "the vendor" if c.field == "vendor.id" else "the vendor's jurisdiction"
    verb = {"eq": "is", "ne": "is not", "in": "is", "not_in": "is not"}[c.op]
    return f"{what} {verb} {_values(v)}"


def rule_sentence(rule: Rule) -> str:
    """The whole rule as one sentence a person understands."""
    text = f"You {VERB[rule.effect]} {purposes_phrase(rule.purposes)} use of your "
    text += categories_phrase(rule.categories)
    if rule.vendors:
        text += f" by {join(list(rule.vendors), 'or')}"
    if rule.frequency:
        text += f", at most {rule.frequency.max} times per {rule.frequency.per}"
    if rule.conditions:
        text += " when " + join([condition_phrase(c) for c in rule.conditions])
    if rule.days:
        text += " on " + join([DAY_NAMES[d] for d in rule.days], "or")
    if rule.hours:
        text += f" between {rule.hours[0]:%H:%M} and {rule.hours[1]:%H:%M}"
    if rule.valid_from:
        text += f" from {rule.valid_from:%Y-%m-%d %H:%M}"
    if rule.valid_until:
        text += f" until {rule.valid_until:%Y-%m-%d %H:%M}"
    return text


def frequency_sentence(rule: Rule) -> str:
    """Why a permit rule with a cap did not allow this access."""
    f = rule.frequency
    assert f is not None
    return (
        f"You allow at most {f.max} accesses per {f.per} under this rule, and that many "
        f"have already taken place"
    )


def default_sentence(effect: Effect) -> str:
    """Why the default answered: none of the person's rules covered this."""
    tail = {
        Effect.ASK: "you want to be asked",
        Effect.DENY: "the answer is no",
        Effect.PERMIT: "the answer is yes",
    }[effect]
    return f"None of your rules covers this, and by default {tail}"
