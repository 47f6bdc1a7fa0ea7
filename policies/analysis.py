"""Analysis of a person's terms, per rule: rules that can never apply, rules shadowed by a
deny, and rules that conflict. Shown beside the rules before the person saves them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .compile import CompiledRule, CompiledTerms, compile_terms
from .model import Effect, Terms
from .schema import contradiction

NEVER = "never_applicable"
SHADOWED = "shadowed"
CONFLICT = "conflict"


@dataclass(frozen=True, kw_only=True)
class Finding:
    """One problem with one rule, possibly because of another rule."""

    rule_id: str
    kind: str
    text: str
    other: str | None = None

    def to_dict(self) -> dict:
        return {"rule": self.rule_id, "kind": self.kind, "text": self.text, "other": self.other}


def _within(a: frozenset | None, b: frozenset | None) -> bool:
    """Scope `a` lies inside scope `b` (None is everything)."""
    return b is None or (a is not None and a <= b)


def _meets(a: frozenset | None, b: frozenset | None) -> bool:
    return a is None or b is None or not a.isdisjoint(b)


def _unconditional(r: CompiledRule) -> bool:
    return not r.checks and r.frequency is None


def _never(r: CompiledRule, now: datetime | None) -> str | None:
    rule = r.rule
    if now is not None and rule.valid_until is not None and rule.valid_until <= now:
        return f"It ended on {rule.valid_until:%Y-%m-%d}"
    if rule.frequency is not None and rule.frequency.max == 0:
        return "Its limit of 0 accesses means it can never allow anything"
    for c in rule.conditions:
        if c.field != "vendor.id" or rule.vendors is None:
            continue
        value, op = c.value, c.op
        allowed = {
            "eq": lambda v, x=value: v == x,
            "ne": lambda v, x=value: v != x,
            "in": lambda v, x=value: v in x,
            "not_in": lambda v, x=value: v not in x,
        }[op]
        if not any(allowed(v) for v in rule.vendors):
            return "Its vendor list and its vendor condition exclude each other"
    return None


def analyse(terms: Terms | CompiledTerms, now: datetime | None = None) -> dict[str, list[Finding]]:
    """Findings per rule id (every rule has an entry, empty when all is well)."""
    compiled = terms if isinstance(terms, CompiledTerms) else compile_terms(terms)
    rules = compiled.rules
    out: dict[str, list[Finding]] = {r.rule.id: [] for r in rules}
    for r in rules:
        why = _never(r, now)
        if why:
            out[r.rule.id].append(Finding(rule_id=r.rule.id, kind=NEVER, text=why))
    for r in rules:
        if r.effect is Effect.DENY:
            continue
        for d in rules:
            if d is r or d.strength <= r.strength:
                continue
            overlap = (
                _meets(r.vendors, d.vendors)
                and _meets(r.purposes, d.purposes)
                and _meets(r.categories, d.categories)
                and contradiction([*r.rule.conditions, *d.rule.conditions]) is None
            )
            if not overlap:
                continue
            covered = (
                _unconditional(d)
                and _within(r.vendors, d.vendors)
                and _within(r.purposes, d.purposes)
                and _within(r.categories, d.categories)
            )
            word = "deny" if d.effect is Effect.DENY else "ask"
            if covered:
                where = "earlier" if d.index < r.index else "later"
                out[r.rule.id].append(
                    Finding(
                        rule_id=r.rule.id,
                        kind=SHADOWED,
                        other=d.rule.id,
                        text=f"It never takes effect: the {where} rule {d.rule.id!r} ({word}) "
                        f"covers everything it covers, and {word} wins",
                    )
                )
            else:
                text = f"Where it and rule {d.rule.id!r} both apply, {d.rule.id!r} ({word}) wins"
                out[r.rule.id].append(
                    Finding(rule_id=r.rule.id, kind=CONFLICT, other=d.rule.id, text=text)
                )
                out[d.rule.id].append(
                    Finding(
                        rule_id=d.rule.id,
                        kind=CONFLICT,
                        other=r.rule.id,
                        text=f"Where it and rule {r.rule.id!r} both apply, this rule wins",
                    )
                )
    return out
