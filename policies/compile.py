"""Compile terms once per version into sets and small predicates, so deciding does no parsing.

Each rule becomes a `CompiledRule`: the purposes and categories it covers as precomputed frozen
sets of vocabulary ids (hierarchy already expanded), and a tuple of predicates over the request.
Category matching is asymmetric on purpose: a permit rule must cover the requested category; a
deny or ask rule applies as soon as it touches it (a request for all `contact` details meets a
deny on `contact.email`), so a broad request never slips past a narrow refusal.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from . import vocab
from .codes import DEFAULT, DEFAULT_NO_PASS_ON, DEFAULT_NO_WRITE, FREQUENCY_EXCEEDED, RULE
from .conditions import FIELDS
from .decision import Reason
from .model import PASS_ON, STRENGTH, WRITE, Condition, Effect, Request, Rule, Terms
from .sentences import (
    default_sentence,
    frequency_sentence,
    pass_on_default_sentence,
    rule_sentence,
    write_default_sentence,
)

Check = Callable[[Request, datetime], bool]


@dataclass(frozen=True, kw_only=True)
class CompiledRule:
    """One rule ready to match: scope sets, predicates and its prepared reasons."""

    index: int
    rule: Rule
    effect: Effect
    strength: int
    vendors: frozenset[str] | None
    purposes: frozenset[str] | None
    categories: frozenset[str] | None
    checks: tuple[Check, ...]
    frequency: tuple[str, int] | None
    actions: frozenset[str]
    reason: Reason
    over_limit: Reason | None


@dataclass(kw_only=True)
class CompiledTerms:
    """Terms of one version, compiled; `plans` memoises rule lists per (purpose, categories,
    action)."""

    terms: Terms
    rules: tuple[CompiledRule, ...]
    default_reason: Reason
    opt_in_defaults: dict[str, Reason]
    plans: dict[tuple[str, tuple[str, ...], str], Any] = field(default_factory=dict)

    @property
    def version(self) -> int:
        return self.terms.version


def _union(sets: list[frozenset[str]]) -> frozenset[str]:
    return frozenset().union(*sets)


def condition_check(c: Condition) -> Check:
    """A predicate for one condition; `value` is bound now, not looked up per decision."""
    v: Any = c.value
    get = FIELDS[c.field].get
    if c.op in ("has", "has_all"):
        need = frozenset(v)
        return lambda q, now: need <= get(q)
    if c.op == "has_any":
        need = frozenset(v)
        return lambda q, now: not need.isdisjoint(get(q))
    if c.op == "has_none":
        need = frozenset(v)
        return lambda q, now: need.isdisjoint(get(q))
    if c.op in ("in", "not_in"):
        pool, want = frozenset(v), c.op == "in"
        return lambda q, now: (get(q) in pool) is want
    compare = {
        "eq": operator.eq,
        "ne": operator.ne,
        "lt": operator.lt,
        "lte": operator.le,
        "gt": operator.gt,
        "gte": operator.ge,
    }[c.op]
    return lambda q, now: compare(get(q), v)


def _time_checks(rule: Rule) -> list[Check]:
    checks: list[Check] = []
    if rule.valid_from is not None:
        start = rule.valid_from
        checks.append(lambda q, now: now >= start)
    if rule.valid_until is not None:
        end = rule.valid_until
        checks.append(lambda q, now: now < end)
    if rule.days is not None:
        days = frozenset(rule.days)
        checks.append(lambda q, now: now.weekday() in days)
    if rule.hours is not None:
        a, b = rule.hours
        if a < b:
            checks.append(lambda q, now: a <= now.time() < b)
        else:  # a window across midnight, 22:00-06:00
            checks.append(lambda q, now: not (b <= now.time() < a))
    return checks


def compile_rule(index: int, rule: Rule) -> CompiledRule:
    """Expand one rule's hierarchy and bind its predicates."""
    purposes = None
    if rule.purposes is not None:
        purposes = _union([vocab.purpose_sets(p)[1] for p in rule.purposes])
    categories = None
    if rule.categories is not None:
        sets = [vocab.category_sets(c) for c in rule.categories]
        covered = [down for _, down in sets]
        touched = [up | down for up, down in sets]
        categories = _union(covered if rule.effect is Effect.PERMIT else touched)
    checks = [condition_check(c) for c in rule.conditions] + _time_checks(rule)
    text = rule_sentence(rule)
    over = None
    if rule.frequency is not None:
        over = Reason(
            code=FREQUENCY_EXCEEDED,
            effect=Effect.DENY,
            rule_id=rule.id,
            text=frequency_sentence(rule),
        )
    return CompiledRule(
        index=index,
        rule=rule,
        effect=rule.effect,
        strength=STRENGTH[rule.effect],
        vendors=frozenset(rule.vendors) if rule.vendors is not None else None,
        purposes=purposes,
        categories=categories,
        checks=tuple(checks),
        frequency=(rule.frequency.per, rule.frequency.max) if rule.frequency else None,
        actions=frozenset(rule.actions),
        reason=Reason(code=RULE[rule.effect], effect=rule.effect, rule_id=rule.id, text=text),
        over_limit=over,
    )


@lru_cache(maxsize=1024)
def compile_terms(terms: Terms) -> CompiledTerms:
    """Compile validated terms; cached, so the same version is compiled once."""
    return CompiledTerms(
        terms=terms,
        rules=tuple(compile_rule(i, r) for i, r in enumerate(terms.rules)),
        default_reason=Reason(
            code=DEFAULT[terms.default],
            effect=terms.default,
            rule_id=None,
            text=default_sentence(terms.default),
        ),
        opt_in_defaults=OPT_IN_DEFAULTS,
    )


# Adding to the person's data, and passing on what one vendor added to another, are opt-in
# whatever the terms' default: no rule naming the action, no (a permissive default was chosen
# for reads, before write-back existed).
OPT_IN_DEFAULTS = {
    WRITE: Reason(code=DEFAULT_NO_WRITE, effect=Effect.DENY, rule_id=None,
                  text=write_default_sentence()),
    PASS_ON: Reason(code=DEFAULT_NO_PASS_ON, effect=Effect.DENY, rule_id=None,
                    text=pass_on_default_sentence()),
}
