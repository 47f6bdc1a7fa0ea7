"""Marshmallow schemas of the resource API: request bodies are loaded with them, responses
documented with them, and apispec turns both into the OpenAPI document (openapi.py).
"""

from __future__ import annotations

from marshmallow import RAISE, Schema, ValidationError, fields, validate

from policies.schema import Category

from ..errors import InvalidInput
from ..services.details import MAX_DURATION_DAYS


class AccessRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    subject = fields.String(required=True, validate=validate.Length(min=1, max=100),
                            metadata={"description": "The person's pairwise subject for you"})
    authorization_details = fields.List(fields.Dict(), required=True,
                                        validate=validate.Length(equal=1))


class DecisionSchema(Schema):
    class Meta:
        unknown = RAISE

    decision = fields.String(required=True, validate=validate.OneOf(["approve", "deny"]))
    categories = fields.List(fields.String(), load_default=None,
                             metadata={"description": "Approve only these (narrowed)"})
    duration_days = fields.Integer(load_default=None, strict=True,
                                   validate=validate.Range(min=1, max=MAX_DURATION_DAYS))
    purpose = fields.String(load_default=None, metadata={
        "description": "Approve for this purpose only: the asked one or a narrower DPV purpose"})


class ReasonSchema(Schema):
    code = fields.String()
    effect = fields.String()
    rule = fields.String(allow_none=True)
    text = fields.String()


class ErrorSchema(Schema):
    error = fields.String(required=True)
    error_description = fields.String(required=True)
    fields_ = fields.Dict(data_key="fields")
    reasons = fields.List(fields.Nested(ReasonSchema))


class FieldValueSchema(Schema):
    category = fields.String()
    name = fields.String()
    kind = fields.String()
    value = fields.Raw()
    derived = fields.Boolean(metadata={"description": "worked out by the vault (age in years "
                                                      "from the date of birth), not stored"})


class DataSchema(Schema):
    sub = fields.String()
    agreement = fields.String()
    purpose = fields.String()
    fields_ = fields.List(fields.Nested(FieldValueSchema), data_key="fields")
    withheld = fields.List(fields.Dict())


class GrantSchema(Schema):
    id = fields.String()
    client_id = fields.String()
    vendor = fields.String()
    status = fields.String()
    purpose = fields.String()
    categories = fields.List(fields.String())
    retention_days = fields.Integer(allow_none=True)
    third_party_sharing = fields.Boolean()
    expires_at = fields.String()
    ended_at = fields.String(allow_none=True)
    last_used_at = fields.String(allow_none=True)
    terms_version = fields.Integer()
    decided_by = fields.String()


class RequestStatusSchema(Schema):
    id = fields.String()
    status = fields.String()
    agreement = fields.String(allow_none=True)
    reasons = fields.List(fields.Nested(ReasonSchema))


def load(schema: Schema, data: object) -> dict:
    """Load a JSON body or raise a 400 that names the field and the problem."""
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.",
                           fields={"_schema": ["must be a JSON object"]})
    try:
        return schema.load(data)
    except ValidationError as exc:
        messages = exc.normalized_messages()
        first = next(iter(messages), "_schema")
        raise InvalidInput(f"{first}: {messages[first]}", fields=messages) from None


OFFER_CATEGORY = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"
MAX_PRICE = 10**9


def _price_range(value) -> None:
    if not 0 <= value <= MAX_PRICE:
        raise ValidationError(f"must be between 0 and {MAX_PRICE}")


class OfferSubmitSchema(Schema):
    """A vendor's offer in answer to an intent (docs/api.md, "Offers")."""

    class Meta:
        unknown = RAISE

    price = fields.Decimal(required=True, validate=_price_range,
                           metadata={"type": "string", "example": "28900.00",
                                     "description": "0 to 1,000,000,000, as a string or number"})
    currency = fields.String(required=True, validate=validate.Regexp(
        r"^[A-Z]{3}$", error="a three-letter currency code such as EUR"))
    category = fields.String(required=True, validate=[
        validate.Length(max=100),
        validate.Regexp(OFFER_CATEGORY, error="a category such as vehicles or vehicles.cars")])
    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    valid_until = fields.AwareDateTime(required=True,
                                       metadata={"example": "2026-12-31T23:59:59+00:00"})
    needs = fields.List(Category(), load_default=list, validate=validate.Length(max=10),
                        metadata={"example": ["identity.name", "address"], "description":
                                  "What you need to fulfil it, should the person accept: she "
                                  "sees it and may give less"})


class RecordSchema(Schema):
    """A vendor's write-back record, as documented; `services/write_back.py` checks it."""

    class Meta:
        unknown = RAISE

    category = fields.String(required=True, metadata={"example": "customer.orders", "enum": [
        "customer.orders", "customer.warranty", "customer.loyalty_id",
        "customer.delivery_address"]})
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    value = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class MessageSchema(Schema):
    """A message in an offer's reply channel, as documented (`services/offer_replies.py`)."""

    class Meta:
        unknown = RAISE

    text = fields.String(required=True, validate=validate.Length(min=1, max=2000))


class SubscriptionSchema(Schema):
    """The intents a vendor wants to hear of (docs/api.md, "Intentcast")."""

    class Meta:
        unknown = RAISE

    categories = fields.List(fields.String(validate=[
        validate.Length(max=100),
        validate.Regexp(OFFER_CATEGORY, error="a category such as vehicles or vehicles.cars")]),
        required=True, validate=validate.Length(min=1, max=20),
        metadata={"example": ["vehicles"]})
    regions = fields.List(fields.String(validate=validate.Length(min=1, max=100)),
                          load_default=list, validate=validate.Length(max=20),
                          metadata={"description": "Only intents in these regions (none: any)",
                                    "example": ["Berlin"]})


class OfferReasonSchema(Schema):
    class Meta:
        unknown = RAISE

    code = fields.String(required=True, validate=validate.Length(min=1, max=100))
    text = fields.String(required=True, validate=validate.Length(max=500))


class OfferDecisionSchema(Schema):
    class Meta:
        unknown = RAISE

    decision = fields.String(required=True, validate=validate.OneOf(["deliver", "filter"]))
    reasons = fields.List(fields.Nested(OfferReasonSchema), load_default=list,
                          validate=validate.Length(max=20))


class WindowSchema(Schema):
    starts = fields.String(allow_none=True)
    ends = fields.String(allow_none=True)


class IntentViewSchema(Schema):
    """An intent as a vendor sees it: an opaque handle of its own, no person, no contact."""

    id = fields.String(metadata={"description": "Your handle for this intent"})
    category = fields.String()
    text = fields.String()
    budget = fields.String(allow_none=True)
    currency = fields.String(allow_none=True)
    window = fields.Nested(WindowSchema)
    region = fields.String(allow_none=True)
    constraints = fields.List(fields.String())
    offers = fields.String(metadata={"description": "Where to POST an offer"})


class IntentPageSchema(Schema):
    items = fields.List(fields.Nested(IntentViewSchema))
    next = fields.String(allow_none=True, metadata={"description": "cursor of the next page"})


class VendorOfferSchema(Schema):
    id = fields.String()
    intent = fields.String()
    status = fields.String(metadata={"enum": ["received", "delivered", "filtered"]})
    category = fields.String()
    price = fields.String()
    currency = fields.String()
    text = fields.String()
    valid_until = fields.String()
    created_at = fields.String()
    decided_at = fields.String(allow_none=True)


class OfferVendorSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True)
    jurisdiction = fields.String(allow_none=True)
    certifications = fields.List(fields.String())
    verified_certifications = fields.List(fields.String())


class OfferIntentSchema(Schema):
    id = fields.String()
    category = fields.String(allow_none=True)
    budget = fields.String(allow_none=True)
    currency = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    ends = fields.String(allow_none=True, metadata={"description": "last day, YYYY-MM-DD (UTC)"})


class PersonOfferSchema(VendorOfferSchema):
    intent = fields.Nested(OfferIntentSchema)
    client_id = fields.String()
    vendor = fields.Nested(OfferVendorSchema)
    decision = fields.Dict(allow_none=True)
    history = fields.List(fields.Dict())
