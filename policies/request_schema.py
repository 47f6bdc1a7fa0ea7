"""Marshmallow schema for a vendor's request, the other input of every decision."""

from __future__ import annotations

from datetime import UTC

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, validate

from common.periods import PERIODS

from . import model as m
from .errors import TermsError, flatten
from .schema import Category, Purpose


class VendorSchema(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1))
    jurisdiction = fields.String(load_default=None, allow_none=True)
    certifications = fields.List(fields.String(), load_default=list)
    verified_certifications = fields.List(fields.String(), load_default=list)

    @post_load
    def _make(self, data: dict, **kwargs) -> m.Vendor:
        verified = frozenset(data["verified_certifications"])
        return m.Vendor(
            id=data["id"],
            jurisdiction=data["jurisdiction"],
            certifications=frozenset(data["certifications"]) | verified,
            verified_certifications=verified,
        )


class RequestSchema(Schema):
    class Meta:
        unknown = RAISE

    vendor = fields.Nested(VendorSchema, required=True)
    purpose = Purpose(required=True)
    categories = fields.List(Category(), required=True, validate=validate.Length(min=1))
    retention_days = fields.Integer(
        load_default=None, allow_none=True, strict=True, validate=validate.Range(min=0)
    )
    third_party_sharing = fields.Boolean(load_default=False)
    recipients = fields.List(fields.String(), load_default=list)
    intent = fields.String(load_default=None, allow_none=True)
    counts = fields.Dict(
        keys=fields.String(validate=validate.OneOf(PERIODS)),
        values=fields.Integer(strict=True, validate=validate.Range(min=0)),
        load_default=dict,
    )
    time = fields.AwareDateTime(default_timezone=UTC, load_default=None, allow_none=True)
    action = fields.String(load_default=m.READ, validate=validate.OneOf(m.ACTIONS))

    @post_load
    def _make(self, data: dict, **kwargs) -> m.Request:
        recipients = frozenset(data["recipients"])
        return m.Request(
            vendor=data["vendor"],
            purpose=data["purpose"],
            categories=tuple(dict.fromkeys(data["categories"])),
            retention_days=data["retention_days"],
            third_party_sharing=data["third_party_sharing"] or bool(recipients),
            recipients=recipients,
            intent=data["intent"],
            counts=tuple(sorted(data["counts"].items())),
            time=data["time"],
            action=data["action"],
        )


def load_request(data: object) -> m.Request:
    """Validate a JSON request (format in docs/policies.md) or raise `TermsError` naming fields."""
    if not isinstance(data, dict):
        raise TermsError(
            "a request must be a JSON object", {"_schema": ["a request must be a JSON object"]}
        )
    try:
        return RequestSchema().load(data)
    except ValidationError as e:
        raise TermsError("invalid request", flatten(e.normalized_messages())) from None
