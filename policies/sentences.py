"""Plain-language sentences for rules: 'You allow vendors to use your preferences to send you
offers' (the everyday purposes of `policies.everyday`, DPV labels for the rest).

Written once per rule when terms are compiled, so reasons cost nothing at decision time. Every
function takes `tr`, a translation function (msgid -> text, such as the pages' gettext); the
default keeps English, which is what the engine stores and the API returns. The msgids are
whole templates ("You allow vendors to {uses} your {data}") so a language may reorder them;
this module stays free of Flask (the pages pass their gettext in).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from . import everyday, vocab
from .conditions import N_, Tr, join, same
from .conditions import phrase as condition_phrase
from .model import PASS_ON, READ, WRITE, Effect, Rule

__all__ = ["Tr", "same", "rule_sentence", "say_reason"]

#: how a sentence starts, before "use your <data>"
OPENING = {Effect.PERMIT: "You allow {who} to", Effect.DENY: "You refuse to let {who}",
           Effect.ASK: "You want to be asked before {who}"}
#: the same openings as whole templates, for translation: (effect, vendors named?) -> msgid
_OPENINGS = {
    (Effect.PERMIT, False): N_("You allow vendors to {uses} your {data}"),
    (Effect.PERMIT, True): N_("You allow {who} to {uses} your {data}"),
    (Effect.DENY, False): N_("You refuse to let vendors {uses} your {data}"),
    (Effect.DENY, True): N_("You refuse to let {who} {uses} your {data}"),
    (Effect.ASK, False): N_("You want to be asked before vendors {uses} your {data}"),
    (Effect.ASK, True): N_("You want to be asked before {who} {uses} your {data}"),
}
DAY_NAMES = (N_("Mon"), N_("Tue"), N_("Wed"), N_("Thu"), N_("Fri"), N_("Sat"), N_("Sun"))
#: what the rule lets them do, as a verb before "your <data>"
USES = {READ: N_("use"), WRITE: N_("add records to"),
        PASS_ON: N_("pass on what other vendors added to")}
_PERIODS = (N_("hour"), N_("day"), N_("week"), N_("month"), N_("year"))


def purposes_phrase(purposes: tuple[str, ...] | None, tr: Tr = same) -> str:
    if purposes is None:
        return tr("any")
    return join([vocab.purpose(p).label.lower() for p in purposes], tr("or"))


def categories_phrase(categories: tuple[str, ...] | None, tr: Tr = same) -> str:
    if categories is None:
        return tr(N_("personal data"))
    return join([tr(vocab.category(c).phrase) for c in categories], tr("and"))


def rule_sentence(rule: Rule, tr: Tr = same) -> str:
    """The whole rule as one sentence a person understands."""
    who = join(list(rule.vendors), tr(N_("or"))) if rule.vendors else ""
    uses = f" {tr(N_('and'))} ".join(tr(USES[a]) for a in rule.actions)
    text = tr(_OPENINGS[rule.effect, bool(rule.vendors)]).format(
        who=who, uses=uses, data=categories_phrase(rule.categories, tr))
    text = tr(N_("{sentence} {purposes}")).format(  # German puts a comma between
        sentence=text, purposes=join(everyday.acts(rule.purposes, tr), tr("or"))
        if rule.purposes else tr(N_("for any purpose")))
    if rule.frequency:
        text += tr(N_(", at most {max} times per {per}")).format(
            max=rule.frequency.max, per=tr(rule.frequency.per))
    if rule.conditions:
        text += tr(N_(" when {conditions}")).format(
            conditions=join([condition_phrase(c, tr) for c in rule.conditions], tr("and")))
    if rule.days:
        text += tr(N_(" on {days}")).format(
            days=join([tr(DAY_NAMES[d]) for d in rule.days], tr("or")))
    if rule.hours:
        text += tr(N_(" between {start} and {end}")).format(
            start=f"{rule.hours[0]:%H:%M}", end=f"{rule.hours[1]:%H:%M}")
    if rule.valid_from:
        text += tr(N_(" from {when}")).format(when=f"{rule.valid_from:%Y-%m-%d %H:%M}")
    if rule.valid_until:
        text += tr(N_(" until {when}")).format(when=f"{rule.valid_until:%Y-%m-%d %H:%M}")
    return text


def frequency_sentence(rule: Rule, tr: Tr = same) -> str:
    """Why a permit rule with a cap did not allow this access."""
    f = rule.frequency
    assert f is not None
    return tr(N_("You allow at most {max} accesses per {per} under this rule, and that many "
                 "have already taken place")).format(max=f.max, per=tr(f.per))


_WRITE_DEFAULT = N_("None of your rules lets a vendor add records to your data, so the answer "
                    "is no")
_PASS_ON_DEFAULT = N_("None of your rules lets a vendor read what other vendors added to your "
                      "data, so the answer is no")
_DEFAULTS = {
    Effect.ASK: N_("None of your rules covers this, and by default you want to be asked"),
    Effect.DENY: N_("None of your rules covers this, and by default the answer is no"),
    Effect.PERMIT: N_("None of your rules covers this, and by default the answer is yes"),
}


def write_default_sentence(tr: Tr = same) -> str:
    """Why a vendor may not add to the person's data: no rule of theirs allows it."""
    return tr(_WRITE_DEFAULT)


def pass_on_default_sentence(tr: Tr = same) -> str:
    """Why a vendor may not read what another vendor added: no rule of theirs allows it."""
    return tr(_PASS_ON_DEFAULT)


def default_sentence(effect: Effect, tr: Tr = same) -> str:
    """Why the default answered: none of the person's rules covered this."""
    return tr(_DEFAULTS[effect])


def say_reason(reason: Mapping, rules: Mapping[str, Rule], tr: Tr = same) -> str:
    """A stored reason ({code, effect, rule, text}, as decisions and the log keep it) said
    again through `tr`: the default's sentences by their English text, a rule's sentence from
    the rule when the person's terms still hold it unchanged (its English sentence is the
    stored text); anything else keeps its stored words."""
    text = str(reason.get("text") or reason.get("sentence") or reason.get("code") or "")
    if tr is same:
        return text
    rule = rules.get(str(reason.get("rule") or ""))
    if rule is not None:
        for say in (rule_sentence, frequency_sentence):
            if (say is rule_sentence or rule.frequency) and say(rule) == text:
                return say(rule, tr)
    for msgid in (_WRITE_DEFAULT, _PASS_ON_DEFAULT, *_DEFAULTS.values()):
        if text == msgid:
            return tr(msgid)
    return text


def reason_sayer(rules: Mapping[str, Rule], tr: Tr) -> Callable[[Mapping], str]:
    """`say_reason` with the rules and the language bound, for a page's list of reasons."""
    return lambda reason: say_reason(reason, rules, tr)
