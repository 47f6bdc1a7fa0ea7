"""Plain-language sentences for rules: 'You allow vendors to use your preferences to send you
offers' (the everyday purposes of `policies.everyday`, DPV labels for the rest).

Written once per rule when terms are compiled, so reasons cost nothing at decision time.
"""

from __future__ import annotations

from . import everyday, vocab
from .conditions import join
from .conditions import phrase as condition_phrase
from .model import PASS_ON, READ, WRITE, Effect, Rule

#: how a sentence starts, before "use your <data>"
OPENING = {Effect.PERMIT: "You allow {who} to", Effect.DENY: "You refuse to let {who}",
           Effect.ASK: "You want to be asked before {who}"}
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
#: what the rule lets them do, as a verb before "your <data>"
USES = {READ: "use", WRITE: "add records to",
        PASS_ON: "pass on what other vendors added to"}


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
    who = join(list(rule.vendors), "or") if rule.vendors else "vendors"
    uses = " and ".join(USES[a] for a in rule.actions)
    text = f"{OPENING[rule.effect].format(who=who)} {uses} your {categories_phrase(rule.categories)} "
    text += join(everyday.acts(rule.purposes), "or") if rule.purposes else "for any purpose"
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
