"""What-if: which answers change between two versions of the terms, for a set of requests.

The server runs it over every active grant before saving new terms, to warn "this change will cut
off 2 vendors"; the person's "what would vendor X get?" is the one-request case.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from .compile import CompiledTerms, compile_terms
from .decision import Decision
from .evaluate import evaluate
from .model import Effect, Request, Terms


@dataclass(frozen=True, kw_only=True)
class Change:
    """One request whose answer differs: its key, the request, and both decisions."""

    key: str
    request: Request
    before: Decision
    after: Decision

    @property
    def lost(self) -> tuple[str, ...]:
        """Categories permitted before and not after: the access this change cuts off."""
        after = self.after.effects
        return tuple(c for c in self.before.permitted if after.get(c) is not Effect.PERMIT)

    @property
    def gained(self) -> tuple[str, ...]:
        """Categories permitted after and not before."""
        before = self.before.effects
        return tuple(c for c in self.after.permitted if before.get(c) is not Effect.PERMIT)

    def to_dict(self) -> dict:
        return {
            "key": self.key,
            "vendor": self.request.vendor.id,
            "before": self.before.to_dict(),
            "after": self.after.to_dict(),
            "lost": list(self.lost),
            "gained": list(self.gained),
        }


def _compiled(terms: Terms | CompiledTerms) -> CompiledTerms:
    return terms if isinstance(terms, CompiledTerms) else compile_terms(terms)


def what_if(
    old: Terms | CompiledTerms,
    new: Terms | CompiledTerms,
    requests: Mapping[str, Request] | Iterable[Request],
    now: datetime,
) -> list[Change]:
    """Every request (keyed, e.g. by grant id; or numbered) whose effects change."""
    before, after = _compiled(old), _compiled(new)
    items = (
        requests.items()
        if isinstance(requests, Mapping)
        else ((str(i), r) for i, r in enumerate(requests))
    )
    changes = []
    for key, request in items:
        a, b = evaluate(before, request, now), evaluate(after, request, now)
        if a.effect is not b.effect or dict(a.effects) != dict(b.effects):
            changes.append(Change(key=key, request=request, before=a, after=b))
    return changes


def vendors_cut_off(changes: Iterable[Change]) -> list[str]:
    """The vendors that lose some access they had, for the 'this change will cut off' warning."""
    return sorted({c.request.vendor.id for c in changes if c.lost})
