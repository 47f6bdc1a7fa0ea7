"""The butler's offer filter: should this offer reach the person? Deliver or filter, with reasons.

The person's offer rules (in their terms) are checked in a fixed order: blocklist, expiry,
intent, category, budget, certifications, frequency. Every failing check gives a reason; an
offer is delivered only when none fails. Counts of earlier offers and the time are inputs: the
engine stays pure. An offer past its `valid_until`, or answering an intent that is no longer
live (`intent_live`: active and not past its end date), is never delivered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from marshmallow import Schema, ValidationError, fields, post_load, validate

from common.periods import PERIODS

from .codes import OFFER_BLOCKED as BLOCKED
from .codes import OFFER_BUDGET as BUDGET
from .codes import OFFER_CATEGORY as CATEGORY
from .codes import OFFER_CERTIFICATION as CERTIFICATION
from .codes import OFFER_CURRENCY as CURRENCY
from .codes import OFFER_DELIVERED as DELIVERED
from .codes import OFFER_EXPIRED as EXPIRED
from .codes import OFFER_INTENT_ENDED as INTENT_ENDED
from .codes import OFFER_NO_INTENT as NO_INTENT
from .codes import OFFER_TOO_MANY as TOO_MANY
from .errors import TermsError, flatten
from .model import OfferRules, Vendor
from .request_schema import VendorSchema


@dataclass(frozen=True, kw_only=True)
class Intent:
    """The part of a person's intent the butler needs: what, budget, whether it is active, and
    the last day it runs (its `ends` date, if any)."""

    id: str
    category: str
    budget: Decimal | None = None
    currency: str | None = None
    active: bool = True
    ends: date | None = None


def intent_live(status: str, ends: date | str | None, now: datetime) -> bool:
    """Vendors may see and answer an intent while it is active and its end date has not passed:
    it runs through its last day, counted in UTC (the date the person typed has no zone)."""
    if status != "active":
        return False
    if ends is None or ends == "":
        return True
    try:
        last = ends if isinstance(ends, date) else date.fromisoformat(str(ends))
    except ValueError:  # an end nobody can read: fail closed, vendors do not see it
        return False
    return now.astimezone(UTC).date() <= last


@dataclass(frozen=True, kw_only=True)
class Offer:
    """A vendor's answer to an intent."""

    vendor: Vendor
    intent: str | None
    category: str
    price: Decimal | None = None
    currency: str | None = None
    text: str = ""
    valid_until: datetime | None = None
    counts: tuple[tuple[str, int], ...] = ()  # offers this vendor already sent, per period


@dataclass(frozen=True, kw_only=True)
class OfferReason:
    """Why an offer was delivered or filtered: a stable code and a sentence."""

    code: str
    text: str

    def to_dict(self) -> dict:
        return {"code": self.code, "text": self.text}


@dataclass(frozen=True, kw_only=True)
class OfferDecision:
    """Deliver or filter, with every reason."""

    deliver: bool
    reasons: tuple[OfferReason, ...]

    @property
    def action(self) -> str:
        return "deliver" if self.deliver else "filter"

    def to_dict(self) -> dict:
        return {"action": self.action, "reasons": [r.to_dict() for r in self.reasons]}


class OfferSchema(Schema):
    vendor = fields.Nested(VendorSchema, required=True)
    intent = fields.String(load_default=None, allow_none=True)
    category = fields.String(required=True, validate=validate.Length(min=1))
    price = fields.Decimal(load_default=None, allow_none=True, validate=validate.Range(min=0))
    currency = fields.String(load_default=None, allow_none=True, validate=validate.Length(equal=3))
    text = fields.String(load_default="")
    valid_until = fields.AwareDateTime(load_default=None, allow_none=True)
    counts = fields.Dict(
        keys=fields.String(validate=validate.OneOf(PERIODS)),
        values=fields.Integer(strict=True, validate=validate.Range(min=0)),
        load_default=dict,
    )

    @post_load
    def _make(self, data: dict, **kwargs) -> Offer:
        return Offer(**{**data, "counts": tuple(sorted(data["counts"].items()))})


def load_offer(data: object) -> Offer:
    """Validate an offer's JSON or raise `TermsError` naming the fields."""
    try:
        return OfferSchema().load(data if isinstance(data, dict) else {})
    except ValidationError as e:
        raise TermsError("invalid offer", flatten(e.normalized_messages())) from None


def _within(category: str, wanted: str) -> bool:
    return category == wanted or category.startswith(wanted + ".")


def filter_offer(rules: OfferRules, offer: Offer, intent: Intent | None,
                 now: datetime) -> OfferDecision:
    """Deliver or filter `offer` (answering `intent`, if known) by the person's offer rules."""
    why: list[OfferReason] = []
    v = offer.vendor
    if v.id in rules.blocklist:
        why.append(OfferReason(code=BLOCKED, text=f"You blocked offers from {v.id}"))
    if offer.valid_until is not None and offer.valid_until <= now:
        why.append(OfferReason(code=EXPIRED, text="The offer expired on "
                               f"{offer.valid_until.astimezone(UTC):%Y-%m-%d %H:%M} UTC"))
    if intent is None or not intent.active or (offer.intent and offer.intent != intent.id):
        why.append(OfferReason(code=NO_INTENT, text="It answers none of your active intents"))
    elif not intent_live("active", intent.ends, now):
        why.append(OfferReason(code=INTENT_ENDED,
                               text=f"The intent it answers ended on {intent.ends:%Y-%m-%d}"))
    elif rules.match_category and not _within(offer.category, intent.category):
        why.append(
            OfferReason(
                code=CATEGORY,
                text=f"It offers {offer.category}, and you asked for {intent.category}",
            )
        )
    elif rules.within_budget and intent.budget is not None and offer.price is not None:
        if intent.currency and offer.currency and offer.currency != intent.currency:
            why.append(
                OfferReason(
                    code=CURRENCY,
                    text=(f"It is priced in {offer.currency}, your budget is in {intent.currency}"),
                )
            )
        elif offer.price > intent.budget:
            why.append(
                OfferReason(
                    code=BUDGET,
                    text=(
                        f"It costs {offer.price} {offer.currency or ''}".rstrip()
                        + f", over your budget of {intent.budget} {intent.currency or ''}".rstrip()
                    ),
                )
            )
    held = v.verified_certifications if rules.require_verified else v.certifications
    missing = [c for c in rules.require_certifications if c not in held]
    if missing:
        how = "verified as" if rules.require_verified else "claiming to be"
        why.append(
            OfferReason(
                code=CERTIFICATION,
                text=f"You only want offers from vendors {how} {', '.join(missing)}",
            )
        )
    cap = rules.max_per_vendor
    if cap is not None and dict(offer.counts).get(cap.per, 0) >= cap.max:
        why.append(
            OfferReason(
                code=TOO_MANY,
                text=(
                    f"You accept at most {cap.max} offers per {cap.per} from one vendor, "
                    f"and {v.id} already sent that many"
                ),
            )
        )
    if why:
        return OfferDecision(deliver=False, reasons=tuple(why))
    return OfferDecision(
        deliver=True,
        reasons=(
            OfferReason(code=DELIVERED, text="It answers your intent and meets your offer rules"),
        ),
    )
