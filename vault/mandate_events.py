"""Log entries of an agent acting under the person's mandates (api/services/mandates.py).

A terms change an agent proposes that would let vendors get more is kept here, sealed in the
person's log like every entry, until she accepts or declines it: the log is its only store, so
it is exported, shredded and chained with everything else.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .events import Event, event_kind


@event_kind("terms_proposed")
@dataclass(frozen=True, kw_only=True)
class TermsProposed(Event):
    """An agent proposed new terms that permit more than the current ones: they wait."""

    proposal_id: str
    client_id: str
    base_version: int
    body: dict[str, Any]
    loosens: list[dict] = field(default_factory=list)


@event_kind("terms_proposal_decided")
@dataclass(frozen=True, kw_only=True)
class TermsProposalDecided(Event):
    """The person accepted (saved as `version`) or declined an agent's proposal."""

    proposal_id: str
    decision: str
    version: int | None = None


@event_kind("agent_changed_access")
@dataclass(frozen=True, kw_only=True)
class AgentChangedAccess(Event):
    """An agent's action changed what vendors may get: the person is alerted (Home, log)."""

    client_id: str
    action: str  # approved, terms_changed, ended, data_added/changed/deleted, intent_shown/changed
    vendors: list[str] = field(default_factory=list)
    categories: list[str] = field(default_factory=list)
