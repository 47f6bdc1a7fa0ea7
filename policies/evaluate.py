"""Answer a request against compiled terms: per category, deny over ask over permit.

A plan (which rules can concern this purpose and each category) is made once per distinct
(purpose, categories) and memoised on the compiled terms; after that a decision only runs the
few predicates of the candidate rules. The clock is an input.
"""

from __future__ import annotations

from datetime import datetime

from .compile import CompiledRule, CompiledTerms, compile_terms
from .decision import Decision, Reason
from .errors import TermsError
from .model import BY_STRENGTH, READ, STRENGTH, Effect, Request, Terms

PLAN_LIMIT = 4096
_ORDER = BY_STRENGTH  # STRENGTH numbers the effects 0, 1, 2: a strength indexes this tuple
_RANK = STRENGTH


def _plan(compiled: CompiledTerms, purpose: str, categories: tuple[str, ...], action: str) -> tuple:
    """(candidate rules, per-category candidate positions) for one purpose, category list and
    action (a rule governs only the actions it names: reading unless it says otherwise)."""
    scoped = [r for r in compiled.rules
              if action in r.actions and (r.purposes is None or purpose in r.purposes)]
    used: dict[int, int] = {}
    per_category = []
    for cat in categories:
        positions = []
        for r in scoped:
            if r.categories is None or cat in r.categories:
                positions.append(used.setdefault(r.index, len(used)))
        per_category.append((cat, tuple(positions)))
    by_index = {r.index: r for r in scoped}
    rules = tuple(by_index[i] for i in used)
    if len(compiled.plans) >= PLAN_LIMIT:
        compiled.plans.clear()
    plan = (rules, tuple(per_category))
    compiled.plans[(purpose, categories, action)] = plan
    return plan


def _outcome(
    r: CompiledRule, request: Request, now: datetime, counts: dict | None
) -> Reason | None:
    """The reason this rule contributes to the request, or None if it does not apply."""
    if r.vendors is not None and request.vendor.id not in r.vendors:
        return None
    for check in r.checks:
        if not check(request, now):
            return None
    if r.frequency is not None:
        per, most = r.frequency
        if (counts or {}).get(per, 0) >= most:
            return r.over_limit
    return r.reason


def evaluate(compiled: CompiledTerms, request: Request, now: datetime | None = None) -> Decision:
    """The decision for `request` at `now` (or the request's own time)."""
    now = now or request.time
    if now is None:
        raise TermsError("no time given", {"now": ["a decision needs the time"]})
    plan = compiled.plans.get((request.purpose, request.categories, request.action))
    if plan is None:
        plan = _plan(compiled, request.purpose, request.categories, request.action)
    rules, per_category = plan
    counts = dict(request.counts) if request.counts else None
    outcomes = [_outcome(r, request, now, counts) for r in rules]
    reasons: list[Reason] = []
    seen: dict[int, int] = {}
    effects: dict[str, Effect] = {}
    because: dict[str, tuple[int, ...]] = {}
    default = compiled.default_reason if request.action == READ \
        else compiled.opt_in_defaults[request.action]
    for cat, positions in per_category:
        best = -1
        for p in positions:
            o = outcomes[p]
            if o is not None and (s := _RANK[o.effect]) > best:
                best = s
        if best < 0:
            winners = [default]
        else:
            winners = [
                outcomes[p]
                for p in positions
                if outcomes[p] is not None and outcomes[p].effect is _ORDER[best]
            ]
        idxs = []
        for w in winners:
            i = seen.get(id(w))
            if i is None:
                i = seen[id(w)] = len(reasons)
                reasons.append(w)
            idxs.append(i)
        effects[cat] = winners[0].effect
        because[cat] = tuple(idxs)
    return Decision.of(effects, reasons, because, compiled.version)


def decide(terms: Terms, request: Request, now: datetime | None = None) -> Decision:
    """Convenience: compile (cached per terms value) and evaluate in one call."""
    return evaluate(compile_terms(terms), request, now)
