"""Typed audit events: one frozen dataclass per kind, found by name in a registry.

Kinds are data: a new kind is a new dataclass with `@event_kind("name")`; the log stores
the kind name and a sealed JSON payload of the fields, so old entries of a kind that no
longer exists still read back, as a `GenericEvent`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, TypeVar

EVENT_KINDS: dict[str, type[Event]] = {}
E = TypeVar("E", bound="type[Event]")


def event_kind(name: str):  # noqa: ANN201 - a class decorator
    """Register an event class under a stable kind name (stored in the log)."""

    def register(cls: E) -> E:
        if name in EVENT_KINDS:
            raise ValueError(f"event kind {name!r} is already registered")
        cls.kind = name
        EVENT_KINDS[name] = cls
        return cls

    return register


@dataclass(frozen=True, kw_only=True)
class Event:
    """Base of all events; `payload()` is what gets sealed into the log."""

    kind: ClassVar[str] = ""

    def payload(self) -> dict[str, Any]:
        """The event's fields as a JSON-able dict, for sealing at once (fields hold JSON
        values only, so no deep copy as `dataclasses.asdict` makes: it cost ~0.1 ms a read)."""
        return {name: getattr(self, name) for name in _names(type(self))}


_FIELDS: dict[type, tuple[str, ...]] = {}


def _names(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    return names


@dataclass(frozen=True, kw_only=True)
class GenericEvent(Event):
    """An entry whose kind this code does not know: kept, readable, never dropped."""

    name: str
    data: dict[str, Any]

    def payload(self) -> dict[str, Any]:
        """The original payload, unchanged."""
        return dict(self.data)


def event_from_payload(kind: str, payload: dict[str, Any]) -> Event:
    """Rebuild the typed event from a stored kind and payload."""
    cls = EVENT_KINDS.get(kind)
    if cls is None:
        return GenericEvent(name=kind, data=payload)
    names = {f.name for f in dataclasses.fields(cls)}
    try:
        return cls(**{k: v for k, v in payload.items() if k in names})
    except TypeError:
        return GenericEvent(name=kind, data=payload)


@dataclass(frozen=True, kw_only=True)
class LoggedEvent:
    """One entry of a person's log as read back: position, time, kind and typed event."""

    person_id: str
    seq: int
    at: datetime
    kind: str
    event: Event
    payload: dict[str, Any]


@event_kind("account_created")
@dataclass(frozen=True, kw_only=True)
class AccountCreated(Event):
    """The person signed up."""


@event_kind("signed_in")
@dataclass(frozen=True, kw_only=True)
class SignedIn(Event):
    """A session was opened; how and from where, for the person to recognise it."""

    method: str = "password"
    ip: str | None = None
    user_agent: str | None = None


@event_kind("signed_out")
@dataclass(frozen=True, kw_only=True)
class SignedOut(Event):
    """One session was ended by the person."""


@event_kind("sessions_ended")
@dataclass(frozen=True, kw_only=True)
class SessionsEnded(Event):
    """Every session was ended ("sign out everywhere")."""

    count: int = 0


@event_kind("password_changed")
@dataclass(frozen=True, kw_only=True)
class PasswordChanged(Event):
    """The password hash was replaced."""


@event_kind("field_added")
@dataclass(frozen=True, kw_only=True)
class FieldAdded(Event):
    """A personal data field was added (the value itself is not logged)."""

    field_id: str
    category: str
    name: str


@event_kind("field_changed")
@dataclass(frozen=True, kw_only=True)
class FieldChanged(Event):
    """A personal data field was edited; `changed` names what changed."""

    field_id: str
    category: str
    name: str
    changed: list[str] = dataclasses.field(default_factory=list)


@event_kind("field_deleted")
@dataclass(frozen=True, kw_only=True)
class FieldDeleted(Event):
    """A personal data field was deleted."""

    field_id: str
    category: str
    name: str


@event_kind("intent_added")
@dataclass(frozen=True, kw_only=True)
class IntentAdded(Event):
    """An intent was declared."""

    intent_id: str
    status: str
    visibility: str


@event_kind("intent_changed")
@dataclass(frozen=True, kw_only=True)
class IntentChanged(Event):
    """An intent was edited, fulfilled or withdrawn."""

    intent_id: str
    status: str
    visibility: str


@event_kind("data_exported")
@dataclass(frozen=True, kw_only=True)
class DataExported(Event):
    """The person exported everything."""

    format: str = "custos-export/1"


@event_kind("data_imported")
@dataclass(frozen=True, kw_only=True)
class DataImported(Event):
    """The person imported a file; each added or changed value has its own entry too."""

    source: str  # "vCard", "jCard", "CSV", "Custos export"
    added: int
    updated: int
    skipped: int
