"""Bodies and answers of the two-sided agreement calls (docs/agreements.md), loaded with
`schemas.load` and documented in the OpenAPI document."""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from policies.agreements import find

MAX_JWS = 65536


def _roster(value: str) -> None:
    if find(value) is None:
        raise ValidationError("not an agreement of the roster (GET /standard-agreements)")


class JwsSchema(Schema):
    class Meta:
        unknown = RAISE

    jws = fields.String(required=True, validate=validate.Length(min=1, max=MAX_JWS),
                        metadata={"description": "A compact JWS (RFC 7515) signed with a key "
                                                 "you registered (jwks or jwks_uri)"})


class CounterSchema(Schema):
    class Meta:
        unknown = RAISE

    agreement = fields.String(required=True, validate=[validate.Length(max=60), _roster],
                              metadata={"description": "The roster agreement you propose"})


class AcceptsSchema(Schema):
    class Meta:
        unknown = RAISE

    accepts = fields.List(fields.String(validate=[validate.Length(max=60), _roster]),
                          required=True, validate=validate.Length(max=20))


class AgreementRecordSchema(Schema):
    status = fields.String(metadata={"description": "IEEE 7012 negotiation status"})
    record = fields.Dict(metadata={"description": "The agreement record both sides sign"})
    vendor_jws = fields.String(allow_none=True)
    custos_jws = fields.String(allow_none=True)
    counter = fields.String(allow_none=True)
