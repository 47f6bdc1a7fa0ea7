"""Plain-language sentences for rules: 'You deny marketing use of your contact details'.

Written once per rule when terms are compiled, so reasons cost nothing at decision time.
"""

from __future__ import annotations

from . import vocab
from .conditions import join
from .conditions import phrase as condition_phrase
from .model import PASS_ON, READ, WRITE, Effect, Rule

VERB = {Effect.PERMIT: "allow", Effect.DENY: "deny", Effect.ASK: "want to be asked about"}
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
USES = {READ: "use of", WRITE: "additions to",
        PASS_ON: "passing on what other vendors added to"}


def purposes_phrase(purposes: tuple[str, ...] | None) -> str:
    if purposes is None:
        return "any"
    return join([vocab.purpose(p).label.lower() for p in purposes], "or")


def categories_phrase(categories: tuple[str, ...] | None) -> str:
    if categories is None:
        return "personal data"
    return join([vocab.category(c).phrase for c in categories])


def rule_sentence(rule: Rule) -> str:
    """The whole rule as one sentence a person understands."""
    uses = " and ".join(USES[a] for a in rule.actions)
    text = f"You {VERB[rule.effect]} {purposes_phrase(rule.purposes)} {uses} your "
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


def write_default_sentence() -> str:
    """Why a vendor may not add to the person's data: no rule of theirs allows it."""
    return "None of your rules lets a vendor add records to your data, so the answer is no"


def pass_on_default_sentence() -> str:
    """Why a vendor may not read what another vendor added: no rule of theirs allows it."""
    return ("None of your rules lets a vendor read what other vendors added to your data, so "
            "the answer is no")


def default_sentence(effect: Effect) -> str:
    """Why the default answered: none of the person's rules covered this."""
    tail = {
        Effect.ASK: "you want to be asked",
        Effect.DENY: "the answer is no",
        Effect.PERMIT: "the answer is yes",
    }[effect]
    return f"None of your rules covers this, and by default {tail}"
