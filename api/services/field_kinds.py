"""What kind of value each category of personal data holds, and reading values as people type
them: "52,000", "25.11.1990", "25 November 1990". One owner, so the form, the input the
browser shows and the check on the server agree.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

from babel.numbers import NumberFormatError, parse_decimal
from marshmallow import ValidationError, fields

from ..i18n import N_

KINDS = {"text": N_("Text"), "email": N_("Email address"), "phone": N_("Phone number"),
         "date": N_("Date"), "number": N_("Number"), "url": N_("Web address")}
_OF_CATEGORY = {
    "contact.email": "email", "contact.phone": "phone", "demographics.birthdate": "date",
    "demographics.age": "number", "household.size": "number", "household.children": "number",
    "financial.income": "number", "financial.credit_score": "number",
    "professional.salary": "number",
}
#: the input a browser shows for each kind; numbers stay text so "52,000" can be typed
#: (a number input refuses grouping), with the phone's number keyboard (inputmode).
INPUTS = {"text": {"type": "text"}, "email": {"type": "email", "autocomplete": "email"},
          "phone": {"type": "tel", "autocomplete": "tel"}, "date": {"type": "date"},
          "number": {"type": "text", "inputmode": "decimal"}, "url": {"type": "url"}}
HINTS = {"email": N_("Such as name@example.org."), "phone": N_("Such as +49 30 1234567."),
         "date": N_("Such as 25 November 1990."), "number": N_("Such as 52,000 or 3.5."),
         "url": N_("Starting with https://.")}

_PHONE = re.compile(r"^\+?[0-9 ()\-]{5,30}$")
_SPACED = re.compile(r"(?<=\d)[ \u00a0\u202f'’](?=\d{3}\b)")  # 52 000, 52’000
_DAY_FIRST, _MONTH_FIRST = "%d/%m/%Y", "%m/%d/%Y"
_DATES = ("%Y-%m-%d", "%d.%m.%Y", "%d %B %Y", "%d %b %Y", "%B %d, %Y", "%b %d, %Y",
          "%B %d %Y", "%b %d %Y")
NUMBER_PROBLEM = N_("Enter a number such as 52,000 or 3.5.")
DATE_PROBLEM = N_("Enter a date such as 25 November 1990.")


def kind_of(category: str) -> str:
    """The kind of value a category holds; anything without a stricter kind is text."""
    return _OF_CATEGORY.get(category, "text")


def read_number(text: str) -> Decimal:
    """A number with or without thousands separators; ValueError says what to type instead."""
    if len(text) > 40:  # no one types a longer number; a 5,000-digit one is an attack
        raise ValueError(NUMBER_PROBLEM)
    try:
        number = parse_decimal(_SPACED.sub("", text.strip()), locale="en", strict=True)
    except NumberFormatError as exc:
        better = [s for s in getattr(exc, "suggestions", None) or [] if "," in s][:1]
        raise ValueError(NUMBER_PROBLEM[:-1] + f" (did you mean {better[0]}?)." if better
                         else NUMBER_PROBLEM) from None
    if not number.is_finite():
        raise ValueError(NUMBER_PROBLEM)
    return number


def read_whole(text: str) -> int:
    """A count such as 30 or 1,000; ValueError for anything else (fractions, negatives)."""
    number = read_number(text)
    if number != number.to_integral_value() or number < 0:
        raise ValueError(NUMBER_PROBLEM)
    return int(number)


def read_date(text: str) -> date:
    """A date as ISO (what date inputs send) or as people write it; never a silent guess."""
    text = " ".join(text.replace(",", ", ").split()).replace(" ,", ",")
    for pattern in _DATES:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    readings = set()
    for pattern in (_DAY_FIRST, _MONTH_FIRST):
        try:
            readings.add(datetime.strptime(text, pattern).date())
        except ValueError:
            continue
    if len(readings) == 1:
        return readings.pop()
    if len(readings) == 2:
        day_first, month_first = sorted(readings, key=lambda d: d.strftime(_DAY_FIRST) != text)
        raise ValueError(f"“{text}” could be {day_first.day} {day_first:%B} or "
                         f"{month_first:%B} {month_first.day}: write the month as a word, such "
                         f"as {day_first.day} {day_first:%B} {day_first.year}.")
    raise ValueError(DATE_PROBLEM)


def read_value(kind: str, text: str) -> str:
    """The value to keep: numbers and dates in one plain form, anything else as typed."""
    if kind == "email":
        try:
            fields.Email().deserialize(text)
        except ValidationError:
            raise ValueError(N_("Enter an email address such as name@example.org.")) from None
    elif kind == "phone" and not _PHONE.match(text):
        raise ValueError(N_("Enter a phone number: digits, spaces and an optional leading +, "
                         "such as +49 30 1234567."))
    elif kind == "date":
        return read_date(text).isoformat()
    elif kind == "number":
        return format(read_number(text), "f")
    elif kind == "url":
        try:
            fields.Url(schemes={"https", "http"}).deserialize(text)
        except ValidationError:
            raise ValueError(N_("Enter a web address starting with https://.")) from None
    return text


def shown(kind: str, value: str) -> str:
    """A kept value as the person reads it: numbers grouped (52,000)."""
    if kind == "number":
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        exponent = number.as_tuple().exponent
        places = max(0, -exponent) if isinstance(exponent, int) else 0
        return f"{number:,.{places}f}"
    return value


class Number(fields.Decimal):
    """A form's amount: "30,000" as well as "30000"."""

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            number = read_number(str(value))
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        return super()._deserialize(format(number, "f"), attr, data, **kwargs)


class LocalDate(fields.Date):
    """A form's date: what a date input sends, or as a person writes it without one."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, str):
            raise ValidationError(DATE_PROBLEM)
        try:
            return read_date(value)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
