"""Typed audit events of agreements: access attempts, decisions, grants, terms and requests.

Registered in the vault's event registry on import (`vault.agreements` imports this module),
so every entry reads back typed. Payloads hold ids, categories, purposes and reason codes,
never a personal value: the log says *that* the email was read, not what it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .events import Event, event_kind


@event_kind("access_attempted")
@dataclass(frozen=True, kw_only=True)
class AccessAttempted(Event):
    """A vendor tried to read data with a token; `outcome` is allowed or refused."""

    client_id: str
    grant_id: str | None
    purpose: str | None
    categories: list[str] = field(default_factory=list)
    released: list[str] = field(default_factory=list)
    outcome: str = "refused"
    reasons: list[dict] = field(default_factory=list)


@event_kind("record_written")
@dataclass(frozen=True, kw_only=True)
class RecordWritten(Event):
    """A vendor tried to add a record to the person's data under an agreement (write-back);
    `outcome` is added or refused. The value itself is not logged."""

    client_id: str
    grant_id: str
    category: str
    name: str
    field_id: str | None = None
    outcome: str = "refused"
    reasons: list[dict] = field(default_factory=list)


@event_kind("decision_made")
@dataclass(frozen=True, kw_only=True)
class DecisionMade(Event):
    """The person's terms answered a vendor's request (at authorization or asynchronously)."""

    client_id: str
    purpose: str
    categories: list[str]
    effect: str
    context: str
    terms_version: int
    reasons: list[dict] = field(default_factory=list)


@event_kind("grant_changed")
@dataclass(frozen=True, kw_only=True)
class GrantChanged(Event):
    """An agreement was made or ended (revoked, expired, cut by terms, account closed)."""

    grant_id: str
    client_id: str
    change: str
    purpose: str
    categories: list[str]
    decided_by: str = ""
    expires_at: str = ""


@event_kind("terms_changed")
@dataclass(frozen=True, kw_only=True)
class TermsChanged(Event):
    """The person saved a new version of their terms; `cut` lists the grants it ended."""

    version: int
    rules: int
    default: str
    cut: list[str] = field(default_factory=list)


@event_kind("request_submitted")
@dataclass(frozen=True, kw_only=True)
class RequestSubmitted(Event):
    """A vendor asked asynchronously; `status` is what the terms answered at once."""

    request_id: str
    client_id: str
    purpose: str
    categories: list[str]
    status: str


@event_kind("request_decided")
@dataclass(frozen=True, kw_only=True)
class RequestDecided(Event):
    """The person (or their butler) answered a pending request."""

    request_id: str
    client_id: str
    decision: str
    categories: list[str] = field(default_factory=list)


@event_kind("token_reuse_detected")
@dataclass(frozen=True, kw_only=True)
class TokenReuseDetected(Event):
    """A used code or rotated refresh token came back; its whole family was revoked."""

    client_id: str
    grant_id: str | None
    credential: str
    revoked: int = 0


@event_kind("offer_received")
@dataclass(frozen=True, kw_only=True)
class OfferReceived(Event):
    """A vendor answered one of the person's intents with an offer."""

    offer_id: str
    intent_id: str
    client_id: str
    status: str


@event_kind("offer_decided")
@dataclass(frozen=True, kw_only=True)
class OfferDecided(Event):
    """The person or butler accepted, declined or overrode the filter on an offer."""

    offer_id: str
    decision: str


@event_kind("negotiation_changed")
@dataclass(frozen=True, kw_only=True)
class NegotiationChanged(Event):
    """The IEEE 7012 status of a two-sided agreement changed (proffered, accepted, refused,
    countered, confirmed, ended)."""

    grant_id: str
    client_id: str
    status: str
    agreements: list[str] = field(default_factory=list)
    counter: str | None = None


@event_kind("duty_changed")
@dataclass(frozen=True, kw_only=True)
class DutyChanged(Event):
    """A notice that asks the vendor for an answer was sent, or its answer came."""

    duty_id: str
    grant_id: str
    client_id: str
    duty: str  # delete | ended (vault/duties.py)
    change: str
    due_at: str = ""


@event_kind("use_reported")
@dataclass(frozen=True, kw_only=True)
class UseReported(Event):
    """The vendor's signed statement of what it did with the data: its word, not Custos's
    observation (`statement_by` says whose)."""

    grant_id: str
    client_id: str
    purpose: str
    processor: str
    used_at: str
    statement_by: str = "vendor"
    jws: str = ""
