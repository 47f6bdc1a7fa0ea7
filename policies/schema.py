"""Marshmallow schemas that turn JSON terms and requests into validated frozen values.

All or nothing: any problem raises one `TermsError` whose messages name the rule (by id) and the
field, so the person sees "rules[no-ads].purposes: unknown purpose 'Marketting'".
"""

from __future__ import annotations

import dataclasses
from datetime import UTC
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from common.periods import PERIODS

from . import model as m
from . import vocab
from .conditions import BOOL, FIELDS, NUMBER, PURPOSE, SET
from .errors import TermsError, UnknownConcept, flatten

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Purpose(fields.String):
    """A DPV purpose by term or IRI, loaded as its canonical term."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        try:
            return vocab.purpose(super()._deserialize(value, attr, data, **kwargs)).id
        except UnknownConcept as e:
            raise ValidationError(str(e)) from None


class Category(fields.String):
    """A category by friendly id, wildcard, `pd:` name or IRI, loaded as its canonical id."""

    def _deserialize(self, value, attr, data, **kwargs) -> str:
        try:
            return vocab.category(super()._deserialize(value, attr, data, **kwargs)).id
        except UnknownConcept as e:
            raise ValidationError(str(e)) from None


def _scope(inner: fields.Field) -> fields.List:
    """A non-empty list; leaving the key out (or `null`) means any."""
    return fields.List(
        inner,
        allow_none=True,
        load_default=None,
        validate=validate.Length(min=1, error="must not be empty; leave it out for any"),
    )


class ConditionSchema(Schema):
    field = fields.String(required=True, validate=validate.OneOf(FIELDS))
    op = fields.String(required=True)
    value = fields.Raw(required=True)

    @validates_schema
    def _typed(self, data: dict, **kwargs) -> None:
        kind = FIELDS[data["field"]].kind
        v, op = data["value"], data["op"]
        if op not in kind.operators:
            raise ValidationError(
                f"unknown operator {op!r} for {data['field']}; "
                f"use one of {', '.join(kind.operators)}",
                "op",
            )
        if not kind.fits(v, op):
            raise ValidationError(f"wrong value for {data['field']} {op}", "value")
        if kind is PURPOSE:
            unknown = [n for n in ([v] if isinstance(v, str) else v) if not vocab.is_purpose(n)]
            if unknown:
                raise ValidationError(f"unknown purpose: {unknown[0]!r}", "value")

    @post_load
    def _make(self, data: dict, **kwargs) -> m.Condition:
        v, kind = data["value"], FIELDS[data["field"]].kind
        if kind is PURPOSE:
            v = vocab.purpose(v).id if isinstance(v, str) else [vocab.purpose(x).id for x in v]
        if isinstance(v, list) or (kind is SET and isinstance(v, str)):
            v = tuple([v] if isinstance(v, str) else v)
        op = "has_all" if data["op"] == "has" else data["op"]  # synonyms; one canonical form
        return m.Condition(field=data["field"], op=op, value=v)


class HoursSchema(Schema):
    start = fields.Time(required=True, data_key="from")
    end = fields.Time(required=True, data_key="to")


class FrequencySchema(Schema):
    max = fields.Integer(required=True, strict=True, validate=validate.Range(min=0))
    per = fields.String(required=True, validate=validate.OneOf(PERIODS))

    @post_load
    def _make(self, data: dict, **kwargs) -> m.Frequency:
        return m.Frequency(**data)


class RuleSchema(Schema):
    id = fields.String(required=True, validate=validate.Length(min=1, max=100))
    label = fields.String(load_default="")
    effect = fields.String(required=True, validate=validate.OneOf([e.value for e in m.Effect]))
    vendors = _scope(fields.String(validate=validate.Length(min=1)))
    purposes = _scope(Purpose())
    categories = _scope(Category())
    conditions = fields.List(fields.Nested(ConditionSchema), load_default=list)
    valid_from = fields.AwareDateTime(default_timezone=UTC, load_default=None, allow_none=True)
    valid_until = fields.AwareDateTime(default_timezone=UTC, load_default=None, allow_none=True)
    hours = fields.Nested(HoursSchema, load_default=None, allow_none=True)
    days = _scope(fields.String(validate=validate.OneOf(DAYS)))
    frequency = fields.Nested(FrequencySchema, load_default=None, allow_none=True)
    agreement = fields.String(load_default=None, allow_none=True)
    actions = fields.List(
        fields.String(validate=validate.OneOf(m.ACTIONS)),
        load_default=lambda: [m.READ],
        validate=validate.Length(min=1, error="choose at least one"),
    )

    @validates_schema
    def _consistent(self, data: dict, **kwargs) -> None:
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and start >= end:
            raise ValidationError(
                "contradictory: the rule would end before it starts", "valid_until"
            )
        hours = data.get("hours")
        if hours and hours["start"] == hours["end"]:
            raise ValidationError("contradictory: an empty time window", "hours")
        if data.get("frequency") and data.get("effect") != "permit":
            raise ValidationError("a frequency limit belongs on a permit rule", "frequency")
        problem = contradiction(data.get("conditions", []))
        if problem:
            raise ValidationError(f"contradictory: {problem}", "conditions")

    @post_load
    def _make(self, data: dict, **kwargs) -> m.Rule:
        hours = data.pop("hours")
        days = data.pop("days")
        return _rule(data, hours, days)


def _rule(data: dict, hours: dict | None, days: list | None) -> m.Rule:
    scoped: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
    scoped["effect"] = m.Effect(data["effect"])
    scoped["actions"] = tuple(a for a in m.ACTIONS if a in data["actions"])  # one canonical order
    return m.Rule(
        **scoped,
        hours=(hours["start"], hours["end"]) if hours else None,
        days=tuple(sorted({DAYS.index(d) for d in days})) if days else None,
    )


def contradiction(conditions: list[m.Condition]) -> str | None:
    """Why a rule's conditions can never all hold together, or None."""
    low: dict[str, float] = {}
    high: dict[str, float] = {}
    bools: dict[str, object] = {}
    for c in conditions:
        kind = FIELDS[c.field].kind
        if kind is NUMBER and isinstance(c.value, int | float):
            if c.op in ("gt", "gte", "eq"):
                low[c.field] = max(low.get(c.field, -1.0), c.value + (0.5 if c.op == "gt" else 0))
            if c.op in ("lt", "lte", "eq"):
                high[c.field] = min(
                    high.get(c.field, float("inf")), c.value - (0.5 if c.op == "lt" else 0)
                )
        elif kind is BOOL and bools.setdefault(c.field, c.value) != c.value:
            return f"{c.field} cannot be both true and false"
    for f in low.keys() & high.keys():
        if low[f] > high[f] or high[f] < 0:
            return f"no {f} satisfies every condition"
    return None


class OfferRulesSchema(Schema):
    blocklist = fields.List(fields.String(), load_default=list)
    require_certifications = fields.List(fields.String(), load_default=list)
    require_verified = fields.Boolean(load_default=False)
    within_budget = fields.Boolean(load_default=True)
    match_category = fields.Boolean(load_default=True)
    max_per_vendor = fields.Nested(FrequencySchema, load_default=None, allow_none=True)

    @post_load
    def _make(self, data: dict, **kwargs) -> m.OfferRules:
        rules: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return m.OfferRules(**rules)


class TermsSchema(Schema):
    class Meta:
        unknown = RAISE

    version = fields.Integer(load_default=1, strict=True, validate=validate.Range(min=1))
    default = fields.String(
        load_default="ask", validate=validate.OneOf([e.value for e in m.Effect])
    )
    rules = fields.List(fields.Nested(RuleSchema), load_default=list)
    offers = fields.Nested(OfferRulesSchema, load_default=None, allow_none=True)
    agreements = fields.List(fields.String(), load_default=list)
    auto_approve = fields.Boolean(load_default=False)
    claims_only = fields.List(Category(), load_default=list, validate=validate.Length(max=100))
    format = fields.String(load_default=None, allow_none=True, data_key="$format")

    @validates_schema
    def _unique(self, data: dict, **kwargs) -> None:
        seen = set()
        for i, rule in enumerate(data.get("rules", [])):
            if rule.id in seen:
                raise ValidationError({"rules": {i: {"id": [f"duplicate rule id {rule.id!r}"]}}})
            seen.add(rule.id)

    @post_load
    def _make(self, data: dict, **kwargs) -> m.Terms:
        return m.Terms(
            version=data["version"],
            default=m.Effect(data["default"]),
            rules=tuple(data["rules"]),
            offers=data["offers"] or m.OfferRules(),
            agreements=tuple(data["agreements"]),
            auto_approve=data["auto_approve"],
            claims_only=tuple(data["claims_only"]),
        )


def _named(messages: dict, raw: object) -> dict[str, list[str]]:
    """Flatten messages, writing `rules[<id>]` for a rule index so the person sees which rule."""
    rules = raw.get("rules") if isinstance(raw, dict) else None
    if isinstance(messages.get("rules"), dict) and isinstance(rules, list):
        renamed = {}
        for i, msgs in messages["rules"].items():
            rid = (
                rules[i].get("id")
                if isinstance(i, int) and i < len(rules) and isinstance(rules[i], dict)
                else None
            )
            renamed[f"[{rid}]" if isinstance(rid, str) and rid else f"[{i}]"] = msgs
        out = {k: v for k, v in messages.items() if k != "rules"}
        flat = flatten(out)
        for key, msgs in renamed.items():
            inner = flatten(msgs, "") if isinstance(msgs, dict) else {"": msgs}
            for field, text in inner.items():
                flat[f"rules{key}.{field}" if field else f"rules{key}"] = text
        return flat
    return flatten(messages)


def load_terms(data: object, version: int | None = None) -> m.Terms:
    """Validate JSON terms and return them, or raise `TermsError` naming every problem.

    `version` is storage metadata: the number the store gave these terms (0: never saved, such
    as the default terms or a draft). When it is given, a `version` key in `data` is ignored:
    callers never patch the document. Without it, a file's own `version` is read (default 1).
    """
    if not isinstance(data, dict):
        raise TermsError(
            "terms must be a JSON object", {"_schema": ["terms must be a JSON object"]}
        )
    if version is not None and version < 0:
        raise ValueError(f"a terms version is 0 or more, not {version}")
    try:
        if version is None:
            return TermsSchema().load(data)
        terms = TermsSchema().load({k: v for k, v in data.items() if k != "version"})
        return dataclasses.replace(terms, version=version)
    except ValidationError as e:
        messages = _named(
            e.messages if isinstance(e.messages, dict) else {"_schema": e.messages}, data
        )
        raise TermsError("invalid terms", messages) from None
