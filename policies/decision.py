"""The answer to a request: a frozen value with the effect per category and the reasons.

The UI, the API error, the audit log and the butler all render the same `Reason`s: a sentence a
person understands and a stable code a machine can match on (the registry is `policies.codes`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from .model import Effect, strongest


@dataclass(frozen=True, kw_only=True)
class Reason:
    """Why one effect came about: the rule (None for the default), a sentence and a code."""

    code: str
    effect: Effect
    rule_id: str | None
    text: str

    def to_dict(self) -> dict:
        return {
            "code": self.code,
            "effect": self.effect.value,
            "rule": self.rule_id,
            "text": self.text,
        }


@dataclass(frozen=True, kw_only=True)
class Decision:
    """Overall effect (deny over ask over permit), the effect per category, and the reasons."""

    effect: Effect
    effects: Mapping[str, Effect]
    reasons: tuple[Reason, ...]
    because: Mapping[str, tuple[int, ...]]  # category -> indexes into reasons
    terms_version: int

    @classmethod
    def of(
        cls,
        effects: dict[str, Effect],
        reasons: list[Reason],
        because: dict[str, tuple[int, ...]],
        version: int,
    ) -> Decision:
        """Build a decision from per-category results (the overall effect follows from them)."""
        return cls(
            effect=strongest(effects.values()),
            effects=MappingProxyType(effects),
            reasons=tuple(reasons),
            because=MappingProxyType(because),
            terms_version=version,
        )

    @property
    def permitted(self) -> tuple[str, ...]:
        """The categories the vendor may have now (for 'approve narrowed')."""
        return tuple(c for c, e in self.effects.items() if e is Effect.PERMIT)

    @property
    def codes(self) -> tuple[str, ...]:
        """The reason codes, in order, for tests and machine-readable errors."""
        return tuple(r.code for r in self.reasons)

    def reasons_for(self, category: str) -> tuple[Reason, ...]:
        """The reasons that decided one category."""
        return tuple(self.reasons[i] for i in self.because.get(category, ()))

    def to_dict(self) -> dict:
        """JSON-ready form, shared by the API, the audit log and `custos terms check`."""
        cats: dict[int, list[str]] = {}
        for cat, idxs in self.because.items():
            for i in idxs:
                cats.setdefault(i, []).append(cat)
        return {
            "effect": self.effect.value,
            "categories": {c: e.value for c, e in self.effects.items()},
            "reasons": [
                r.to_dict() | {"categories": cats.get(i, [])} for i, r in enumerate(self.reasons)
            ],
            "terms_version": self.terms_version,
        }
