"""What the authorization endpoint does with a valid request, decided without I/O.

`assess` judges the request by the person's compiled terms: refused (every category denied),
approved at once (all permitted and the person chose `auto_approve`), or put to the person on
the consent screen. `answer` reads the person's choice on that screen. The endpoint
(api/oauth/authorize.py) does the I/O around them: Authlib's validation, the log, the page,
the agreement and the redirect.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import Enum

from policies import Decision, Effect, Vendor
from policies.compile import CompiledTerms

from . import judge, mandates
from .details import DataAccess


class Outcome(Enum):
    REFUSE = "refuse"  # RFC 6749 section 4.1.2.1: access_denied, with the terms' reasons
    APPROVE = "approve"  # the person's terms approve it without asking
    ASK = "ask"  # the consent screen


@dataclass(frozen=True, kw_only=True)
class Assessment:
    """A request judged by the person's terms: what to do, and what the screen shows."""

    access: DataAccess
    decision: Decision | None  # None when the request asks for no category (only mandates)
    terms_version: int
    outcome: Outcome
    claims_only: tuple[str, ...] = ()  # the terms' categories that leave as claims only

    @property
    def allowed(self) -> list[str]:
        """The categories the person may approve: every asked one the terms do not deny."""
        if self.decision is None:
            return []
        return [c for c in self.access.categories if self.decision.effects[c] is not Effect.DENY]

    @property
    def refusal(self) -> str:
        """The terms' reasons for refusing, in words."""
        reasons = self.decision.reasons if self.decision else ()
        return " ".join(r.text for r in reasons if r.effect is Effect.DENY)


def assess(compiled: CompiledTerms, vendor: Vendor, access: DataAccess,
           now: datetime) -> Assessment:
    """Judge an authorization request by the person's current (compiled) terms at `now`."""
    decision = judge.judge(compiled, vendor, access, now) if access.categories else None
    if decision and all(decision.effects[c] is Effect.DENY for c in access.categories):
        outcome = Outcome.REFUSE
    # Mandates are granted one by one by the person, never by the terms (auto-approve).
    elif decision and decision.effect is Effect.PERMIT and compiled.terms.auto_approve \
            and not access.mandates:
        outcome = Outcome.APPROVE
    else:
        outcome = Outcome.ASK
    return Assessment(access=access, decision=decision, terms_version=compiled.version,
                      outcome=outcome, claims_only=tuple(compiled.terms.claims_only))


def answer(seen: Assessment, decision: str | None, categories: list[str],
           days: str | None, ticked: Iterable[str] = ()) -> DataAccess | None:
    """What the person approved on the consent screen (only categories the terms allow, for
    at least a day, and the asked mandates she ticked), or None when they declined or chose
    nothing."""
    chosen = [c for c in categories if c in seen.allowed]
    access = seen.access
    granted = mandates.ordered(m for m in ticked if m in access.mandates)
    if decision != "approve" or (access.categories and not chosen) \
            or (access.mandates and not access.categories and not granted):
        return None
    try:
        length = int(days) if days is not None else access.duration_days
    except ValueError:
        length = access.duration_days
    return replace(access.narrowed(tuple(chosen), max(1, length)), mandates=granted)
