"""Typed values of the resource API: what a vendor asks for and what the server answers.

Each answer keeps the server's JSON in `raw`, so a field added on the server is never lost to a
client that does not know it yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

DETAILS_TYPE = "custos_data_access"


@dataclass(frozen=True, kw_only=True)
class Access:
    """A request for data: purpose (DPV), categories, retention, sharing and duration."""

    purpose: str
    categories: tuple[str, ...]
    retention_days: int | None = None
    third_party_sharing: bool = False
    recipients: tuple[str, ...] = ()
    duration_days: int = 90

    def as_detail(self) -> dict:
        """The RFC 9396 `authorization_details` object of the Custos type."""
        detail = {"type": DETAILS_TYPE, "purpose": self.purpose,
                  "categories": list(self.categories),
                  "third_party_sharing": self.third_party_sharing,
                  "duration_days": self.duration_days}
        if self.retention_days is not None:
            detail["retention_days"] = self.retention_days
        if self.recipients:
            detail["recipients"] = list(self.recipients)
        return detail


@dataclass(frozen=True, kw_only=True)
class Field:
    category: str
    name: str
    kind: str
    value: Any


@dataclass(frozen=True, kw_only=True)
class DataRelease:
    """What the person's terms release now; `withheld` says which categories not, and why."""

    sub: str
    agreement: str
    purpose: str
    fields: tuple[Field, ...]
    withheld: tuple[dict, ...] = ()
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_json(cls, data: dict) -> DataRelease:
        return cls(sub=data["sub"], agreement=data["agreement"], purpose=data.get("purpose", ""),
                   fields=tuple(Field(**{k: f.get(k) for k in ("category", "name", "kind",
                                                                "value")})
                                for f in data.get("fields", [])),
                   withheld=tuple(data.get("withheld", [])), raw=data)

    def values(self, category: str) -> list[Any]:
        """The values of one category (exact id), in the server's order."""
        return [f.value for f in self.fields if f.category == category]


@dataclass(frozen=True, kw_only=True)
class AccessRequest:
    """An asynchronous request: `pending` until the terms or the person answer it."""

    id: str
    status: str
    agreement: str | None
    reasons: tuple[dict, ...]
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_json(cls, data: dict) -> AccessRequest:
        return cls(id=data["id"], status=data["status"], agreement=data.get("agreement"),
                   reasons=tuple(data.get("reasons", [])), raw=data)

    @property
    def pending(self) -> bool:
        return self.status == "pending"

    def reason_texts(self) -> list[str]:
        return [r.get("text", r.get("code", "")) for r in self.reasons]


@dataclass(frozen=True, kw_only=True)
class Agreement:
    """One agreement (grant) as its vendor sees it."""

    id: str
    status: str
    purpose: str
    categories: tuple[str, ...]
    expires_at: str
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_json(cls, data: dict) -> Agreement:
        return cls(id=data["id"], status=data["status"], purpose=data.get("purpose", ""),
                   categories=tuple(data.get("categories", [])),
                   expires_at=data.get("expires_at", ""), raw=data)


@dataclass(frozen=True, kw_only=True)
class Receipt:
    """A consent receipt whose signature was checked against the server's JWKS."""

    id: str
    receipt: dict
    jws: str
    status: str
    end_reason: str | None = None
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_json(cls, data: dict, verified: dict) -> Receipt:
        return cls(id=data["id"], receipt=verified, jws=data["jws"], status=data["status"],
                   end_reason=data.get("end_reason"), raw=data)


@dataclass(frozen=True, kw_only=True)
class Item:
    """An intent found by search, or an offer: its id and the server's JSON."""

    id: str
    raw: dict = field(repr=False, default_factory=dict)

    @classmethod
    def from_json(cls, data: dict) -> Item:
        return cls(id=data["id"], raw=data)

    def __getitem__(self, key: str) -> Any:
        return self.raw[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)
