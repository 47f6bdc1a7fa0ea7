"""What a vendor asks for: RFC 9396 `authorization_details` of the Custos type, or scopes.

One documented type, `custos_data_access` (docs/oauth.md), carries purpose, categories,
retention, sharing and duration. The same request can be written as scopes: `data:<category>`
(repeatable), `purpose:<DPV purpose>`, `retention:<days>`, `sharing:none|third_party`,
`duration:<days>`. An agent adds the mandates it asks for (`mandate:<name>`,
services/mandates.py). Authlib has no RAR support, so this module parses and validates both forms
and the grants call it from their hooks. Errors name the field, as RFC 9396 section 5 asks.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from authlib.oauth2 import OAuth2Error
from marshmallow import RAISE, Schema, ValidationError, fields, validate

from policies.errors import flatten
from policies.schema import Category, Purpose

from . import mandates as mandate_words
from . import safe_json

DETAILS_TYPE = "custos_data_access"
DEFAULT_DURATION_DAYS = 90
MAX_DURATION_DAYS = 365
VENDOR_SCOPE = "vendor"


class InvalidAuthorizationDetails(OAuth2Error):
    """RFC 9396 section 5: the details are malformed or of an unknown type."""

    error = "invalid_authorization_details"

    def __init__(self, description: str | None = None, **kwargs) -> None:
        # RFC 6749 section 5.2: error_description is %x20-21 / %x23-5B / %x5D-7E only (Authlib
        # raises ValueError otherwise); a vendor's value quoted in it shows "?" for the rest.
        super().__init__(_NOT_ERROR_TEXT.sub("?", description or ""), **kwargs)


_NOT_ERROR_TEXT = re.compile(r"[^\x20\x21\x23-\x5b\x5d-\x7e]")


@dataclass(frozen=True, kw_only=True)
class DataAccess:
    """A validated request for data: the input of the person's terms and of the agreement."""

    purpose: str
    categories: tuple[str, ...]
    retention_days: int | None = None
    third_party_sharing: bool = False
    recipients: tuple[str, ...] = ()
    duration_days: int = DEFAULT_DURATION_DAYS
    intent: str | None = None
    mandates: tuple[str, ...] = field(default=())

    def narrowed(self, categories: tuple[str, ...], duration_days: int,
                 purpose: str | None = None) -> DataAccess:
        """The same request with fewer categories, a shorter duration or a narrower purpose
        (never more: a purpose outside the asked one is the caller's error to refuse)."""
        keep = tuple(c for c in self.categories if c in categories)
        return DataAccess(**{**self.__dict__, "categories": keep,
                             "duration_days": min(duration_days, self.duration_days),
                             "purpose": purpose or self.purpose})

    def as_detail(self) -> dict:
        """The RFC 9396 object as granted, returned with tokens and in introspection."""
        return {"type": DETAILS_TYPE, "purpose": self.purpose,
                "categories": list(self.categories), "retention_days": self.retention_days,
                "third_party_sharing": self.third_party_sharing,
                "recipients": list(self.recipients), "duration_days": self.duration_days}


class DetailSchema(Schema):
    """RFC 9396 authorization details of type custos_data_access: validates requests and, the
    same schema, documents them in the OpenAPI document (docs/oauth.md)."""

    class Meta:
        unknown = RAISE

    type = fields.String(required=True, validate=validate.Equal(DETAILS_TYPE))
    purpose = Purpose(required=True, metadata={"example": "ServiceProvision"})
    categories = fields.List(Category(), required=True, validate=validate.Length(min=1, max=50),
                             metadata={"example": ["contact.email"]})
    retention_days = fields.Integer(load_default=None, allow_none=True, strict=True,
                                    validate=validate.Range(min=0, max=36500))
    third_party_sharing = fields.Boolean(load_default=False)
    recipients = fields.List(fields.String(validate=validate.Length(min=1, max=200)),
                             load_default=list, validate=validate.Length(max=20))
    duration_days = fields.Integer(load_default=DEFAULT_DURATION_DAYS, strict=True,
                                   validate=validate.Range(min=1, max=MAX_DURATION_DAYS))
    intent = fields.String(load_default=None, allow_none=True)
    # RFC 9396 section 2.2 common fields that Custos does not use are refused, not ignored
    locations = fields.List(fields.String(), load_default=None)


def _load(raw: dict, prefix: str) -> DataAccess:
    try:
        data = DetailSchema().load(raw)
    except ValidationError as exc:
        problems = flatten(exc.messages if isinstance(exc.messages, dict) else {"": exc.messages})
        first, msgs = next(iter(problems.items()))
        raise InvalidAuthorizationDetails(f"{prefix}.{first}: {' '.join(msgs)}") from None
    data.pop("type"), data.pop("locations")
    data["categories"] = tuple(dict.fromkeys(data["categories"]))
    data["recipients"] = tuple(data["recipients"])
    data["third_party_sharing"] = data["third_party_sharing"] or bool(data["recipients"])
    return DataAccess(**data)


def from_details(text: str) -> DataAccess:
    """Parse the `authorization_details` parameter: a JSON array with one Custos object."""
    try:
        value = safe_json.loads(text)  # bounded nesting
    except ValueError:
        raise InvalidAuthorizationDetails("authorization_details: not valid JSON") from None
    if not isinstance(value, list) or len(value) != 1 or not isinstance(value[0], dict):
        raise InvalidAuthorizationDetails(
            f"authorization_details: must be a JSON array with one object of type {DETAILS_TYPE}")
    return _load(value[0], "authorization_details[0]")


def from_scope(scope: str) -> DataAccess | None:
    """Parse the scope form; None when the scope asks for nothing (no data, no mandate)."""
    raw: dict = {"type": DETAILS_TYPE, "categories": []}
    mandates = _mandates(scope)
    for item in (scope or "").split():
        name, _, value = item.partition(":")
        if name == "mandate":
            continue
        if name == "data" and value:
            raw["categories"].append(value)
        elif name in ("purpose", "retention", "duration", "sharing") and value:
            key = {"retention": "retention_days", "duration": "duration_days"}.get(name, name)
            if name == "sharing":
                if value not in ("none", "third_party"):
                    raise InvalidAuthorizationDetails("scope.sharing: use none or third_party")
                raw["third_party_sharing"] = value == "third_party"
            elif name == "purpose":
                raw["purpose"] = value
            else:
                raw[key] = int(value) if value.isdigit() else value
        elif item != VENDOR_SCOPE:
            raise InvalidAuthorizationDetails(f"scope: unknown scope {item[:60]!r}")
    if not raw["categories"] and "purpose" not in raw:
        return DataAccess(purpose="", categories=(), mandates=mandates) if mandates else None
    access = _load(raw, "scope")
    return DataAccess(**{**access.__dict__, "mandates": mandates})


def _mandates(scope: str | None) -> tuple[str, ...]:
    """The mandates a scope asks for; an unknown `mandate:` value is an error naming it."""
    found = []
    for item in (scope or "").split():
        try:
            name = mandate_words.parse(item)
        except ValueError:
            raise InvalidAuthorizationDetails(f"scope: unknown mandate {item[:60]!r}") from None
        if name:
            found.append(name)
    return mandate_words.ordered(found)


def requested(scope: str | None, details: str | None) -> DataAccess | None:
    """The data request of an authorization or access request, in either form."""
    if details:
        access = from_details(details)
        return DataAccess(**{**access.__dict__, "mandates": _mandates(scope)})
    return from_scope(scope or "")
